#!/usr/bin/env python3
"""Exports the experiments of a benchmark folder to committed result files.

    /usr/bin/python3 bench/export_results.py RLNAS_BIN OUT_DIR RESULT_DIR

OUT_DIR is a folder filled by a bench/*.sh script (its store OUT_DIR/rlnas.db; NAME.id files name
the search experiments run_search started; runs/NAME the trainings run_train started). Each
experiment becomes RESULT_DIR/NAME.json.gz (`rlnas runs export`: configuration, trials, summary,
curves thinned to 200 points, snapshots), written again on each call, so that experiments still
running are committed as they progress (an unfinished export says so: its status and its trials'
statuses). Run it while a benchmark runs and commit RESULT_DIR; `rlnas runs import` brings the files
back into a store, where the finished trials are cache hits.
"""
import glob
import json
import os
import subprocess
import sys


def main(rlnas, out, results):
    store = os.path.join(out, "rlnas.db")
    if not os.path.exists(store):
        sys.exit(f"no store at {store}")
    os.makedirs(results, exist_ok=True)
    names = {}
    for path in sorted(glob.glob(os.path.join(out, "*.id"))):
        with open(path) as f:
            text = f.read().strip()
        if text:
            names[int(text)] = os.path.basename(path)[:-3]
    listed = json.loads(subprocess.run([rlnas, "--store", store, "runs", "list", "--json"], check=True,
                                       capture_output=True, text=True).stdout)
    runs = os.path.join(os.path.abspath(out), "runs") + os.sep
    for e in listed:
        name = e["name"]
        if e["kind"] == "train" and os.path.abspath(name).startswith(runs):
            names.setdefault(e["id"], os.path.basename(name))
    for e in listed:
        if e["id"] not in names:
            print(f"experiment {e['id']} ({e['kind']}, {e['name']}): not started by the script, not exported")
            continue
        target = os.path.join(results, names[e["id"]] + ".json.gz")
        done = subprocess.run([rlnas, "--store", store, "runs", "export", str(e["id"]), "--out", target],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(done.stdout + done.stderr)
        print(f"{e['status']:8s} {done.stdout.strip()}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
