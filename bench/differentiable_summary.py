#!/usr/bin/env python3
"""The RL-DARTS and A2D results (docs/results/rl-darts.md, a2d.md), from committed exports.

    python3 bench/differentiable_summary.py rl-darts bench/results/rl-darts
    python3 bench/differentiable_summary.py a2d bench/results/a2d

Reads the `rlnas runs export` files (*.json.gz) that bench/export_results.py wrote for the runs of
bench/rl_darts.sh and bench/a2d.sh (file names are the scripts' run names: darts-GAME-SEED,
random-GAME, frozen-alpha-GAME-sSEED, teacher-GAME, gdas-distill-GAME-SEED, distill-VARIANT-sSEED,
lambda-L-GAME, ...) and prints Markdown: learning curves at fixed fractions of the budget, final
figures with mean ± sd (sample, n - 1) over training seeds (and over search seeds for found
architectures), comparisons on total reward, alpha's sparsity, and a table of the paper's claims,
each marked "reproduced", "not reproduced" or "inconclusive at this budget" by the rule printed
beside it. Every comparison (effect, interval, p, verdict) comes from `rlnas compare --json` over
the runs' export files; this script computes no interval of its own. Selection follows rlnas's
rule (picked by reward mean, reported on total reward). Standard library only; deterministic.
"""
import os
import re
import statistics
import sys
from collections import defaultdict

from exports import compare, interval_text, learning_text, read_exports

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)


def load(folder):
    """{run name: export entry} for every file of the folder (each entry knows its "path")."""
    runs = dict(read_exports(folder))
    for e in runs.values():
        e["path"] = os.path.join(folder, e["file"])
    return runs


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def ms(values, digits=2):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    s = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):.{digits}f} ± {s:.{digits}f}"


def mean(values):
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def study(runs, arms, baselines=True):
    """`rlnas compare` over the export files of the named runs, grouped into arms:
    arms = [(arm name, [run names])]. Returns the study's first environment."""
    files, flags = [], []
    for name, members in arms:
        present = [m for m in members if m in runs]
        if not present:
            continue
        flags.append((name, [runs[m]["experiment"]["id"] for m in present]))
        files += [runs[m]["path"] for m in present]
    if not files:
        return None
    envs = compare(files, flags, baselines)["environments"]
    return envs[0] if envs else None


def comparison(env, a, b):
    """The comparison of a and b (names as `rlnas compare` prints them), either order: (text, verdict)."""
    if env is None:
        return "-", "no data"
    for c in env["comparisons"]:
        if (c["a"], c["b"]) == (a, b):
            return interval_text(c), c["verdict"]
        if (c["a"], c["b"]) == (b, a):
            flipped = dict(c, effect=-c["effect"], low=None if c["high"] is None else -c["high"],
                           high=None if c["low"] is None else -c["low"],
                           verdict={"better": "worse", "worse": "better"}.get(c["verdict"], c["verdict"]))
            return interval_text(flipped), flipped["verdict"]
    return "-", "no data"


def print_learned(env):
    """The arms' learning figures and stored warnings, as `rlnas compare` gathers them."""
    for a in (env or {}).get("arms", []):
        figures = learning_text(a, 3)
        if figures:
            print(f"- {a['name']}: {figures}")
        for w in a["warnings"]:
            print(f"  - warning ({w['searches']} of {a['searches']} searches): {w['warning']}")


def baseline_label(env, part, setting=None):
    """The label rlnas compare gave the baseline whose label holds `part` (and, when the same net
    was trained in several settings, `setting`)."""
    for b in (env or {}).get("baselines", []):
        if part in b["label"] and (setting is None or setting in b["label"]):
            return b["label"]
    return None


def judged(verdict, good="better"):
    """A claim's verdict from a comparison's: reproduced / not reproduced / inconclusive."""
    if verdict == good:
        return "reproduced"
    if verdict in ("better", "worse"):
        return "not reproduced"
    if verdict == "no data":
        return "not tested"
    return "inconclusive"


def done(entry):
    return [t for t in entry["trials"] if t["status"] == "done"]


def curve_at(trial, step):
    """The training return (return_mean) of the last curve point at or before `step`."""
    best = None
    curve = trial.get("curve", [])
    if not curve or curve[-1]["step"] < step:
        return None
    for p in curve:
        if p["step"] <= step and p["metrics"].get("return_mean") is not None:
            best = p["metrics"]["return_mean"]
    return best


def label(t):
    arch = t["architecture"]
    if "supernet" in arch:
        return "supernet"
    if "net" in arch:
        return "net:" + arch["net"]["name"]
    return t["arch_id"][:12]


def metric(t, key):
    return t["metrics"].get(key) if t.get("metrics") else None


def summary_row(entry, kind, label_part=None):
    s = entry.get("summary") or {}
    for r in s.get("rows", []):
        if r["kind"] == kind and (label_part is None or label_part in r["label"]):
            return r
    return None


def seeds_of(row):
    """{seed: (selection, test)} of a summary row."""
    return {b["seed"]: (b["selection"], b["test"]) for b in row.get("by_seed", [])} if row else {}


def alpha_stats(snapshot_lines):
    """Per alpha line: (step, mean max p, edges with p > 0.5, edges, mean op probability per op)."""
    out = []
    for line in snapshot_lines:
        maxes, ops = [], defaultdict(list)
        for g in line["groups"]:
            for row in g["probs"]:
                maxes.append(max(row))
                for op, p in zip(g["ops"], row):
                    ops[op].append(p)
        out.append((line["step"], statistics.fmean(maxes), sum(m > 0.5 for m in maxes), len(maxes),
                    {op: statistics.fmean(v) for op, v in ops.items()}))
    return out


def alpha_lines(entry):
    snap = next((s for s in reversed(entry.get("snapshots", [])) if s["kind"] == "alpha"), None)
    return snap["payload"]["snapshots"] if snap else []


def sequence_of(entry):
    snap = next((s for s in reversed(entry.get("snapshots", [])) if s["kind"] == "discretized_sequence"), None)
    return snap["payload"]["sequence"] if snap else []


def at_fraction(lines, fraction, budget):
    """The alpha line at or before fraction x budget."""
    best = None
    for stats in lines:
        if stats[0] <= fraction * budget + 1e-9:
            best = stats
    return best


def budget_of(entry):
    cfg = entry["experiment"]["config"]
    return cfg["train"]["steps"] if "train" in cfg else cfg["steps"]


def curve_rows(rows, budget):
    steps = [int(f * budget) for f in FRACTIONS]
    print("| network | " + " | ".join(f"{s // 1000}k" if s >= 1000 else str(s) for s in steps) + " | n |")
    print("|---|" + "---:|" * len(steps) + "---:|")
    for name, trials in rows:
        cells = [ms([curve_at(t, s) for t in trials]) for s in steps]
        print(f"| {name} | " + " | ".join(cells) + f" | {len(trials)} |")


def search_entries(runs, prefix):
    """[(search seed, entry)] of the finished searches named PREFIX-SEED."""
    out = []
    for name, e in runs.items():
        m = re.fullmatch(re.escape(prefix) + r"-(\d+)", name)
        if m and e.get("summary") and e["summary"].get("final"):
            out.append((int(m.group(1)), e))
    return sorted(out, key=lambda x: x[0])


def train_entries(runs, prefix):
    """[(seed, trial)] of the finished trainings named PREFIX-sSEED."""
    out = []
    for name, e in runs.items():
        m = re.fullmatch(re.escape(prefix) + r"-s(\d+)", name)
        if m and done(e):
            out.append((int(m.group(1)), done(e)[0]))
    return sorted(out, key=lambda x: x[0])


def supernet_trial(entry):
    return next((t for t in done(entry) if t["role"] == "train"), None)


def trials_of(entry, arch_id, role):
    """The finished trials of an experiment with this architecture and role."""
    return [t for t in done(entry) if t["arch_id"] == arch_id and t["role"] == role]


def found_by_search(searches):
    """Per search: the found row's (reward mean, total reward, per-seed {seed: total}, row)."""
    out = []
    for seed, e in searches:
        r = summary_row(e, "found")
        if r:
            out.append((seed, r))
    return out


def cost_table(settings):
    """Search cost: per setting [(label, searches)], the supernet's steps and wall-clock seconds
    against one retrain of the found architecture (mean over the found rows' trainings)."""
    print("Search cost, mean ± sd (n - 1) over search seeds (wall-clock on a 2-core machine that ran 2-4 trainings at "
          "a time: the ratio compares the two under the same load, not an idle machine):\n")
    print("| search | supernet steps | supernet s | one retrain s | supernet / retrain |")
    print("|---|---:|---:|---:|---:|")
    for label, searches in settings:
        sup = [t for t in (supernet_trial(e) for _, e in searches) if t and t.get("wall_seconds")]
        retrain = [t["wall_seconds"] for _, e in searches for found in [summary_row(e, "found")] if found
                   for t in trials_of(e, found["arch_id"], "retrain") if t.get("wall_seconds")]
        if not sup:
            continue
        ratio = statistics.fmean(t["wall_seconds"] for t in sup) / statistics.fmean(retrain) if retrain else None
        print(f"| {label} | {sup[0]['budget']:,} | {ms([t['wall_seconds'] for t in sup], 0)} | "
              f"{ms(retrain, 0)} | {fmt(ratio)}x |")
    print()


def paired(a, b):
    """Differences a - b over the seeds both have ({seed: value} each)."""
    return [a[s] - b[s] for s in sorted(set(a) & set(b)) if a[s] is not None and b[s] is not None]


def row_line(name, row, extra=""):
    sel = [v[0] for v in seeds_of(row).values()]
    test = [v[1] for v in seeds_of(row).values()]
    flops = row.get("flops")
    print(f"| {name} | {ms(sel)} | {ms(test)} | {row.get('params') or '-'} | "
          f"{fmt(flops / 1e6 if flops else None)} | {len(test)}{extra} |")


# ---------------------------------------------------------------- RL-DARTS

def rl_darts(folder):
    runs = load(folder)
    games = sorted({m.group(1) for n in runs for m in [re.fullmatch(r"darts-(\w+)-\d+", n)] if m})
    claims = []
    for game in games:
        searches = search_entries(runs, f"darts-{game}")
        if not searches:
            continue
        budget = budget_of(searches[0][1])
        print(f"### {game}\n")
        cfg = searches[0][1]["experiment"]["config"]
        print(f"Budget: supernet {cfg['search']['search.steps'] or budget:,} steps, every retrain {budget:,} steps; "
              f"{len(searches)} search seeds ({', '.join(str(s) for s, _ in searches)}), "
              f"{cfg['search']['search.seeds']} training seeds per retrain; total reward over "
              f"{cfg['search']['search.eval_episodes']} evaluation episodes.\n")
        supernets = [supernet_trial(e) for _, e in searches]
        supernets = [t for t in supernets if t]
        first = searches[0][1]
        baselines = [r for r in first["summary"]["rows"] if r["kind"] == "baseline"]
        found = found_by_search(searches)
        rnd = runs.get(f"random-{game}")
        rnd_rows = [r for r in (rnd["summary"]["rows"] if rnd and rnd.get("summary") else []) if r["kind"] == "candidate"]
        rnd_found = summary_row(rnd, "found") if rnd and rnd.get("summary") else None

        print("Training return (mean of the last 100 training episodes) at fractions of the budget, mean ± sd "
              "over runs (the supernets over search seeds, the others over training seeds):\n")
        rows = [("DARTS supernet (`cell/micro`, softmax, alpha learned)", supernets)]
        for b in baselines:
            rows.append((f"{b['label']} (from scratch)", trials_of(first, b["arch_id"], "baseline")))
        rows.append(("discretized cells (from scratch, every search and seed)",
                     [t for _, e in searches for t in done(e) if t["role"] == "retrain"]))
        if rnd_found:
            rows.append(("best of 3 random cells by reward mean (one draw; from scratch)",
                         trials_of(rnd, rnd_found["arch_id"], "retrain")))
        curve_rows(rows, budget)

        print("\nFinal figures (Table 4 analog): reward mean = training return of the last 100 episodes (selection), "
              "total reward = evaluation episodes of the final policy (report); mean ± sd (n - 1) over training seeds, "
              "a search's found cell first averaged over its seeds:\n")
        print("| network | reward mean | total reward | params | MFLOPs | seeds |")
        print("|---|---:|---:|---:|---:|---:|")
        for seed, r in found:
            row_line(f"DARTS cell, search seed {seed} `{r['arch_id'][:12]}`", r)
        if found:
            print(f"| DARTS cells, mean ± sd (n - 1) over searches | {ms([r['reward_mean'] for _, r in found])} | "
                  f"{ms([r['total_reward'] for _, r in found])} | - | - | {len(found)} searches |")
        for b in baselines:
            row_line(b["label"], b)
        if rnd_found:
            row_line(f"best of 3 random cells by reward mean, one draw `{rnd_found['arch_id'][:12]}`", rnd_found)
        for r in rnd_rows:
            row_line(f"random cell `{r['arch_id'][:12]}`", r)

        impala = next((b for b in baselines if "impala" in b["label"]), None)
        env = study(runs, [("DARTS cell", [f"darts-{game}-{seed}" for seed, _ in searches]),
                           ("best of 3 random cells (one draw)", [f"random-{game}"])])
        print("\nComparisons on total reward, by `rlnas compare` (docs/search.md, \"Reading a comparison\"): Welch's t "
              "with Hsu's conservative degrees of freedom, the searches' cells (each over its 3 training seeds) against "
              "a baseline's own 3 seeds; 95% interval, p, Holm's p over the game's comparisons; \"inconclusive\" unless "
              "the interval excludes 0 and Holm's p < 0.05. The random cells are **one draw** of 3 cells (one random "
              "search), not random search's expectation: compared like a baseline, by its found cell's 3 training "
              "seeds, the comparison is of the cells found, not of the strategies.\n")
        verdict_impala = "no data"
        diffs_impala = None
        if env:
            for c in env["comparisons"]:
                a = c["a"] if c["kind"] != "baseline_vs_baseline" else f"`{c['a']}`"
                b = c["b"] if c["kind"] == "arm_vs_arm" else f"`{c['b']}`"
                det = f"; detectable {c['mde']:.2f}" if c["mde"] is not None else ""
                print(f"- {a} - {b}: {interval_text(c)}{det}")
            label = baseline_label(env, "impala")
            if label:
                diffs_impala, verdict_impala = comparison(env, "DARTS cell", label)
        print("\nHow much the searches learned (each search's summary, mean ± sd over the searches) and the warnings "
              "rlnas stored with them:\n")
        print_learned(env)
        print("\nEach search's own summary:\n")
        for seed, e in searches:
            for c in e["summary"].get("comparisons", []):
                word = "inconclusive" if c["verdict"] == "not significant" else c["verdict"]
                print(f"- search seed {seed}, rlnas's own summary (paired by training seed, t over 3 seeds): "
                      f"{c['a']} - {c['b']}: {c['difference']:+.2f}"
                      + (f" [{c['low']:+.2f}, {c['high']:+.2f}]" if c.get("low") is not None else "")
                      + f", {word}")

        print("\nalpha over the search (op probabilities softmax(alpha / T) per edge; uniform over 5 ops: 0.200), "
              "mean ± sd (n - 1) over search seeds:\n")
        per_search = [alpha_stats(alpha_lines(e)) for _, e in searches]
        per_search = [p for p in per_search if p]
        print("| step | mean largest op probability | edges with p > 0.5 |")
        print("|---:|---:|---:|")
        shown = set()
        for f in FRACTIONS:
            at = [at_fraction(p, f, budget) for p in per_search]
            at = [a for a in at if a]
            if at and at[0][0] not in shown:
                shown.add(at[0][0])
                print(f"| {at[0][0]:,} | {ms([a[1] for a in at], 3)} | {ms([a[2] for a in at], 1)} of {at[0][3]} |")
        if per_search:
            ops = defaultdict(list)
            for p in per_search:
                for op, v in p[-1][4].items():
                    ops[op].append(v)
            print("\nMean op probability over the edges at the end: " +
                  ", ".join(f"{op} {statistics.fmean(v):.3f}" for op, v in ops.items()) + ".")
        for seed, e in searches:
            seq = sequence_of(e)
            if seq:
                print(f"- search seed {seed}: the discretized cell changed {len(seq) - 1} times "
                      f"({len({x['id'] for x in seq})} distinct cells); the final one from step {seq[-1]['first_step']:,}")
        final_max = [p[-1][1] for p in per_search]
        claims.append((game, budget, final_max, (diffs_impala, verdict_impala), supernets, impala, first))
        print()
        cost_table([("DARTS (`cell/micro`, PPO)", searches)])

    # Appendix B ablations on the first game.
    first_game = games[0] if games else None
    ablations = [("PPO, `cell/micro`, alpha trainable (the searches' supernets)", None),
                 ("PPO, `cell/micro`, alpha frozen at uniform", f"frozen-alpha-{first_game}"),
                 ("Rainbow (`dqn.rainbow-minatar`, T = 10), `cell/micro`, alpha trainable", f"rainbow-trainable-alpha-{first_game}"),
                 ("Rainbow, `cell/micro`, alpha frozen at uniform", f"rainbow-frozen-alpha-{first_game}"),
                 ("PPO, `cell/classic` (with ReLU)", f"classic-{first_game}"),
                 ("PPO, `cell/classic-linear` (no ReLU in the normal ops)", f"classic-linear-{first_game}")]
    table = []
    for name, prefix in ablations:
        if prefix is None:
            searches = search_entries(runs, f"darts-{first_game}")
            trials = [(s, supernet_trial(e)) for s, e in searches if supernet_trial(e)]
            alpha = [alpha_stats(alpha_lines(e)) for _, e in searches]
        else:
            trials = train_entries(runs, prefix)
            alpha = [alpha_stats(alpha_lines(runs[f"{prefix}-s{s}"])) for s, _ in trials]
        table.append((name, prefix, trials, [a[-1][1] for a in alpha if a]))
    if first_game and any(t for _, _, t, _ in table):
        print(f"### Failure ablations of Appendix B ({first_game}, supernet trainings only)\n")
        print("Training return of the supernet (mean of the last 100 episodes) at fractions of its budget, the final "
              "policy's total reward, and alpha's mean largest op probability at the end; mean ± sd (n - 1) over seeds:\n")
        print("| supernet | budget | " + " | ".join(f"{int(f * 100)}%" for f in FRACTIONS) +
              " | total reward | largest op p | seeds |")
        print("|---|---:|" + "---:|" * len(FRACTIONS) + "---:|---:|---:|")
        for name, prefix, trials, maxp in table:
            if not trials:
                print(f"| {name} | - |" + " - |" * len(FRACTIONS) + " - | - | 0 |")
                continue
            budget = max(t["budget"] for _, t in trials)
            cells = [ms([curve_at(t, int(f * budget)) for _, t in trials]) for f in FRACTIONS]
            print(f"| {name} | {budget:,} | " + " | ".join(cells) + f" | {ms([metric(t, 'eval_return_mean') for _, t in trials])} | "
                  f"{ms(maxp, 3)} | {len(trials)} |")
        print()

    # Claims, each judged by the rule printed with it.
    print("### The paper's claims, judged here\n")
    print("| claim of the paper (its budget) | rule applied here | here | verdict |")
    print("|---|---|---|---|")
    for game, budget, final_max, (text_impala, verdict_impala), supernets, impala, first in claims:
        # The first logged training return (Freeway's first episodes end only after ~2,500 steps).
        firsts = [next((p["metrics"]["return_mean"] for p in t["curve"] if p["metrics"].get("return_mean") is not None),
                       None) for t in supernets if t.get("curve")]
        lasts = [t["curve"][-1]["metrics"].get("return_mean") for t in supernets if t.get("curve")]
        learned = bool(lasts) and all(a is not None and b is not None and b - a >= 1.0 for a, b in zip(firsts, lasts))
        print(f"| a DARTS supernet trains end to end inside unchanged PPO (Figure 3, 50M steps) | every search's supernet "
              f"ends with a training return at least 1 above its first logged one | {game}: "
              f"{', '.join(fmt(a) + ' -> ' + fmt(b) for a, b in zip(firsts, lasts))}"
              f" (total reward {ms([metric(t, 'eval_return_mean') for t in supernets])}; IMPALA-CNN from scratch "
              f"{fmt(impala['total_reward'] if impala else None)}) | {'reproduced' if learned else 'not reproduced'} at "
              f"{budget:,} steps |")
        fm = mean(final_max)
        print(f"| alpha becomes sparse (Figure 3, by 25M steps with PPO) | mean largest op probability at the end above "
              f"0.5 | {game}: {fmt(fm, 3)} | {'reproduced' if fm and fm > 0.5 else 'not reproduced'} at {budget:,} steps |")
        verdict = judged(verdict_impala)
        print(f"| the discretized cell matches or beats IMPALA-CNN (Table 4, 25M steps) | DARTS cell - IMPALA-CNN "
              f"(Welch, Hsu's df): better = reproduced, worse = not reproduced, else "
              f"inconclusive (matching would need an equivalence test with a stated margin) | {game}: {text_impala} | "
              f"{verdict} at {budget:,} steps |")
    for name, a, b in (("a frozen uniform alpha stops the Rainbow agent from training (Table 2, Figure 12, 25M steps)",
                        f"rainbow-frozen-alpha-{first_game}", f"rainbow-trainable-alpha-{first_game}"),
                       ("the classic space without ReLU fails to train (Table 2, Figure 11, PPO, 50M steps)",
                        f"classic-linear-{first_game}", f"classic-{first_game}")):
        ta, tb = train_entries(runs, a), train_entries(runs, b)
        if not ta or not tb:
            print(f"| {name} | - | not run | not tested |")
            continue
        env = study(runs, [("failing", [f"{a}-s{s}" for s, _ in ta]), ("working", [f"{b}-s{s}" for s, _ in tb])])
        text, verdict = comparison(env, "failing", "working")
        budget = max(t["budget"] for _, t in ta)
        print(f"| {name} | total reward of the failing setting minus the working one (Welch, Hsu's df, "
              f"{len(ta)} + {len(tb)} trainings) below 0: worse = reproduced | {text} | "
              f"{judged(verdict, 'worse')} at {budget:,} steps |")


# ---------------------------------------------------------------- A2D

def a2d(folder):
    runs = load(folder)
    games = sorted({m.group(1) for n in runs for m in [re.fullmatch(r"gdas-(?:distill|plain)-(\w+)-\d+", n)] if m})
    claims = {}
    for game in games:
        distill = search_entries(runs, f"gdas-distill-{game}")
        plain = search_entries(runs, f"gdas-plain-{game}")
        if not distill and not plain:
            continue
        some = (distill or plain)[0][1]
        budget = budget_of(some)
        cfg = some["experiment"]["config"]
        print(f"### {game}\n")
        teacher = runs.get(f"teacher-{game}")
        if teacher and done(teacher):
            t = done(teacher)[0]
            print(f"Teacher (ResNet-20, A2C, {t['budget']:,} steps, seed {t['seed']}): reward mean "
                  f"{fmt(metric(t, 'train_return_mean'))}, total reward {fmt(metric(t, 'eval_return_mean'))} over "
                  f"{metric(t, 'eval_episodes')} episodes.\n")
        print(f"Budget: search {cfg['search']['search.steps'] or budget:,} steps, every retrain {budget:,} steps; "
              f"{len(distill)} + {len(plain)} search seeds (distilled + plain), {cfg['search']['search.seeds']} training "
              f"seeds per retrain; lambda {cfg['train'].get('arch.cost_lambda', '-')}; total reward over "
              f"{cfg['search']['search.eval_episodes']} evaluation episodes.\n")
        print("Training return of the supernet during the search (Figure 2 analog), mean ± sd (n - 1) over search seeds:\n")
        curve_rows([("supernet, distilled", [supernet_trial(e) for _, e in distill if supernet_trial(e)]),
                    ("supernet, plain", [supernet_trial(e) for _, e in plain if supernet_trial(e)])], budget)
        print("\nFound agents against hand-designed networks, each trained from scratch with its setting's "
              "distillation (Figure 3 analog); mean ± sd (n - 1) over training seeds, the found rows per search:\n")
        print("| network (setting) | reward mean | total reward | params | MFLOPs | seeds |")
        print("|---|---:|---:|---:|---:|---:|")
        found = {}
        bases = {}
        for setting, searches in (("distilled", distill), ("plain", plain)):
            found[setting] = found_by_search(searches)
            for seed, r in found[setting]:
                row_line(f"found, search seed {seed} `{r['arch_id'][:12]}` ({setting})", r)
            if found[setting]:
                print(f"| found, mean ± sd (n - 1) over searches ({setting}) | {ms([r['reward_mean'] for _, r in found[setting]])} | "
                      f"{ms([r['total_reward'] for _, r in found[setting]])} | - | "
                      f"{ms([r['flops'] / 1e6 for _, r in found[setting] if r.get('flops')])} | "
                      f"{len(found[setting])} searches |")
            if searches:
                bases[setting] = [r for r in searches[0][1]["summary"]["rows"] if r["kind"] == "baseline"]
                for b in bases[setting]:
                    row_line(f"{b['label']} ({setting})", b)
        print("\nComparisons on total reward by `rlnas compare` (docs/search.md, \"Reading a comparison\"), one study per "
              "setting (its searches and the nets trained with the same distillation) and one of the two settings' "
              "searches alone: a found agent or a net against a net, Welch's t with Hsu's conservative degrees of "
              "freedom (each search's agent over its 3 training seeds; a net's own 3 seeds); distilled against plain "
              "searches, Welch's t over the searches; 95% interval, p, and Holm's p over each study's comparisons; "
              "\"inconclusive\" unless the interval excludes 0 and Holm's p < 0.05.\n")
        results = {}
        for setting, prefix, searches in (("distilled", "gdas-distill", distill), ("plain", "gdas-plain", plain)):
            env = study(runs, [(f"found ({setting})", [f"{prefix}-{game}-{seed}" for seed, _ in searches])])
            print(f"{setting.capitalize()}:\n")
            for c in env["comparisons"] if env else []:
                det = f"; detectable {c['mde']:.2f}" if c["mde"] is not None else ""
                print(f"- {c['a']} - {c['b']}: {interval_text(c)}{det}")
            print()
            print_learned(env)
            print()
            for b in bases.get(setting, []):
                text, verdict = comparison(env, f"found ({setting})", b["label"])
                results[(setting, b["label"])] = (text, verdict, b)
        env = study(runs, [("found (distilled)", [f"gdas-distill-{game}-{seed}" for seed, _ in distill]),
                           ("found (plain)", [f"gdas-plain-{game}-{seed}" for seed, _ in plain])], baselines=False)
        text, verdict = comparison(env, "found (distilled)", "found (plain)")
        print(f"Distilled against plain searches: found (distilled) - found (plain): {text}")
        claims[game] = (budget, found, results, (text, verdict))
        print()
        cost_table([("gdas, distilled", distill), ("gdas, plain", plain)])

    first = games[0] if games else None
    # Table 2 analog.
    variants = ("none", "actor", "teacher_critic", "actor_critic")
    names = {"none": "none", "actor": "actor only (a3 = 0, policy distillation)",
             "teacher_critic": "actor + teacher's critic reused", "actor_critic": "actor + critic MSE (A2D, proposed)"}
    per_variant = {v: {s: t for s, t in train_entries(runs, f"distill-{v}")} for v in variants}
    ablation = None
    if any(per_variant.values()):
        budget = max(t["budget"] for d in per_variant.values() for t in d.values())
        print(f"### Distillation ablation (Table 2 analog; {first}, the minatar net, {budget:,} steps)\n")
        print("Headlined by the test score: total reward (evaluation episodes), mean ± sd (n - 1) over seeds; reward mean "
              "(training episodes) beside it:\n")
        print("| variant | total reward | per seed | reward mean | seeds |")
        print("|---|---:|---|---:|---:|")
        for v in variants:
            d = per_variant[v]
            totals = [metric(t, "eval_return_mean") for _, t in sorted(d.items())]
            print(f"| {names[v]} | {ms(totals)} | {', '.join(fmt(x) for x in totals)} | "
                  f"{ms([metric(t, 'train_return_mean') for t in d.values()])} | {len(d)} |")
        print("\nA2D's variant against each other, total reward, by `rlnas compare` (Welch's t with Hsu's conservative "
              "degrees of freedom over the 3 seeds of each, Holm over the variants' comparisons):\n")
        ablation = {}
        arms = [(v, [f"distill-{v}-s{s}" for s in sorted(per_variant[v])]) for v in variants]
        env = study(runs, arms)
        for v in variants[:-1]:
            ablation[v] = comparison(env, "actor_critic", v)
            print(f"- actor + critic MSE - {names[v]}: {ablation[v][0]}")
        print()

    # lambda against FLOPs.
    lambdas = []
    for name, e in runs.items():
        m = re.fullmatch(r"lambda-([0-9.e-]+)-(\w+)", name)
        if m and e.get("summary") and e["summary"].get("final"):
            lambdas.append((float(m.group(1)), m.group(1), e))
    lambdas.sort()
    if lambdas:
        print(f"### The efficiency weight lambda and the FLOPs found ({first}, plain searches)\n")
        print("| lambda | expected FLOPs fraction at the end of the search | largest op probability (mean over blocks) | "
              "skip blocks | found MFLOPs | found total reward | seeds |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for _, text, e in lambdas:
            sup = supernet_trial(e)
            cost = sup["curve"][-1]["metrics"].get("arch.cost") if sup and sup.get("curve") else None
            stats = alpha_stats(alpha_lines(e))
            r = summary_row(e, "found")
            skips = sum(1 for v in r["arch"]["choices"].values() if v == "skip") if r and r.get("arch") else None
            print(f"| {text} | {fmt(cost, 3)} | {fmt(stats[-1][1] if stats else None, 2)} | "
                  f"{skips if skips is not None else '-'} of {len(r['arch']['choices']) if r and r.get('arch') else '-'} | "
                  f"{fmt(r['flops'] / 1e6 if r and r.get('flops') else None)} | "
                  f"{ms([v[1] for v in seeds_of(r).values()])} | {len(seeds_of(r))} |")
        print()
    soft = runs.get(f"gdas-soft-distill-{first}")
    if soft and soft.get("summary") and soft["summary"].get("final"):
        r = summary_row(soft, "found")
        sup = supernet_trial(soft)
        print(f"### One search with the paper's soft Gumbel forward ({first}, distilled, "
              f"{sup['budget'] if sup else '-':,} search steps)\n")
        print("| network | reward mean | total reward | params | MFLOPs | seeds |")
        print("|---|---:|---:|---:|---:|---:|")
        row_line(f"found (soft forward) `{r['arch_id'][:12]}`", r)
        for b in (x for x in soft["summary"]["rows"] if x["kind"] == "baseline"):
            row_line(b["label"], b)
        print()

    print("### The paper's claims, judged here\n")
    print("| claim of the paper (its budget) | rule applied here | here | verdict |")
    print("|---|---|---|---|")
    for game, (budget, found, results, distill_vs_plain) in sorted(claims.items()):
        key = next((k for k in results if k[0] == "distilled" and "resnet20" in k[1]), None)
        if key:
            text, verdict, b = results[key]
            flops = [r["flops"] for _, r in found["distilled"] if r.get("flops")]
            fewer = flops and b.get("flops") and statistics.fmean(flops) < b["flops"]
            if not fewer:
                claim = "not reproduced"
            else:
                claim = {"better": "reproduced", "worse": "not reproduced"}.get(verdict, "inconclusive")
            print(f"| A2D finds agents with fewer FLOPs at a comparable or better score than ResNet-20 (Figure 3, 2e7 "
                  f"steps) | fewer mean FLOPs, and found - ResNet-20 (both distilled): better = reproduced, worse = not "
                  f"reproduced, else inconclusive (\"comparable\" would need an equivalence test with a stated margin) | "
                  f"{game}: {fmt(statistics.fmean(flops) / 1e6 if flops else None)} vs "
                  f"{fmt(b['flops'] / 1e6 if b.get('flops') else None)} MFLOPs; {text} | {claim} at {budget:,} steps |")
        text, verdict = distill_vs_plain
        print(f"| distillation improves the found agent (Figure 2, 2e7 steps) | found (distilled) - found (plain), "
              f"Welch over the searches: better = reproduced | {game}: {text} | {judged(verdict)} at {budget:,} steps |")
    if ablation:
        verdicts = [v[1] for v in ablation.values()]
        if all(v == "better" for v in verdicts):
            claim = "reproduced"
        elif any(v == "worse" for v in verdicts):
            claim = "not reproduced"
        else:
            claim = "inconclusive"
        print("| distilling actor and critic beats none, actor only and a reused critic (Table 2) | actor + critic MSE "
              "better than each (Welch, Hsu's df, 3 seeds each) | " +
              "; ".join(f"vs {k}: {v[0]}" for k, v in ablation.items()) + f" | {claim} |")
    if lambdas:
        flops = [(lam, (summary_row(e, "found") or {}).get("flops")) for lam, _, e in lambdas]
        mono = all(a[1] is not None and b[1] is not None and b[1] <= a[1] for a, b in zip(flops, flops[1:]))
        print("| a larger lambda finds agents with fewer FLOPs (Section 4.4; the score it costs is in the lambda table) | the found FLOPs do not increase with lambda | " +
              ", ".join(f"lambda {lam:g}: {fmt(f / 1e6 if f else None)} MFLOPs" for lam, f in flops) +
              f" | {'reproduced' if mono else 'not reproduced'} |")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("rl-darts", "a2d"):
        sys.exit(__doc__)
    {"rl-darts": rl_darts, "a2d": a2d}[sys.argv[1]](sys.argv[2])
