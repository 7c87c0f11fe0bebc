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
