#!/usr/bin/env python3
"""Summarises learning runs (run directories written by `rlnas train`) as a Markdown table.

Usage: bench/learning_summary.py RUN_DIR [RUN_DIR ...]
For each run: environment, algorithm, preset, steps done, the mean return of the last 100
training episodes at the end ("reward mean" of nas-for-rl-agents), the final evaluation
(mean +- std over its episodes), wall time and steps/s.
"""
import json
import os
import sys


def summarise(run):
    config = json.load(open(os.path.join(run, "config.json")))
    lines = [json.loads(l) for l in open(os.path.join(run, "metrics.jsonl")) if l.strip()]
    last = lines[-1] if lines else {}
    eval_path = os.path.join(run, "eval.json")
    ev = json.load(open(eval_path)) if os.path.exists(eval_path) else None
    return {
        "run": os.path.basename(run.rstrip("/")),
        "env": config["env"],
        "algo": config["algo"],
        "preset": config.get("preset", ""),
        "steps": last.get("step", 0),
        "budget": config["steps"],
        "train_return": last.get("return_mean"),
        "eval": ev,
        "hours": last.get("time", 0) / 3600.0,
        "sps": last.get("step", 0) / last["time"] if last.get("time") else 0,
    }


def main():
    print("| run | env | algo (preset) | steps | return, last 100 training episodes | final evaluation | wall time | steps/s |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for run in sys.argv[1:]:
        s = summarise(run)
        ev = "(running)" if s["eval"] is None else "%.2f +- %.2f (%d episodes)" % (
            s["eval"]["mean"], s["eval"]["std"], s["eval"]["episodes"])
        tr = "-" if s["train_return"] is None else "%.2f" % s["train_return"]
        print("| %s | %s | %s (%s) | %d / %d | %s | %s | %.2f h | %.0f |" % (
            s["run"], s["env"], s["algo"], s["preset"], s["steps"], s["budget"], tr, ev, s["hours"], s["sps"]))


if __name__ == "__main__":
    main()
