#!/usr/bin/env bash
# The Python bridge (docs/benchmarks.md, "Python environments"): its per-step overhead over the
# Python environment's own step(), measured with a no-op environment (tests/python/probe_envs.py
# NoOp), and PPO's training speed on the Python CartPole next to the C++ one. Writes OUT_JSON;
# bench/python_bridge_summary.py prints the table.
#
#   bash bench/python_bridge.sh RLNAS_BIN OUT_JSON [STEPS]
#   e.g. bash bench/python_bridge.sh build/bin/rlnas bench/data/python_bridge.json
set -euo pipefail
BIN=${1:?rlnas binary}
OUT=${2:?output JSON}
STEPS=${3:-200000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PYTHONPATH="$ROOT/tests/python${PYTHONPATH:+:$PYTHONPATH}"
PY=/usr/bin/python3   # the interpreter rlnas embeds (Debian's), with python3-numpy

# Python's own loop: NoOp.step(0) STEPS times, median of 3.
own=$("$PY" - "$STEPS" <<'PYEOF'
import statistics, sys, time
import probe_envs
n = int(sys.argv[1])
env = probe_envs.NoOp()
env.reset(seed=0)
times = []
for _ in range(3):
    t = time.perf_counter()
    for _ in range(n):
        env.step(0)
    times.append((time.perf_counter() - t) / n)
print(statistics.median(times) * 1e6)
PYEOF
)
# The same steps through rlnas: Env::step + write_observation per step (raw) and through a VectorEnv.
bridge=$("$BIN" bench env --env py:probe_envs:NoOp --steps "$STEPS" --repeats 3 --json)
ppo_py=$("$BIN" bench train --env py:cartpole_gym:CartPole --algo ppo --net mlp --iterations 20 --json)
ppo_cpp=$("$BIN" bench train --env classic/cartpole --algo ppo --net mlp --iterations 20 --json)
"$PY" - "$OUT" "$own" "$bridge" "$ppo_py" "$ppo_cpp" "$STEPS" <<'PYEOF'
import json, os, platform, sys
out, own, bridge, ppo_py, ppo_cpp, steps = sys.argv[1:]
doc = {"python_step_us": float(own), "bridge": json.loads(bridge), "ppo_python_cartpole": json.loads(ppo_py),
       "ppo_cpp_cartpole": json.loads(ppo_cpp), "steps": int(steps), "python": platform.python_version(),
       "machine": f"{os.cpu_count()} cores, {platform.machine()}"}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
print(json.dumps(doc))
PYEOF
