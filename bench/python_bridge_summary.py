#!/usr/bin/env python3
"""Prints the Python bridge's benchmark table (docs/benchmarks.md) from bench/python_bridge.sh's JSON.

    /usr/bin/python3 bench/python_bridge_summary.py bench/data/python_bridge.json
"""
import json
import sys


def main(path):
    with open(path) as f:
        d = json.load(f)
    own = d["python_step_us"]
    raw = 1e6 / d["bridge"]["raw_steps_per_s"]
    vec = 1e6 / d["bridge"]["vector_steps_per_s"]
    print(f"No-op Python environment, {d['steps']:,} steps per measurement, median of 3 (Python {d['python']}, "
          f"{d['machine']}):\n")
    print("| | microseconds per step | overhead over Python's own step() |")
    print("|---|---:|---:|")
    print(f"| Python calling `env.step(0)` in a loop | {own:.2f} | - |")
    print(f"| rlnas: `Env::step` + `write_observation` (bench env, raw) | {raw:.2f} | {raw - own:+.2f} |")
    print(f"| rlnas: through a `VectorEnv` of {d['bridge']['num_envs']} | {vec:.2f} | {vec - own:+.2f} |")
    target = 2.0
    verdict = "meets" if raw - own < target else "misses"
    print(f"\nThe bridge's overhead per step (raw) {raw - own:.2f} us {verdict} the target of under {target:g} us.\n")
    py, cpp = d["ppo_python_cartpole"], d["ppo_cpp_cartpole"]
    print("| PPO (`rlnas bench train`, mlp) | steps/s |")
    print("|---|---:|")
    print(f"| `classic/cartpole` (C++) | {cpp['steps_per_s']:,.0f} |")
    print(f"| `py:cartpole_gym:CartPole` (Python) | {py['steps_per_s']:,.0f} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
