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


def separated(sep):
    """Whether a benchmark's separation figures (rlnas compare's) say its architectures differ: the
    one-way ANOVA or the rank test (Kruskal-Wallis; absent in summaries from before it)."""
    return sep["separates"] or sep.get("separates_by_rank", False)


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


def sd_text(mean, sd):
    """"mean ± sd", or the mean alone where there is no sd."""
    return f"{mean:.2f}" if sd is None else f"{mean:.2f} ± {sd:.2f}"


def protocol_rows(env, selection_name, caveat="", label=lambda name: name):
    """The rows of a page's table for one environment of `rlnas compare --json`: the benchmark's best
    by the selection metric and its mean, random search's exact best-of-K, each baseline, each arm's
    found architecture (selection figure, test figure, n)."""
    rows = []
    b = env["benchmark"]
    if b:
        best = b["best_by_selection"]
        rows.append(f"| tabular benchmark: its best by {selection_name}{caveat} | {best['selection']:.2f} | "
                    f"{best['test']:.2f} | {b['architectures']} architectures |")
        rows.append(f"| tabular benchmark: mean of all | {b['mean_selection']:.2f} | {b['mean_test']:.2f} | "
                    f"{b['architectures']} architectures |")
        for r in b["random_search"]:
            rows.append(f"| random search: expected best-of-{r['k']} ± sd over draws (exact, picked by "
                        f"{selection_name}) | {r['expected_selection']:.2f} | "
                        f"{sd_text(r['expected_test'], r['sd_test'])} | all C({b['architectures']}, {r['k']}) draws |")
    for bl in env["baselines"]:
        rows.append(f"| baseline `{bl['label']}` | {sd_text(bl['selection_mean'], bl['selection_sd'])} | "
                    f"{sd_text(bl['test_mean'], bl['test_sd'])} | {bl['seeds']} seeds |")
    for a in env["arms"]:
        rows.append(f"| {label(a['name'])}: found architecture | {sd_text(a['selection_mean'], a['selection_sd'])} | "
                    f"{sd_text(a['test_mean'], a['test_sd'])} | {a['searches']} searches |")
    return rows
