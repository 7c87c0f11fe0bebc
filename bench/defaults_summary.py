#!/usr/bin/env python3
"""The defaults benchmark's table (docs/benchmarks.md) from its runs, or from its committed data.
Data: {algo: {task: {seed: figures}}} (runs named <algo>-<task>-s<seed>; older runs <task>-s<seed> are ppo's).

    /usr/bin/python3 bench/defaults_summary.py out/defaults --json > bench/data/defaults.json
    /usr/bin/python3 bench/defaults_summary.py bench/data/defaults.json     # the markdown table

Per task and seed: the training return (mean return of the last 100 training episodes, what CleanRL
reports: openrlbenchmark's last-100-episode average of charts/episodic_return, mean +- population
std over 3 seeds), the greedy final evaluation (100 episodes) and the stochastic one (100 episodes).
"""
import json
import os
import statistics
import sys

# CleanRL's documented ppo.py results, 500k steps, 3 seeds (docs/rl-algorithms/ppo.md, "Experiment
# results", tag pr-424): training episodic return, last 100 episodes, mean +- std over seeds.
CLEANRL = {("ppo", "cartpole"): "ppo.py: 490.04 ± 6.12", ("ppo", "acrobot"): "ppo.py: -86.36 ± 1.32",
           ("ppo", "mountain_car"): "ppo.py: -200.00 ± 0.00",
           ("ppo", "pendulum"): "none at 500k (ppo_continuous_action.py: -1141.98 ± 135.55 at 8M steps, rpo.md)"}
TASKS = ("cartpole", "acrobot", "mountain_car", "pendulum")


def collect(out):
    data = {}
    for name in sorted(os.listdir(out)):
        stem, seed = name.rsplit("-s", 1)
        algo, task = stem.split("-", 1) if stem.split("-", 1)[0] in ("ppo", "a2c", "dqn", "sac") else ("ppo", stem)
        d = os.path.join(out, name)
        lines = [json.loads(x) for x in open(os.path.join(d, "metrics.jsonl")) if x.strip()]
        train = next((x["return_mean"] for x in reversed(lines) if x.get("return_mean") is not None), None)
        greedy = json.load(open(os.path.join(d, "eval.json")))["mean"] if os.path.exists(os.path.join(d, "eval.json")) else None
        sp = os.path.join(d, "eval-stochastic.json")
        stochastic = json.load(open(sp))["mean"] if os.path.exists(sp) and os.path.getsize(sp) else None
        data.setdefault(algo, {}).setdefault(task, {})[seed] = {"steps": lines[-1]["step"] if lines else 0, "train_return": train,
                                           "greedy": greedy, "stochastic": stochastic}
    return data


def pm(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{statistics.fmean(values):.2f} ± {statistics.pstdev(values):.2f}"


def table(data):
    if data and set(data) <= set(TASKS):  # data of the first version: ppo's only
        data = {"ppo": data}
    print("| algo | task | training return (last 100 episodes) | greedy evaluation | stochastic evaluation | per seed (greedy) | CleanRL |")
    print("|---|---|---:|---:|---:|---|---|")
    for algo in ("ppo", "a2c", "dqn", "sac"):
        for task in TASKS:
            seeds = data.get(algo, {}).get(task, {})
            if not seeds:
                continue
            rows = [seeds[s] for s in sorted(seeds)]
            per = ", ".join(f"{r['greedy']:.1f}" if r["greedy"] is not None else "-" for r in rows)
            print(f"| {algo} | {task} | {pm([r['train_return'] for r in rows])} | {pm([r['greedy'] for r in rows])} | "
                  f"{pm([r['stochastic'] for r in rows])} | {per} | {CLEANRL.get((algo, task), '-')} |")


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else "out/defaults"
    data = json.load(open(src)) if src.endswith(".json") else collect(src)
    if "--json" in sys.argv:
        print(json.dumps(data, indent=1, sort_keys=True))
    else:
        table(data)
