#!/usr/bin/env bash
# Environment throughput of all nine built-in environments on one thread, as a Markdown table.
# Usage: bench/env_throughput.sh [RLNAS_BINARY] (default build/bin/rlnas). Runs for ~1-2 minutes.
set -euo pipefail
bin=${1:-build/bin/rlnas}
envs="classic/cartpole classic/acrobot classic/mountain_car classic/pendulum minatar/breakout minatar/freeway minatar/asterix minatar/seaquest minatar/space_invaders"
echo "| environment | raw steps/s | VectorEnv(8) steps/s (with observation writing) |"
echo "|---|---:|---:|"
for env in $envs; do
  json=$("$bin" --threads 1 bench env --env "$env" --num-envs 8 --steps 2000000 --repeats 3 --json)
  raw=$(echo "$json" | sed -E 's/.*"raw_steps_per_s":([0-9.e+]+).*/\1/')
  vec=$(echo "$json" | sed -E 's/.*"vector_steps_per_s":([0-9.e+]+).*/\1/')
  awk -v e="$env" -v r="$raw" -v v="$vec" 'BEGIN { printf "| %s | %.1fM | %.1fM |\n", e, r / 1e6, v / 1e6 }'
done
