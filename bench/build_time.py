#!/usr/bin/env python3
"""What a clean build and the test suite cost, by target and by test label.

    /usr/bin/python3 bench/build_time.py DIR     # e.g. bench/data/ci_time

DIR holds what bench/ci_time.sh writes after a clean-clone `bash .ci/run`: ninja_log (the clean
build's build/.ninja_log), ctest.log (ctest's output: its "Label Time Summary" and "Total Test
time") and run.json (commit, exit code, wall-clock seconds of the whole .ci/run).
Compile and link times are CPU-seconds of each step (ninja runs two at a time on 2 cores, so
wall-clock is about half their sum). Standard library only.
"""
import json
import os
import re
import sys
from collections import defaultdict


def target_of(output):
    """The CMake target an output belongs to: X from '.../CMakeFiles/X.dir/...', else the file."""
    m = re.search(r"CMakeFiles/([^/]+)\.dir/", output)
    if m:
        return m.group(1)
    name = output.rsplit("/", 1)[-1]
    name = re.sub(r"\.(so|a)$", "", re.sub(r"^lib", "", name))
    return re.sub(r"\[\d+\]_tests\.cmake$", "", name)


def read_ninja_log(path):
    # One line per output; a step with several outputs (a link and its test list) writes a line
    # for each, with the same start, end and command hash: counted once.
    steps = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            start, end, _, output, command = line.rstrip("\n").split("\t")
            steps.setdefault((start, end, command), output)
    seconds = defaultdict(float)
    for (start, end, _), output in steps.items():
        seconds[target_of(output)] += (int(end) - int(start)) / 1000.0
    return seconds


def read_ctest_log(path):
    labels, total, count = {}, None, None
    in_labels = False
    with open(path) as f:
        for line in f:
            if line.startswith("Label Time Summary"):
                in_labels = True
                continue
            m = re.match(r"^(\S+)\s+=\s+([\d.]+) sec\*proc \((\d+) tests?\)", line)
            if in_labels and m:
                labels[m.group(1)] = (float(m.group(2)), int(m.group(3)))
                continue
            in_labels = in_labels and bool(line.strip())
            m = re.match(r"^Total Test time \(real\) =\s+([\d.]+) sec", line)
            if m:
                total = float(m.group(1))
            m = re.search(r"tests passed, (\d+) tests failed out of (\d+)", line)
            if m:
                count = int(m.group(2))
    return labels, total, count


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    with open(os.path.join(folder, "run.json")) as f:
        run = json.load(f)
    build = read_ninja_log(os.path.join(folder, "ninja_log"))
    labels, total, count = read_ctest_log(os.path.join(folder, "ctest.log"))
    cpu = sum(build.values())
    print(f"`bash .ci/run` on a clean clone of {run['commit'][:7]} ({run['date'][:10]}, {run['nproc']} cores): "
          f"exit {run['exit_code']}, {run['wall_seconds'] / 60:.1f} minutes wall-clock in all "
          f"(setup, build, tests).")
    print()
    print("| build target | CPU s | share |")
    print("|---|---:|---:|")
    for target, s in sorted(build.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"| {target} | {s:.1f} | {100 * s / cpu:.1f}% |")
    print(f"| **all** | **{cpu:.0f}** | 100% |")
    print()
    print("| test label | tests | CPU s |")
    print("|---|---:|---:|")
    for label, (s, n) in sorted(labels.items(), key=lambda kv: -kv[1][0]):
        print(f"| {label} | {n} | {s:.0f} |")
    print(f"| **all, wall-clock with -j 2** | **{count}** | **{total:.0f} s real** |")


if __name__ == "__main__":
    main()
