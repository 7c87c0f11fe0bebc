#!/usr/bin/env python3
"""Writes the small benchmark extracts the statistics' calibration tests read (tests/data/benchmarks/).

    /usr/bin/python3 bench/benchmark_extract.py bench/results/nas-rl-table1/grid-freeway-minatar-ss1.json.gz \
        tests/data/benchmarks/minatar-freeway-ss1.json

From a tabular benchmark's export (a grid search, bench/nas_rl_table1.sh or bench/fashion_mnist.sh):
per architecture of the space and per baseline, each done training's seed, selection metric
(train_return_mean; images: validation_accuracy) and test metric (eval_return_mean; images:
test_accuracy), nothing else. Standard library only; deterministic.

The synthetic extract (tests/data/benchmarks/synthetic-ss1.json) comes from the synthetic
workload's grid with its default options:

    rlnas --store /tmp/s.db search --workload synthetic --space minatar/ss1 --seeds 3 --strategy grid
    rlnas --store /tmp/s.db runs export 1 --out /tmp/grid-synthetic-ss1.json.gz
"""
import json
import sys
from collections import defaultdict

from exports import read_exports


def main(source, target):
    import os
    entries = read_exports(os.path.dirname(source) or ".")
    name = os.path.basename(source)
    grid = [e for _, e in entries if e["file"] == name]
    if len(grid) != 1:
        sys.exit(f"{source}: expected one experiment, found {len(grid)}")
    e = grid[0]
    per = defaultdict(list)
    for t in e["trials"]:
        if t["status"] != "done" or t["role"] not in ("benchmark", "baseline"):
            continue
        key = (t["role"], json.dumps(t["architecture"].get("choices", t["architecture"]), sort_keys=True))
        per[key].append(t)
    train = e["experiment"]["config"]["train"]
    # The one rule's two metrics and what was trained on, by workload (an image benchmark: validation
    # and test accuracy on a dataset).
    workload = train.get("workload", "rl")
    selection, test = (("validation_accuracy", "test_accuracy") if workload == "supervised"
                       else ("train_return_mean", "eval_return_mean"))
    subject = {"synthetic": "synthetic", "supervised": train.get("supervised.dataset")}.get(workload, train.get("env"))
    out = {"source": os.path.basename(source),
           "env": subject,
           "space": e["experiment"]["config"]["search"]["search.space"],
           "steps": e["experiment"]["config"]["search"]["search.steps"] or train["steps"],
           "selection_metric": selection, "test_metric": test,
           "architectures": [], "baselines": []}
    for (role, arch), ts in sorted(per.items()):
        ts.sort(key=lambda t: t["seed"])
        row = {"arch": arch, "seeds": [t["seed"] for t in ts],
               "selection": [round(t["metrics"][selection], 6) for t in ts],
               "test": [round(t["metrics"][test], 6) for t in ts]}
        out["architectures" if role == "benchmark" else "baselines"].append(row)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
