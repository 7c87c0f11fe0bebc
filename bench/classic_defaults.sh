#!/usr/bin/env bash
# The defaults benchmark: each algorithm with its default settings (no preset, no tuning; the
# network is the algorithm's default for vector observations, docs/training.md) on the classic
# tasks its action space fits, over seeds 1-3 at CleanRL's budget for ppo.py and dqn.py (500k
# steps), greedy and stochastic final evaluations. SAC is left out: CleanRL's budget for it is 1M
# steps of one update per step, hours on 2 cores. Runs go to out/defaults/<algo>-<task>-s<seed>;
# finished runs are skipped (re-run after an interruption). Two runs at a time. Summary (the table
# of docs/benchmarks.md, and its data):
#   /usr/bin/python3 bench/defaults_summary.py out/defaults --json > bench/data/defaults.json
# Usage: bench/classic_defaults.sh [RLNAS_BINARY] [algo/task ...]   e.g. ppo/cartpole dqn/acrobot
set -euo pipefail
bin=${1:-build/bin/rlnas}
shift || true
items=("$@")
if [ ${#items[@]} -eq 0 ]; then
  for t in cartpole acrobot mountain_car pendulum; do items+=("ppo/$t" "a2c/$t"); done
  for t in cartpole acrobot mountain_car; do items+=("dqn/$t"); done
fi
run() {
  local algo=$1 task=$2 seed=$3 dir=out/defaults/$1-$2-s$3
  if [ -f "$dir/eval.json" ] && [ -s "$dir/eval-stochastic.json" ]; then echo "$algo $task seed $seed: done"; return; fi
  rm -rf "$dir"
  "$bin" --threads 1 --store '' train --env "classic/$task" --algo "$algo" --steps 500000 --seed "$seed" \
    --set eval.episodes=100 --set eval.greedy=true --out "$dir" --quiet | grep -E "evaluation" | sed "s/^/$algo $task seed $seed: /"
  "$bin" --threads 1 eval --run "$dir" --episodes 100 --json > "$dir/eval-stochastic.json"
}
running=0
for item in "${items[@]}"; do
  for seed in 1 2 3; do
    run "${item%%/*}" "${item##*/}" "$seed" &
    running=$((running + 1))
    if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
  done
done
wait
