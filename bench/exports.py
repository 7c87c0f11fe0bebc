"""Reading `rlnas runs export` files (docs/store.md) for the scripts that print docs/results/."""
import glob
import gzip
import json
import os
import re
import subprocess
import sys


def read_exports(folder):
    """[(run name, experiment entry)] for every export file of the folder (*.json, *.json.gz), by
    file name; an entry gets "file" (its file's name). Exits naming a file that is not an export
    of format version 1."""
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json")) + glob.glob(os.path.join(folder, "*.json.gz"))):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            doc = json.load(f)
        if doc.get("format") != "rlnas-runs-export" or doc.get("version") != 1:
            sys.exit(f"{path}: not an rlnas runs export of version 1")
        name = re.sub(r"\.json(\.gz)?$", "", os.path.basename(path))
        for e in doc["experiments"]:
            e["file"] = os.path.basename(path)
            out.append((name, e))
    return out


COMPARE_SCHEMAS = (1,)  # the `rlnas compare --json` versions these scripts read


def rlnas_binary():
    """The rlnas executable the pages' statistics come from: $RLNAS_BIN, else build/bin/rlnas."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.environ.get("RLNAS_BIN") or os.path.join(root, "build", "bin", "rlnas")
    if not os.access(path, os.X_OK):
        sys.exit(f"{path}: no rlnas executable (build it: bash scripts/build; or set RLNAS_BIN)")
    return path


def compare(files, arms=(), baselines=True):
    """`rlnas compare --json` over export files: every statistic of the pages (no script computes an
    interval of its own). `arms`: (name, [experiment ids]) pairs for --arm; baselines=False leaves
    the references out (--no-baselines)."""
    argv = [rlnas_binary(), "--store", "", "compare", "--json", *files]
    if not baselines:
        argv.append("--no-baselines")
    for name, ids in arms:
        argv += ["--arm", f"{name}={','.join(str(i) for i in ids)}"]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"rlnas compare failed (exit {done.returncode}): {done.stderr.strip()}")
    study = json.loads(done.stdout)
    if study.get("schema_version") not in COMPARE_SCHEMAS:
        sys.exit(f"rlnas compare: schema_version {study.get('schema_version')}, these scripts read {COMPARE_SCHEMAS}")
    return study


def learning_text(arm, digits):
    """An arm's learning figures of `rlnas compare --json` ("figure mean ± sd; ..."), whole numbers
    without decimals, no "± sd" when the searches agree."""
    return "; ".join(
        f"{l['figure']} " + (f"{l['mean']:.0f}" if l["mean"] == int(l["mean"]) else f"{l['mean']:.{digits}f}")
        + (f" ± {l['sd']:.{digits}f}" if l["sd"] > 0 else "") for l in arm["learning"])


def interval_text(c):
    """A comparison of `rlnas compare --json` as the pages print it: effect [low, high], p, verdict."""
    text = f"{c['effect']:+.2f}"
    if c["low"] is not None:
        text += f" [{c['low']:+.2f}, {c['high']:+.2f}]"
    p = c["p"]
    if p is not None:
        text += f", p {'<0.001' if p < 0.001 else f'{p:.3f}'}"
        if c.get("p_holm") is not None and c["p_holm"] != p:
            text += f" (Holm {c['p_holm']:.3f})"
    text += f", {c['verdict']}"
    if c["verdict"] == "no interval" and c["note"]:
        text += f" ({c['note']})"
    return text
