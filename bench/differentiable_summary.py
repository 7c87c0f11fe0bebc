#!/usr/bin/env python3
"""Markdown tables of the RL-DARTS and A2D benchmarks (docs/results/rl-darts.md, a2d.md).

    python3 bench/differentiable_summary.py rl-darts out/rl-darts [RLNAS_BIN]
    python3 bench/differentiable_summary.py a2d out/a2d RLNAS_BIN

Reads (never writes) the store and run directories that bench/rl_darts.sh and bench/a2d.sh fill.
RLNAS_BIN (default out/bin/rlnas) measures the FLOPs of discretized architectures that were not
retrained (rlnas space cost).
"""
import json
import os
import sqlite3
import statistics
import subprocess
import sys

CURVE_STEPS = (10000, 25000, 50000, 75000, 100000)


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(x) for x in f if x.strip()]


def curve_at(curve, step):
    """return_mean of the last metrics line at or before `step` (None if there is none)."""
    best = None
    if not curve or curve[-1]["step"] < step:
        return None
    for line in curve:
        if line["step"] <= step and line.get("return_mean") is not None:
            best = line["return_mean"]
    return best


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def experiment_id(out, name):
    path = os.path.join(out, name + ".id")
    return int(open(path).read()) if os.path.exists(path) else None


def trials(db, exp):
    rows = db.execute("SELECT * FROM trials WHERE experiment_id = ? ORDER BY id", (exp,)).fetchall()
    out = []
    for t in rows:
        out.append({"id": t["id"], "role": t["role"], "status": t["status"], "arch_id": t["arch_id"],
                    "arch": json.loads(t["architecture"]), "flops": t["flops"], "params": t["params"],
                    "metrics": json.loads(t["metrics"]) if t["metrics"] else {}, "run_dir": t["run_dir"],
                    "wall": t["wall_seconds"]})
    return out


def label(t):
    arch = t["arch"]
    if "net" in arch:
        return "net:" + arch["net"]["name"] + (f"-{arch['net'].get('resnet_depth')}" if arch["net"]["name"] == "resnet" else "")
    if "space" in arch and arch.get("space", "").startswith("fixed/"):
        return arch["space"][6:]
    return t["arch_id"][:12]


def curve_table(rows):
    print("| network | " + " | ".join(f"{s // 1000}k" for s in CURVE_STEPS) + " |")
    print("|---|" + "---:|" * len(CURVE_STEPS))
    for name, curve in rows:
        print(f"| {name} | " + " | ".join(fmt(curve_at(curve, s)) for s in CURVE_STEPS) + " |")


def alpha_table(lines, every=None):
    """Per snapshot: mean over edges of the largest op probability, mean entropy, edges with a
    dominant op (> 0.5), and the discretized architecture's id."""
    if not lines:
        print("(no alpha.jsonl)")
        return
    import math
    picks, next_step = [], 0
    for l in lines:
        if every is None or l["step"] >= next_step or l is lines[-1]:
            picks.append(l)
            next_step = (l["step"] // every + 1) * every if every else 0
    print("| step | T | mean max p | mean entropy (nats) | edges with p > 0.5 | discretized |")
    print("|---:|---:|---:|---:|---:|---|")
    for l in picks:
        maxes, ents, strong = [], [], 0
        for g in l["groups"]:
            for row in g["probs"]:
                maxes.append(max(row))
                ents.append(-sum(p * math.log(p) for p in row if p > 0))
                strong += max(row) > 0.5
        arch_id = json.dumps(l["arch"]["choices"], sort_keys=True)
        print(f"| {l['step']} | {l['temperature']:.3g} | {statistics.fmean(maxes):.3f} | {statistics.fmean(ents):.3f} | "
              f"{strong}/{len(maxes)} | {arch_id[:90]}{'...' if len(arch_id) > 90 else ''} |")


def op_weights(line):
    """Per group, each op's mean probability over the edges."""
    for g in line["groups"]:
        cols = list(zip(*g["probs"]))
        text = ", ".join(f"{op} {statistics.fmean(c):.3f}" for op, c in zip(g["ops"], cols))
        print(f"- {g['name']} (step {line['step']}): {text}")


def flops_of(binary, arch, shape):
    out = subprocess.run([binary, "space", "cost", arch["space"], "--arch", json.dumps(arch), "--input", shape,
                          "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout).get("flops")


def rl_darts(out, binary):
    db = sqlite3.connect(f"file:{os.path.join(out, 'rlnas.db')}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    games = sorted({f[len("darts-"):-3] for f in os.listdir(out) if f.startswith("darts-") and f.endswith(".id")})
    for game in games:
        print(f"\n## {game}\n")
        exp = experiment_id(out, f"darts-{game}")
        ts = trials(db, exp)
        supernet = next((t for t in ts if t["role"] == "train"), None)
        curves = []
        if supernet:
            curves.append(("DARTS supernet (cell/micro, mixed)", read_lines(os.path.join(supernet["run_dir"], "metrics.jsonl"))))
        for t in ts:
            if t["role"] in ("retrain", "baseline"):
                name = ("discretized cell " if t["role"] == "retrain" else "") + label(t)
                curves.append((name + " (from scratch)", read_lines(os.path.join(t["run_dir"], "metrics.jsonl"))))
        rexp = experiment_id(out, f"random-{game}")
        rts = trials(db, rexp) if rexp else []
        for t in rts:
            curves.append((f"random cell {t['arch_id'][:12]}", read_lines(os.path.join(t["run_dir"], "metrics.jsonl"))))
        print("Training return (mean of the last 100 episodes) at each step:\n")
        curve_table(curves)
        print("\nFinal: reward mean (last 100 training episodes) and total reward (evaluation episodes):\n")
        print("| network | reward mean | total reward | params | MFLOPs |")
        print("|---|---:|---:|---:|---:|")
        for t in ts + rts:
            if t["status"] != "done":
                continue
            name = {"train": "DARTS supernet", "retrain": "discretized cell " + t["arch_id"][:12],
                    "baseline": label(t)}.get(t["role"], t["role"])
            if t in rts:
                name = "random cell " + t["arch_id"][:12]
            m = t["metrics"]
            print(f"| {name} | {fmt(m.get('train_return_mean'))} | {fmt(m.get('eval_return_mean'))} | "
                  f"{t['params'] or '-'} | {fmt((t['flops'] or 0) / 1e6) if t['flops'] else '-'} |")
        done_random = [t["metrics"]["train_return_mean"] for t in rts if t["status"] == "done"]
        if done_random:
            best = max((t for t in rts if t["status"] == "done"), key=lambda t: t["metrics"]["train_return_mean"])
            print(f"\nBest of {len(done_random)} random cells (by reward mean): {best['arch_id'][:12]}, reward mean "
                  f"{fmt(best['metrics']['train_return_mean'])}, total reward {fmt(best['metrics']['eval_return_mean'])}")
        if supernet:
            lines = read_lines(os.path.join(supernet["run_dir"], "alpha.jsonl"))
            print("\nAlpha over the search (op probabilities softmax(alpha / T) per edge):\n")
            alpha_table(lines, every=10000)
            if lines:
                print("\nMean op probability over the edges at the end:\n")
                op_weights(lines[-1])
                seq = db.execute("SELECT payload FROM snapshots WHERE experiment_id = ? AND kind = 'discretized_sequence'",
                                 (exp,)).fetchone()
                if seq:
                    s = json.loads(seq["payload"])["sequence"]
                    print(f"\nDiscretized sequence: {len(s)} changes of the discretized cell over {lines[-1]['step']} steps "
                          f"({len({x['id'] for x in s})} distinct cells); final {s[-1]['id'][:12]} from step {s[-1]['first_step']}: "
                          f"`{json.dumps(s[-1]['arch']['choices'])}`")
    # ablations
    print("\n## Ablations (Appendix B)\n")
    runs = os.path.join(out, "runs")
    rows = []
    first = games[0] if games else None
    if first:
        exp = experiment_id(out, f"darts-{first}")
        sup = next((t for t in trials(db, exp) if t["role"] == "train"), None)
        if sup:
            rows.append((f"micro supernet, trainable alpha ({first})", read_lines(os.path.join(sup["run_dir"], "metrics.jsonl"))))
    for name in sorted(os.listdir(runs)) if os.path.isdir(runs) else []:
        rows.append((name, read_lines(os.path.join(runs, name, "metrics.jsonl"))))
    curve_table(rows)


def a2d(out, binary):
    db = sqlite3.connect(f"file:{os.path.join(out, 'rlnas.db')}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    games = sorted({f[len("gdas-plain-"):-3] for f in os.listdir(out) if f.startswith("gdas-plain-") and f.endswith(".id")})
    runs = os.path.join(out, "runs")
    for game in games:
        print(f"\n## {game}\n")
        teacher = read_lines(os.path.join(runs, f"teacher-{game}", "eval.json")) if False else None
        tev = os.path.join(runs, f"teacher-{game}", "eval.json")
        if os.path.exists(tev):
            e = json.load(open(tev))
            tm = read_lines(os.path.join(runs, f"teacher-{game}", "metrics.jsonl"))
            print(f"Teacher (ResNet-20, A2C): reward mean {fmt(tm[-1]['return_mean'] if tm else None)}, total reward "
                  f"{fmt(e['mean'])} over {e['episodes']} episodes.\n")
        curves, table = [], []
        for setting in ("distill", "plain"):
            exp = experiment_id(out, f"gdas-{setting}-{game}")
            if not exp:
                continue
            for t in trials(db, exp):
                name = {"train": "supernet", "retrain": "found " + t["arch_id"][:12]}.get(t["role"], label(t))
                if t["role"] == "train":
                    curves.append((f"{name} ({setting})", read_lines(os.path.join(t["run_dir"], "metrics.jsonl"))))
                    alpha = read_lines(os.path.join(t["run_dir"], "alpha.jsonl"))
                    if alpha:
                        print(f"Search {setting}: final temperature {alpha[-1]['temperature']:.3g}; discretized: "
                              f"`{json.dumps(alpha[-1]['arch']['choices'])}`\n")
                if t["status"] == "done" and t["role"] != "train":
                    table.append((f"{name} ({setting})", t))
        print("Training return during the search (Figure 2 analog):\n")
        curve_table(curves)
        print("\nFound agent vs hand-designed nets, each trained from scratch (Figure 3 analog):\n")
        print("| network (training) | reward mean | total reward | params | MFLOPs |")
        print("|---|---:|---:|---:|---:|")
        for name, t in table:
            m = t["metrics"]
            print(f"| {name} | {fmt(m.get('train_return_mean'))} | {fmt(m.get('eval_return_mean'))} | {t['params'] or '-'} | "
                  f"{fmt(t['flops'] / 1e6 if t['flops'] else None)} |")
    print("\n## Distillation ablation (Table 2 analog)\n")
    print("| variant | seed | reward mean | total reward |")
    print("|---|---:|---:|---:|")
    means = {}
    for variant in ("none", "actor", "teacher_critic", "actor_critic"):
        for seed in (1, 2):
            d = os.path.join(runs, f"distill-{variant}-s{seed}")
            m = read_lines(os.path.join(d, "metrics.jsonl"))
            ev = os.path.join(d, "eval.json")
            if m:
                e = json.load(open(ev)) if os.path.exists(ev) else None
                print(f"| {variant} | {seed} | {fmt(m[-1]['return_mean'])} | {fmt(e['mean'] if e else None)} |")
                if e:
                    means.setdefault(variant, []).append(e["mean"])
    # Compared on the test score (total reward, the paper's metric), never on training returns.
    if means:
        order = sorted(means, key=lambda v: -statistics.fmean(means[v]))
        print("\nBy total reward (mean over seeds): " + " > ".join(f"{v} {statistics.fmean(means[v]):.2f}" for v in order) +
              (". Fewer than 3 seeds per variant: no interval, the order is not established."
               if min(len(x) for x in means.values()) < 3 else "."))
    print("\n## Efficiency weight lambda vs FLOPs found\n")
    print("| lambda | expected FLOPs fraction at the end | discretized MFLOPs | reward mean of the supernet |")
    print("|---:|---:|---:|---:|")
    for name in sorted(os.listdir(runs)) if os.path.isdir(runs) else []:
        if not name.startswith("lambda-"):
            continue
        m = read_lines(os.path.join(runs, name, "metrics.jsonl"))
        alpha = read_lines(os.path.join(runs, name, "alpha.jsonl"))
        if not m or not alpha:
            continue
        flops = flops_of(binary, alpha[-1]["arch"], "4x10x10")
        print(f"| {name.split('-')[1]} | {fmt(m[-1].get('arch.cost'), 3)} | {fmt(flops / 1e6 if flops else None)} | "
              f"{fmt(m[-1]['return_mean'])} |")


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    binary = sys.argv[3] if len(sys.argv) > 3 else "out/bin/rlnas"
    {"rl-darts": rl_darts, "a2d": a2d}[kind](out, binary)
