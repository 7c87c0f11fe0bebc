#!/usr/bin/env bash
# The defaults benchmark: PPO with its default settings (no preset, no tuning; the network is the
# default for vector observations: separate 64-64 tanh actor and critic MLPs) on the four classic
# tasks over seeds 1-3 at CleanRL's budget for ppo.py (500k steps), greedy and stochastic final
# evaluations. Runs go to out/defaults/<task>-s<seed>; finished runs are skipped (re-run after an
# interruption). Two runs at a time. Summary (the table of docs/benchmarks.md, and its data):
#   /usr/bin/python3 bench/defaults_summary.py out/defaults > bench/data/defaults.json
# Usage: bench/classic_defaults.sh [RLNAS_BINARY] [task ...]
set -euo pipefail
bin=${1:-build/bin/rlnas}
shift || true
tasks=("$@")
if [ ${#tasks[@]} -eq 0 ]; then tasks=(cartpole acrobot mountain_car pendulum); fi
run() {
  local task=$1 seed=$2 dir=out/defaults/$1-s$2
  if [ -f "$dir/eval.json" ] && [ -f "$dir/eval-stochastic.json" ]; then echo "$task seed $seed: done"; return; fi
  rm -rf "$dir"
  "$bin" --threads 1 --store '' train --env "classic/$task" --algo ppo --steps 500000 --seed "$seed" \
    --set eval.episodes=100 --set eval.greedy=true --out "$dir" --quiet | grep -E "evaluation" | sed "s/^/$task seed $seed: /"
  "$bin" --threads 1 eval --run "$dir" --episodes 100 --json > "$dir/eval-stochastic.json"
}
jobs_running=0
for task in "${tasks[@]}"; do
  for seed in 1 2 3; do
    run "$task" "$seed" &
    jobs_running=$((jobs_running + 1))
    if [ "$jobs_running" -ge 2 ]; then wait -n; jobs_running=$((jobs_running - 1)); fi
  done
done
wait
