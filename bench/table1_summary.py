#!/usr/bin/env python3
"""The nas-for-rl-agents Table 1 / Figure 4 analog on MinAtar, from committed exports.

    python3 bench/table1_summary.py bench/results/nas-rl-table1

Every statistic comes from `rlnas compare --json` over the folder's `rlnas runs export` files
(bench/nas_rl_table1.sh runs the experiments; bench/export_results.py exports them): whether the
benchmark separates architectures, the tabular benchmark, random search's exact best-of-3, the
baselines, SPOS and ENAS over their search seeds, every comparison with its method, interval, p
and verdict, the picks' ranks, the proxies' rank correlation with the benchmark, what the searches
learned and their warnings, and the aggregate over the two games. This script only formats them,
and adds from the exports what is not a statistic: the budget line, a histogram of the benchmark
with the picks marked, and the search cost. Standard library only; deterministic.
"""
import glob
import json
import os
import statistics
import sys
from collections import defaultdict
from datetime import datetime

from exports import compare, interval_text, learning_text, protocol_rows, read_exports, separated


def ts(text):
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")


def choices(arch):
    return json.dumps(arch, sort_keys=True)


def sd_text(mean, sd):
    return f"{mean:.2f} ± {sd:.2f}"


def rank_text(r):
    return "-" if r is None else (f"{r:.0f}" if r == int(r) else f"{r:.1f}")


def label(name):
    return name.upper() if name in ("spos", "enas") else name


def main(folder):
    files = sorted(glob.glob(os.path.join(folder, "*.json")) + glob.glob(os.path.join(folder, "*.json.gz")))
    study = compare(files)
    entries = {(e["experiment"]["id"], e["file"]): e for _, e in read_exports(folder)}
    by_id = defaultdict(list)
    for (i, _), e in entries.items():
        by_id[i].append(e)

    def entry(exp_id, env):
        return next(e for e in by_id[exp_id] if e["experiment"]["config"]["train"]["env"] == env)

    for env in study["environments"]:
        name = env["env"]
        print(f"### {name}, {env['space']}\n")
        some = next(e for e in entries.values() if e["experiment"]["config"]["train"]["env"] == name)
        cfg = some["experiment"]["config"]
        seeds = cfg["search"]["search.seeds"]
        steps = cfg["train"]["steps"]
        print(f"Budget: {steps:,} environment steps per training (PPO, preset `{cfg['train'].get('preset', '')}`), "
              f"supernets {cfg['search']['search.steps'] or steps:,} steps; {seeds} training seeds "
              f"({cfg['train']['seed']}-{cfg['train']['seed'] + seeds - 1}) per architecture; total reward over "
              f"{cfg['search']['search.eval_episodes']} evaluation episodes per training. ± is the sample standard "
              "deviation (n - 1).\n")
        b = env["benchmark"]
        sep = b["separation"] if b else None
        if sep:
            rc = ", ".join(f"{r:+.2f}" for r in sep["seed_rank_correlations"])
            print(f"**Does the benchmark separate architectures?** One-way ANOVA of total reward over the "
                  f"{b['architectures']} architectures x their training seeds: F({sep['df_between']:.0f}, "
                  f"{sep['df_within']:.0f}) = {sep['f']:.2f}, p = {sep['p']:.2f}; intraclass correlation ICC(1) = "
                  f"{sep['icc1']:.2f}, reliability of a {sep['seeds_per_architecture']:.0f}-seed mean "
                  f"{sep['icc_mean']:.2f}; rank correlation of the architectures between training seeds {rc}; the "
                  f"smallest difference between two architectures this design detects with 80% power: "
                  f"{sep['mde']:.2f}; on ranks, Kruskal-Wallis H = {sep['kruskal_h']:.1f}, p = {sep['kruskal_p']:.2f}. "
                  f"So {sep['statement']}.\n")

        print("| | reward mean | total reward | n |")
        print("|---|---:|---:|---:|")
        caveat = "" if not sep or separated(sep) else " (not separated from the rest)"
        for row in protocol_rows(env, "reward mean", caveat, label):
            print(row)

        print(f"\nComparisons on total reward (a - b, 95% interval, p, Holm's p over the {env['holm']['family']} "
              "comparisons of this game; \"inconclusive\" unless the interval excludes 0 and Holm's p < 0.05). "
              "Against random search: randomization test against the benchmark's exact best-of-3 (each search's "
              "found architecture is its mean over the 3 training seeds); SPOS against ENAS: Welch's t over the "
              "searches; against a baseline: Welch's t with Hsu's conservative degrees of freedom, the searches "
              "against the baseline's own 3 training seeds (its noise included, whatever the two spreads). \"detectable\": the smallest true difference the design finds with 80% "
              "power.\n")
        for c in env["comparisons"]:
            a, bname = label(c["a"]), c["b"]
            if c["kind"] in ("arm_vs_baseline", "baseline_vs_baseline"):
                bname = f"`{bname}`"
            if c["kind"] == "baseline_vs_baseline":
                a = f"`{c['a']}`"
            if c["kind"] == "arm_vs_arm":
                bname = label(bname)
            det = f"; detectable {c['mde']:.2f}" if c["mde"] is not None else ""
            print(f"- {a} - {bname}: {interval_text(c)}{det}")

        print("\nHow much the searches learned (each search's summary; mean over the searches) and the warnings "
              "rlnas stored with them:\n")
        for a in env["arms"]:
            figures = learning_text(a, 2)
            print(f"- {label(a['name'])}: {figures or 'no figures'}")
            for w in a["warnings"]:
                print(f"  - warning ({w['searches']} of {a['searches']} searches): {w['warning']}")

        if b:
            print(f"\nPicks (Figure 4): each search's found architecture, its rank in the benchmark by total reward "
                  f"and by reward mean (1 = best of {b['architectures']}, ties share their average rank), the "
                  "probability that random search's best-of-3 does at least as well on total reward, and the "
                  "Spearman correlation of the search's proxy over all architectures with the benchmark's total "
                  "reward:\n")
            print("| strategy | search seed | found | total reward | rank (total reward) | rank (reward mean) | "
                  "P(random best-of-3 ≥) | proxy | Spearman |")
            print("|---|---:|---|---:|---:|---:|---:|---|---:|")
            for a in env["arms"]:
                for p in sorted(a["picks"], key=lambda p: p["search_seed"]):
                    rho = p["proxy_rank_correlation"]
                    print(f"| {label(a['name'])} | {p['search_seed']} | `{choices(p['arch'])}` | {p['test']:.2f} | "
                          f"{rank_text(p['rank_test'])} | {rank_text(p['rank_selection'])} | "
                          f"{p.get('p_random_at_least', 0):.2f} | {p['proxy']} | "
                          f"{'-' if rho is None else f'{rho:+.2f}'} |")
            rhos = [f"{label(a['name'])} {interval_text(a['proxy_rank_correlation'])}"
                    for a in env["arms"] if a["proxy_rank_correlation"]]
            if rhos:
                print("\nSpearman correlation of proxy and benchmark, mean over search seeds (t 95% interval over "
                      "the searches): " + "; ".join(rhos) + ".")
            if sep and not separated(sep):
                print("\nThe benchmark does not separate architectures at this budget: the ranks above, and a "
                      "proxy's correlation with them, mostly measure training noise.")

            # Histogram of the benchmark's total reward with the picks marked.
            archs = b["architectures_figures"]
            lo, hi = min(x["test"] for x in archs), max(x["test"] for x in archs)
            bins = 8
            width = (hi - lo) / bins if hi > lo else 1.0

            def bin_of(x):
                return min(bins - 1, int((x - lo) / width)) if hi > lo else 0

            counts = [0] * bins
            marks = defaultdict(lambda: defaultdict(int))
            test_of = {x["arch_id"]: x["test"] for x in archs}
            for x in archs:
                counts[bin_of(x["test"])] += 1
            for a in env["arms"]:
                for p in a["picks"]:
                    if p["arch_id"] in test_of:
                        marks[bin_of(test_of[p["arch_id"]])][label(a["name"])] += 1
            for bl in env["baselines"]:
                if bl["arch_id"] in test_of:
                    marks[bin_of(test_of[bl["arch_id"]])][f"`{bl['label']}`"] += 1
            print("\nHistogram of the benchmark's total reward (architectures per bin; searches' picks and the "
                  "baselines that are members of the space marked, with counts):\n")
            print("| total reward | architectures | marks |")
            print("|---|---:|---|")
            for i in range(bins):
                m = ", ".join(f"{k} x{n}" for k, n in sorted(marks[i].items()))
                print(f"| {lo + i * width:.2f} – {lo + (i + 1) * width:.2f} | {counts[i]} | {m} |")

            # Search cost: supernet training + selection against one from-scratch training.
            grid = entry(b["experiment"], name)
            walls = [t["wall_seconds"] for t in grid["trials"] if t["role"] == "benchmark" and t["status"] == "done"]
            print(f"\nSearch cost against one from-scratch training of {steps:,} steps (mean over the benchmark's "
                  f"{len(walls)} trainings: {statistics.fmean(walls):.0f} s wall-clock):\n")
            print("| strategy | supernet training s | selection s | (supernet + selection) / one training |")
            print("|---|---:|---:|---:|")
            for a in env["arms"]:
                train_s, select_s = [], []
                for i in a["experiments"]:
                    s = entry(i, name)
                    t = next((x for x in s["trials"] if x["role"] == "train" and x["status"] == "done"), None)
                    p = next((x for x in s["snapshots"] if x["kind"] == "proxy_scores"), None)
                    if t is None or p is None:
                        continue
                    train_s.append(t["wall_seconds"])
                    select_s.append(max(0.0, (ts(p["created_at"]) - ts(t["updated_at"])).total_seconds()))
                if train_s:
                    total = statistics.fmean(train_s) + statistics.fmean(select_s)
                    print(f"| {label(a['name'])} | {sd_text(statistics.fmean(train_s), statistics.stdev(train_s))} | "
                          f"{sd_text(statistics.fmean(select_s), statistics.stdev(select_s))} | "
                          f"{total / statistics.fmean(walls):.2f}x |")
        for n in env["notes"]:
            print(f"\nNote: {n}")
        print()

    agg = study["aggregate"]
    if agg:
        print("### Both games together\n")
        print("Aggregate figures of Agarwal et al. (2021, *Deep RL at the Edge of the Statistical Precipice*) "
              f"over {', '.join(agg['environments'])}, with 95% stratified bootstrap intervals "
              f"({agg['iqm'][0]['draws'] if agg['iqm'] else 0} resamples, runs resampled within each game). "
              f"Scores normalized {agg['normalization']}.\n")
        print("| | IQM of normalized total reward | 95% interval |")
        print("|---|---:|---|")
        for i in agg["iqm"]:
            n = label(i["name"]) if i["kind"] == "arm" else f"baseline `{i['name']}`"
            print(f"| {n} | {i['iqm']:.2f} | [{i['low']:.2f}, {i['high']:.2f}] |")
        print("\n| probability of improvement | P(a > b) | 95% interval |")
        print("|---|---:|---|")
        for p in agg["probability_of_improvement"]:
            print(f"| {label(p['a'])} over {label(p['b']) if p['b'] in ('spos', 'enas') else '`' + p['b'] + '`'} | "
                  f"{p['probability']:.2f} | [{p['low']:.2f}, {p['high']:.2f}] |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/nas-rl-table1")
