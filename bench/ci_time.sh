#!/usr/bin/env bash
# What CI costs (docs/benchmarks.md, "Build and test time"): a clean clone of COMMIT, `bash .ci/run`
# in it (setup, clean build, every test), wall-clock timed; the clone's build/.ninja_log and the
# ctest output are copied to OUT_DIR for bench/build_time.py. Uses both cores for ~30 minutes:
# run it on an otherwise idle machine.
#
#   bash bench/ci_time.sh COMMIT OUT_DIR
#   e.g. bash bench/ci_time.sh HEAD bench/data/ci_time
set -euo pipefail
COMMIT=${1:?commit}
OUT=${2:?output folder}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
sha=$(git -C "$ROOT" rev-parse "$COMMIT")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$ROOT" "$work/rlnas"
git -C "$work/rlnas" checkout -q "$sha"
start=$(date +%s)
rc=0
(cd "$work/rlnas" && bash .ci/run) > "$work/ci.log" 2>&1 || rc=$?
wall=$(( $(date +%s) - start ))
cp "$work/rlnas/build/.ninja_log" "$OUT/ninja_log"
# ctest's part of the output: from its first "Test project" line on.
sed -n '/^Test project/,$p' "$work/ci.log" > "$OUT/ctest.log"
printf '{"commit": "%s", "exit_code": %d, "wall_seconds": %d, "nproc": %d, "date": "%s"}\n' \
  "$sha" "$rc" "$wall" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$OUT/run.json"
echo "ci_time: exit $rc, ${wall} s wall; $OUT"
exit $rc
