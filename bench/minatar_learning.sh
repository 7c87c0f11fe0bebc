#!/usr/bin/env bash
# Long learning benchmark on MinAtar (full action set, sticky 0.1, `minatar` net, 5M steps, seed 1):
# PPO (preset ppo.nas-rl) on Breakout, Space Invaders, Freeway, Asterix; Rainbow-style DQN
# (preset dqn.rainbow-minatar) on Breakout. Each run lives in out/learning/<algo>-<game>-s<seed>
# and resumes from its checkpoint when the script is started again. Prints a summary table at
# the end (bench/learning_summary.py style, from the run directories).
# Usage: bench/minatar_learning.sh [RLNAS_BINARY] [STEPS] [runs...]   e.g. runs: ppo:breakout dqn:breakout
set -euo pipefail
bin=${1:-build/bin/rlnas}
steps=${2:-5000000}
shift 2 || true
runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then
  runs=(ppo:breakout ppo:space_invaders ppo:freeway ppo:asterix dqn:breakout)
fi
for run in "${runs[@]}"; do
  algo=${run%%:*}
  game=${run##*:}
  dir=out/learning/$algo-$game-s1
  preset=ppo.nas-rl
  [ "$algo" = dqn ] && preset=dqn.rainbow-minatar
  if [ -f "$dir/eval.json" ]; then
    echo "$dir: done"
  elif [ -f "$dir/config.json" ]; then  # resumes, or restarts a run killed before its first checkpoint
    "$bin" --threads 1 train --resume "$dir" --quiet
  else
    "$bin" --threads 1 train --env "minatar/$game" --algo "$algo" --net minatar --preset "$preset" \
      --steps "$steps" --seed 1 --set eval.episodes=100 --out "$dir" --quiet
  fi
done
