#!/usr/bin/env python3
"""The nas-for-rl-agents Table 1 / Figure 4 analog on MinAtar, from committed exports.

    python3 bench/table1_summary.py bench/results/nas-rl-table1

Reads every `rlnas runs export` file (*.json or *.json.gz) of the folder (bench/nas_rl_table1.sh
runs the experiments; bench/export_results.py exports them) and prints Markdown, per (game, space):
the tabular benchmark (the grid search's trainings, each architecture's figures averaged over its
training seeds), the hand-designed baselines, random search's expected best-of-3, SPOS and ENAS over
their search seeds, every comparison with a Student's t 95% interval, the picks' ranks in the
benchmark, the rank correlation of each strategy's proxy with the benchmark, a histogram of the
benchmark with the picks marked, and the search cost.

One selection rule throughout (rlnas summary.h): architectures are picked by *reward mean* (mean
return of the last 100 training episodes) and reported on *total reward* (mean return of the final
policy's evaluation episodes). Random search's best-of-3 is exact: the expectation over all
C(n, 3) draws of the benchmark's architectures of the total reward of each draw's best by reward
mean (no resampling). Standard library only; deterministic.
"""
import json
import math
import statistics
import sys
from collections import defaultdict
from datetime import datetime

from exports import read_exports, t975

SUMMARY_SCHEMAS = (2,)  # summaries under the one selection rule


def load(folder):
    return [e for _, e in read_exports(folder)]


def mean_std(values):
    if not values:
        return "-"
    s = statistics.pstdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):.2f} ± {s:.2f}"


def interval(diffs, what="searches"):
    """Mean difference with Student's t 95% interval and its verdict; none below 3 values."""
    if not diffs:
        return "-"
    m = statistics.fmean(diffs)
    if len(diffs) < 3:
        return f"{m:+.2f} (fewer than 3 {what}: no interval)"
    half = t975(len(diffs) - 1) * statistics.stdev(diffs) / math.sqrt(len(diffs))
    verdict = "not significant" if m - half <= 0 <= m + half else ("better" if m > 0 else "worse")
    return f"{m:+.2f} [{m - half:+.2f}, {m + half:+.2f}], {verdict}"


def ranks(values):
    """Ranks 1..n (1 = largest), ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(x, y):
    rx, ry = ranks(x), ranks(y)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    if sx == 0 or sy == 0:
        return float("nan")
    return sum((a - mx) * (b - my) for a, b in zip(rx, ry)) / (sx * sy)


def best_of_k(items, k):
    """Random search's best-of-k under the rule, exact: mean and std of the pick's total reward."""
    n = len(items)
    if n < k:
        return None
    order = sorted(items, key=lambda v: -v["reward"])
    total = math.comb(n, k)
    probs = [math.comb(n - 1 - i, k - 1) / total for i in range(n)]
    mean = sum(p * v["total"] for p, v in zip(probs, order))
    sel = sum(p * v["reward"] for p, v in zip(probs, order))
    var = sum(p * (v["total"] - mean) ** 2 for p, v in zip(probs, order))
    return {"reward": sel, "total": mean, "total_std": math.sqrt(var)}


def choices_key(arch):
    return json.dumps(arch.get("choices", arch), sort_keys=True)


def ts(text):
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")


def benchmark_of(grid):
    """Per architecture: reward mean and total reward averaged over its done seeds, seeds, wall."""
    per = defaultdict(list)
    for t in grid["trials"]:
        if t["role"] != "benchmark" or t["status"] != "done":
            continue
        per[t["arch_id"]].append(t)
    out = {}
    for arch_id, ts_ in per.items():
        out[arch_id] = {
            "arch": ts_[0]["architecture"],
            "reward": statistics.fmean(t["metrics"]["train_return_mean"] for t in ts_),
            "total": statistics.fmean(t["metrics"]["eval_return_mean"] for t in ts_),
            "seeds": sorted(t["seed"] for t in ts_),
            "wall": [t["wall_seconds"] for t in ts_],
        }
    return out


def main(folder):
    groups = defaultdict(lambda: {"grid": None, "searches": defaultdict(list)})
    for e in load(folder):
        ex = e["experiment"]
        if ex["kind"] != "search":
            continue
        cfg = ex["config"]
        key = (cfg["train"]["env"], cfg["search"]["search.space"])
        summary = e.get("summary")
        if summary and summary.get("schema_version") not in SUMMARY_SCHEMAS:
            sys.exit(f"{e['file']}: summary schema_version {summary.get('schema_version')}, this script reads "
                     f"{SUMMARY_SCHEMAS}")
        e["final"] = bool(summary and summary.get("final") and summary.get("status") == "done")
        strategy = cfg["search"]["search.strategy"]
        if strategy == "grid":
            groups[key]["grid"] = e
        else:
            groups[key]["searches"][strategy].append(e)

    for (env, space), g in sorted(groups.items()):
        print(f"### {env}, {space}\n")
        grid = g["grid"]
        some = grid or next(iter(sum(g["searches"].values(), [])))
        cfg = some["experiment"]["config"]
        seeds = cfg["search"]["search.seeds"]
        steps = cfg["train"]["steps"]
        bench = benchmark_of(grid) if grid else {}
        full = {k: v for k, v in bench.items() if len(v["seeds"]) == seeds}
        print(f"Budget: {steps:,} environment steps per training (PPO, preset `{cfg['train'].get('preset', '')}`), "
              f"supernets {cfg['search']['search.steps'] or steps:,} steps; {seeds} training seeds "
              f"({cfg['train']['seed']}-{cfg['train']['seed'] + seeds - 1}) per architecture; total reward over "
              f"{cfg['search']['search.eval_episodes']} evaluation episodes per training.")
        if grid and not grid["final"]:
            print(f"\n**The tabular benchmark is not finished** ({len(full)} architectures with all {seeds} seeds "
                  f"in `{grid['file']}`); the rows below use those only.")
        print()

        # Baselines: the finished grid's summary rows.
        baselines = []
        if grid and grid["final"]:
            baselines = [r for r in grid["summary"]["rows"] if r["kind"] == "baseline"]
        rnd = best_of_k(list(full.values()), 3)
        # rlnas computed the same exact row in each finished search's summary (summary.cpp,
        # random_search_row): the two implementations must agree once the benchmark is complete.
        if rnd and grid and grid["final"]:
            for s in sum(g["searches"].values(), []):
                row = next((r for r in (s["summary"] or {}).get("rows", []) if r["kind"] == "random"), None)
                if s["final"] and row and abs(row["total_reward"] - rnd["total"]) > 1e-6:
                    sys.exit(f"{s['file']}: rlnas's random-search row {row['total_reward']} differs from this "
                             f"script's exact best-of-3 {rnd['total']}")
        nature = next((r for r in baselines if r["arch_id"] in full), None)

        print("| | reward mean | total reward | n |")
        print("|---|---:|---:|---:|")
        if full:
            best = max(full.values(), key=lambda v: v["reward"])
            print(f"| tabular benchmark: its best by reward mean | {best['reward']:.2f} | {best['total']:.2f} | "
                  f"{len(full)} architectures |")
            print(f"| tabular benchmark: mean of all | {statistics.fmean(v['reward'] for v in full.values()):.2f} | "
                  f"{statistics.fmean(v['total'] for v in full.values()):.2f} | {len(full)} architectures |")
        if rnd:
            print(f"| random search: expected best-of-3 ± std (exact, picked by reward mean) | {rnd['reward']:.2f} | "
                  f"{rnd['total']:.2f} ± {rnd['total_std']:.2f} | all C({len(full)}, 3) draws |")
        for r in baselines:
            print(f"| baseline `{r['label']}` (mean ± std over seeds) | {r['reward_mean']:.2f} ± "
                  f"{r['reward_mean_std']:.2f} | {r['total_reward']:.2f} ± {r['total_reward_std']:.2f} | "
                  f"{r['seeds']} seeds |")
        found = {}
        for strategy in ("spos", "enas"):
            done = sorted((s for s in g["searches"].get(strategy, []) if s["final"]),
                          key=lambda s: s["experiment"]["config"]["search"]["search.seed"])
            found[strategy] = [(s, next(r for r in s["summary"]["rows"] if r["kind"] == "found")) for s in done]
            rows = [f for _, f in found[strategy]]
            print(f"| {strategy.upper()}: found architecture (mean ± std over searches) | "
                  f"{mean_std([f['reward_mean'] for f in rows])} | {mean_std([f['total_reward'] for f in rows])} | "
                  f"{len(rows)} searches |")

        print("\nComparisons on total reward, each search's found architecture (mean over its training seeds) "
              "minus the other, Student's t 95% interval over search seeds (\"not significant\": the interval "
              "contains 0):\n")
        for strategy in ("spos", "enas"):
            rows = [f for _, f in found[strategy]]
            if rnd:
                print(f"- {strategy.upper()} - random search's expected best-of-3: "
                      f"{interval([f['total_reward'] - rnd['total'] for f in rows])}")
            for b in baselines:
                print(f"- {strategy.upper()} - `{b['label']}`: {interval([f['total_reward'] - b['total_reward'] for f in rows])}")
        # Within each search: found - random search, paired by training seed (rlnas's own comparison).
        verdicts = defaultdict(lambda: defaultdict(int))
        for strategy in ("spos", "enas"):
            for s, _ in found[strategy]:
                for c in s["summary"].get("comparisons", []):
                    if c["b"].startswith("random search"):
                        verdict = c["verdict"].replace(c["a"], "found").replace(c["b"], "random search")
                        verdicts[strategy][verdict] += 1
        if any(verdicts.values()):
            print(f"\nWithin each search (rlnas's summary: found - random search, paired by the {seeds} training "
                  "seeds): " + "; ".join(f"{k.upper()} " + ", ".join(f"{n} {v}" for v, n in sorted(d.items()))
                                         for k, d in verdicts.items()) + ".")

        if full:
            order_total = sorted(full, key=lambda k: -full[k]["total"])
            order_reward = sorted(full, key=lambda k: -full[k]["reward"])
            print(f"\nPicks (Figure 4): each search's found architecture, its rank in the benchmark by total reward "
                  f"and by reward mean (1 = best of {len(full)}), and the Spearman correlation of the search's proxy "
                  "over all architectures with the benchmark's total reward:\n")
            print("| strategy | search seed | found | rank (total reward) | rank (reward mean) | proxy | Spearman |")
            print("|---|---:|---|---:|---:|---|---:|")
            rhos = defaultdict(list)
            for strategy in ("spos", "enas"):
                for s, f in found[strategy]:
                    seed = s["experiment"]["config"]["search"]["search.seed"]
                    rt = order_total.index(f["arch_id"]) + 1 if f["arch_id"] in full else "-"
                    rr = order_reward.index(f["arch_id"]) + 1 if f["arch_id"] in full else "-"
                    proxy = next((x["payload"] for x in reversed(s["snapshots"]) if x["kind"] == "proxy_scores"), None)
                    rho_text, name = "-", s["summary"].get("proxy_name", "")
                    if proxy:
                        by_choice = {choices_key(v["arch"]): v for v in full.values()}
                        pairs = [(p["proxy"], by_choice[choices_key(p["arch"])]["total"]) for p in proxy["scores"]
                                 if choices_key(p["arch"]) in by_choice]
                        if len(pairs) >= 3:
                            rho = spearman([a for a, _ in pairs], [b for _, b in pairs])
                            rhos[strategy].append(rho)
                            rho_text = f"{rho:+.2f}"
                    print(f"| {strategy.upper()} | {seed} | `{choices_key(f['arch'])}` | {rt} | {rr} | {name} | "
                          f"{rho_text} |")
            if rhos:
                print("\nSpearman correlation of proxy and benchmark over search seeds (mean, t 95% interval): " +
                      "; ".join(f"{k.upper()} {interval(v)}" for k, v in rhos.items()) + ".")

            # Histogram of the benchmark's total reward with the picks marked.
            lo = min(v["total"] for v in full.values())
            hi = max(v["total"] for v in full.values())
            bins = 8
            width = (hi - lo) / bins if hi > lo else 1.0

            def bin_of(x):
                return min(bins - 1, int((x - lo) / width)) if hi > lo else 0

            counts = [0] * bins
            marks = defaultdict(lambda: defaultdict(int))
            for v in full.values():
                counts[bin_of(v["total"])] += 1
            for strategy in ("spos", "enas"):
                for _, f in found[strategy]:
                    if f["arch_id"] in full:
                        marks[bin_of(full[f["arch_id"]]["total"])][strategy.upper()] += 1
            if nature:
                marks[bin_of(full[nature["arch_id"]]["total"])]["Nature analog"] += 1
            print("\nHistogram of the benchmark's total reward (architectures per bin; searches' picks and the "
                  "Nature-CNN analog marked, with counts):\n")
            print("| total reward | architectures | marks |")
            print("|---|---:|---|")
            for i in range(bins):
                m = ", ".join(f"{k} x{n}" for k, n in sorted(marks[i].items()))
                print(f"| {lo + i * width:.2f} – {lo + (i + 1) * width:.2f} | {counts[i]} | {m} |")

            # Search cost: supernet training + selection against one from-scratch training.
            walls = [w for v in full.values() for w in v["wall"]]
            print(f"\nSearch cost against one from-scratch training of {steps:,} steps (mean over the benchmark's "
                  f"{len(walls)} trainings: {statistics.fmean(walls):.0f} s wall-clock):\n")
            print("| strategy | supernet training s | selection s | (supernet + selection) / one training |")
            print("|---|---:|---:|---:|")
            for strategy in ("spos", "enas"):
                train_s, select_s = [], []
                for s, _ in found[strategy]:
                    t = next((x for x in s["trials"] if x["role"] == "train" and x["status"] == "done"), None)
                    p = next((x for x in s["snapshots"] if x["kind"] == "proxy_scores"), None)
                    if t is None or p is None:
                        continue
                    train_s.append(t["wall_seconds"])
                    select_s.append(max(0.0, (ts(p["created_at"]) - ts(t["updated_at"])).total_seconds()))
                if train_s:
                    total = statistics.fmean(train_s) + statistics.fmean(select_s)
                    print(f"| {strategy.upper()} | {mean_std(train_s)} | {mean_std(select_s)} | "
                          f"{total / statistics.fmean(walls):.2f}x |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/nas-rl-table1")
