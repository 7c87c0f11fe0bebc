#!/usr/bin/env bash
# Training-loop throughput of two rlnas builds, side by side on this machine: `rlnas bench train`
# (PPO, the minatar net, MinAtar Breakout, 8 envs x 128 steps, 10 timed iterations, --threads 1),
# alternating A and B for ROUNDS rounds so that both see the same machine state; prints every
# run and the medians, and B's median as a percentage of A's.
#
#   bash bench/train_side_by_side.sh OLD_RLNAS NEW_RLNAS [ROUNDS]
set -euo pipefail
a="$1"; b="$2"; rounds="${3:-7}"
args=(--threads 1 bench train --env minatar/breakout --algo ppo --net minatar --set ppo.num_envs=8 --iterations 10 --json)
ra=(); rb=()
for i in $(seq "$rounds"); do
  x=$("$a" "${args[@]}" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["steps_per_s"])')
  y=$("$b" "${args[@]}" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["steps_per_s"])')
  echo "round $i: A $x steps/s, B $y steps/s"
  ra+=("$x"); rb+=("$y")
done
/usr/bin/python3 - "${ra[*]}" "${rb[*]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]
b = [float(x) for x in sys.argv[2].split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"median A {ma:.0f} steps/s, B {mb:.0f} steps/s: B is {100 * mb / ma:.1f}% of A")
PY
