"""Reading `rlnas runs export` files (docs/store.md) for the scripts that print docs/results/."""
import glob
import gzip
import json
import os
import re
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


# Student's t 0.975 quantiles by degrees of freedom (the values rlnas's core/stats.h tests check).
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 20: 2.086, 30: 2.042}


def t975(df):
    """The 0.975 quantile for df degrees of freedom (a smaller df's, so wider, between table entries)."""
    if df > 30:
        return 1.96
    return T975[max(k for k in T975 if k <= df)]
