#!/usr/bin/env python3
"""Markdown tables of the nas-for-rl-agents Table 1 analog from an rlnas experiment store.

    python3 bench/table1_summary.py out/table1/rlnas.db [build/bin/rlnas]

Reads (never writes) the store filled by bench/nas_rl_table1.sh, through `rlnas runs list --json`
and `rlnas runs show ID --json` (experiments, trials, the summary with its schema_version, snapshot
times), not the SQLite file. Every row follows rlnas's one selection rule: picked by reward mean
(training returns), reported on total reward (evaluation episodes). Per (game, space) the tabular
benchmark (the grid search's trials), the hand-designed baselines, random search's expected
best-of-3 (from the searches' summaries), and SPOS / ENAS over their search seeds (the found
architecture's metrics, mean +- std over searches, ddof 0, and its difference from random search with
a Student's t interval over the searches), plus the benchmark histogram with the
NAS picks marked and the search-time measurement (supernet + selection vs one training).
"""
import json
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import datetime


def ts(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def pm(values):
    if not values:
        return "-"
    m = statistics.fmean(values)
    s = statistics.pstdev(values) if len(values) > 1 else 0.0
    return f"{m:.2f} ± {s:.2f}"


SUMMARY_SCHEMAS = (1, 2)  # the summary schema_versions this script reads (2: random row by the rule)

# Student's t 0.975 quantiles by degrees of freedom (the summaries' own intervals come from rlnas,
# core/stats.h; this is for the differences over search seeds computed here).
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}


def t975(df):
    """The 0.975 quantile for df degrees of freedom (a smaller df's, so wider, between table entries)."""
    if df > 30:
        return 1.96
    return T975[max(k for k in T975 if k <= df)]


def diff_ci(diffs):
    """Mean difference with Student's t 95% interval; none below 3 values (as rlnas's summaries)."""
    if not diffs:
        return "-"
    m = statistics.fmean(diffs)
    if len(diffs) < 3:
        return f"{m:+.2f} (fewer than 3 searches: no interval)"
    half = t975(len(diffs) - 1) * statistics.stdev(diffs) / len(diffs) ** 0.5
    verdict = "not significant" if m - half <= 0 <= m + half else ("better" if m > 0 else "worse")
    return f"{m:+.2f} [{m - half:+.2f}, {m + half:+.2f}] {verdict}"


def pick_by_selection(items):
    """The one selection rule (rlnas summary.h): the item with the best reward mean (training
    returns), reported on its total reward (evaluation episodes)."""
    return max(items, key=lambda v: v["reward"])


def rlnas_json(rlnas, store, *args):
    out = subprocess.run([rlnas, "--store", store, "--log-level", "error", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main(path, rlnas):
    groups = defaultdict(lambda: {"grid": None, "searches": defaultdict(list)})
    shown = {}
    for e in rlnas_json(rlnas, path, "runs", "list", "--json"):
        if e["kind"] != "search":
            continue
        s = shown[e["id"]] = rlnas_json(rlnas, path, "runs", "show", str(e["id"]), "--json")
        cfg = s["experiment"]["config"]
        env = cfg["train"]["env"]
        space = cfg["search"]["search.space"]
        strategy = cfg["search"]["search.strategy"]
        summary = s.get("summary")
        if summary and summary.get("schema_version", 1) not in SUMMARY_SCHEMAS:
            sys.exit(f"experiment {e['id']}: summary schema_version {summary['schema_version']}, "
                     f"this script reads {SUMMARY_SCHEMAS}")
        item = {"id": e["id"], "status": e["status"], "seed": cfg["search"]["search.seed"],
                "summary": summary if summary and summary["final"] else None, "config": cfg}
        if strategy == "grid":
            groups[(env, space)]["grid"] = item
        else:
            groups[(env, space)]["searches"][strategy].append(item)

    for (env, space), g in sorted(groups.items()):
        print(f"\n### {env}, {space}\n")
        grid = g["grid"]
        bench = {}
        if grid:
            for t in shown[grid["id"]]["trials"]:
                if t["status"] != "done":
                    continue
                m = t["metrics"]
                bench[t["arch_id"]] = {"role": t["role"], "arch": t["architecture"],
                                       "reward": m["train_return_mean"], "total": m["eval_return_mean"],
                                       "flops": t["flops"], "wall": t["wall_seconds"]}
        tab = {k: v for k, v in bench.items() if v["role"] == "benchmark"}
        cfg = (grid or next(iter(sum(g["searches"].values(), [])), None) or {}).get("config", {})
        if cfg:
            print(f"Budget: {cfg['train']['steps']:,} environment steps per training (PPO, preset "
                  f"`{cfg['train'].get('preset', '')}`), supernet {cfg['search']['search.steps'] or cfg['train']['steps']:,} "
                  f"steps; total reward over {cfg['search']['search.eval_episodes']} evaluation episodes; "
                  f"training seed {cfg['train']['seed']}.\n")
        print("| | reward mean | total reward | searches |")
        print("|---|---:|---:|---:|")
        if tab:
            rewards = [v["reward"] for v in tab.values()]
            totals = [v["total"] for v in tab.values()]
            best = pick_by_selection(list(tab.values()))
            print(f"| tabular benchmark: best of {len(tab)} by reward mean | {best['reward']:.2f} | {best['total']:.2f} | - |")
            print(f"| tabular benchmark: mean of {len(tab)} | {statistics.fmean(rewards):.2f} | "
                  f"{statistics.fmean(totals):.2f} | - |")
        random_row = None
        for items in g["searches"].values():
            for it in items:
                for r in (it["summary"] or {}).get("rows", []):
                    if r["kind"] == "random":
                        random_row = r
        if random_row:
            how = "exact, by reward mean" if random_row.get("selection") is not None else "1000 resamples, old rule"
            print(f"| random search, expected best-of-3 ± spread ({how}) | "
                  f"{random_row['reward_mean']:.2f} ± {random_row['reward_mean_std']:.2f} | "
                  f"{random_row['total_reward']:.2f} ± {random_row['total_reward_std']:.2f} | - |")
        elif tab:
            # No finished search yet: the same resampling here (Python's generator, not rlnas's).
            import random
            rng = random.Random(1)
            keys = list(tab)
            rb, tb = [], []
            for _ in range(1000):
                pick = pick_by_selection([tab[k] for k in rng.sample(keys, 3)])
                rb.append(pick["reward"])
                tb.append(pick["total"])
            print(f"| random search, expected best-of-3 ± spread (1000 resamples by reward mean, by this script) | "
                  f"{statistics.fmean(rb):.2f} ± {statistics.pstdev(rb):.2f} | "
                  f"{statistics.fmean(tb):.2f} ± {statistics.pstdev(tb):.2f} | - |")
        if grid and grid["summary"]:
            for r in grid["summary"]["rows"]:
                if r["kind"] == "baseline":
                    print(f"| baseline `{r['label']}` | {r['reward_mean']:.2f} | {r['total_reward']:.2f} | - |")
        picks = defaultdict(list)
        picks_vs_random = {}
        for strategy in ("enas", "spos"):
            items = [it for it in g["searches"].get(strategy, []) if it["summary"]]
            found = [next(r for r in it["summary"]["rows"] if r["kind"] == "found") for it in items]
            for f in found:
                picks[f["arch_id"]].append(strategy.upper())
            print(f"| {strategy.upper()} (found architecture, mean ± std over searches) | "
                  f"{pm([f['reward_mean'] for f in found])} | {pm([f['total_reward'] for f in found])} | {len(found)} |")
            if random_row and found:
                picks_vs_random[strategy] = [f["total_reward"] - random_row["total_reward"] for f in found]
        if picks_vs_random:
            print("\nFound minus random search's expected best-of-3 (total reward), over search seeds, Student's t "
                  "95% interval:\n")
            for strategy, diffs in picks_vs_random.items():
                print(f"- {strategy.upper()}: {diff_ci(diffs)}")
        # Every search's pick with its rank in the benchmark.
        if tab:
            order = sorted(tab, key=lambda k: -tab[k]["reward"])
            print("\nPicks (rank by reward mean among the benchmark's architectures, 1 = best):\n")
            for strategy in ("enas", "spos"):
                for it in sorted(g["searches"].get(strategy, []), key=lambda x: x["seed"]):
                    if not it["summary"]:
                        print(f"- {strategy.upper()} search seed {it['seed']}: not finished ({it['status']})")
                        continue
                    cands = [r for r in it["summary"]["rows"] if r["kind"] == "candidate"]
                    ranks = [order.index(c["arch_id"]) + 1 for c in cands if c["arch_id"] in order]
                    f = next(r for r in it["summary"]["rows"] if r["kind"] == "found")
                    rank = order.index(f["arch_id"]) + 1 if f["arch_id"] in order else "?"
                    print(f"- {strategy.upper()} search seed {it['seed']} (experiment {it['id']}): top-3 ranks "
                          f"{ranks}, found `{json.dumps(f['arch']['choices'], sort_keys=True)}` rank {rank}")
            # Histogram data (Figure 4 analog).
            lo, hi = min(v["reward"] for v in tab.values()), max(v["reward"] for v in tab.values())
            bins = 8
            width = (hi - lo) / bins if hi > lo else 1.0
            counts = [0] * bins
            marks = defaultdict(list)
            for k, v in tab.items():
                b = min(bins - 1, int((v["reward"] - lo) / width)) if hi > lo else 0
                counts[b] += 1
                if k in picks:
                    marks[b].extend(sorted(set(picks[k])))
            nature = next((k for k, v in bench.items() if v["role"] == "baseline" and k in tab), None)
            if grid and grid["summary"]:
                for r in grid["summary"]["rows"]:
                    if r["kind"] == "baseline" and r["arch_id"] in tab:
                        nature = r["arch_id"]
            if nature:
                b = min(bins - 1, int((tab[nature]["reward"] - lo) / width)) if hi > lo else 0
                marks[b].append("Nature analog")
            print("\nHistogram of the benchmark's reward mean (NAS picks marked):\n")
            print("| reward mean bin | architectures | marks |")
            print("|---|---:|---|")
            for i in range(bins):
                print(f"| {lo + i * width:.2f} – {lo + (i + 1) * width:.2f} | {counts[i]} | "
                      f"{', '.join(sorted(set(marks[i])))} |")
        # Search time vs one training.
        walls = [v["wall"] for v in tab.values()]
        if walls:
            print(f"\nSearch cost (mean one from-scratch training: {statistics.fmean(walls):.0f} s):\n")
            print("| strategy | supernet training s | selection s | search / one training |")
            print("|---|---:|---:|---:|")
            for strategy in ("enas", "spos"):
                train_s, select_s = [], []
                for it in g["searches"].get(strategy, []):
                    t = next((x for x in shown[it["id"]]["trials"]
                              if x["role"] == "train" and x["status"] == "done"), None)
                    s = next((x for x in shown[it["id"]]["snapshots"] if x["kind"] == "strategy_state"), None)
                    if t is None or s is None:
                        continue
                    train_s.append(t["wall_seconds"])
                    select_s.append(max(0.0, (ts(s["created_at"]) - ts(t["updated_at"])).total_seconds()))
                if train_s:
                    total = statistics.fmean(train_s) + statistics.fmean(select_s)
                    print(f"| {strategy.upper()} | {statistics.fmean(train_s):.0f} | {statistics.fmean(select_s):.0f} | "
                          f"{total / statistics.fmean(walls):.2f}x |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/table1/rlnas.db",
         sys.argv[2] if len(sys.argv) > 2 else "build/bin/rlnas")
