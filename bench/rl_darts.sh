#!/usr/bin/env bash
# RL-DARTS on MinAtar (docs/results/rl-darts.md): per game, darts searches over cell/micro with PPO
# (the supernet trained with alpha, the final discretized cell retrained from scratch over SEEDS
# training seeds against IMPALA-CNN and the minatar net), SEARCH_SEEDS search seeds; 3 random micro
# cells retrained the same way (the best of 3); on the first game the failure ablations of Appendix
# B, each over SEEDS seeds: alpha frozen at uniform (PPO at STEPS; Rainbow as in the paper's Figure
# 12, at ABLATION_STEPS), and the classic cells with / without ReLU (cell/classic vs
# cell/classic-linear supernets, ABLATION_STEPS; the slowest part: ~45 steps/s here, so last).
#
#   bash bench/rl_darts.sh RLNAS_BIN OUT_DIR [STEPS] [GAMES] [ABLATION_STEPS] [ARCH_LR] [SEEDS] [SEARCH_SEEDS]
#   e.g. bash bench/rl_darts.sh out/bin/rlnas out/rl-darts 100000 "breakout freeway" 50000 5e-3 3 3
#
# alpha's learning rate is 10x the preset's (5e-4) by default: at 100k steps PPO makes ~1,200
# updates, against ~300,000 in the paper's 25M-step searches. Export while it runs (and after):
#   /usr/bin/python3 bench/export_results.py RLNAS_BIN OUT_DIR bench/results/rl-darts
# Re-running continues: a finished step is skipped, an interrupted one resumed.
set -uo pipefail
BIN=${1:?rlnas binary}
OUT=${2:?output folder}
STEPS=${3:-100000}
GAMES=${4:-"breakout freeway"}
ABLATION_STEPS=${5:-50000}
ARCH_LR=${6:-5e-3}
SEEDS=${7:-3}
SEARCH_SEEDS=${8:-3}
mkdir -p "$OUT/runs"
STORE="$OUT/rlnas.db"
COMMON=(--preset ppo.rl-darts --steps "$STEPS" --seeds "$SEEDS" --set search.eval_episodes=50 --set arch.lr="$ARCH_LR"
        --set checkpoint_every=25000 --set log_every=2000)
source "$(dirname "$0")/search_lib.sh"

first=""
for game in $GAMES; do
  [ -z "$first" ] && first=$game
  # The random cells beside the first search (one core each); the baselines' trainings are shared
  # by every search of the game (cache hits after the first).
  JOBS=1 run_search "random-$game" --env "minatar/$game" --space cell/micro --strategy random --top-k 3 \
    --set search.baselines=none &
  for seed in $(seq 1 "$SEARCH_SEEDS"); do
    JOBS=1 run_search "darts-$game-$seed" --env "minatar/$game" --space cell/micro --strategy darts \
      --search-seed "$seed" --search-steps "$STEPS" --top-k 1 --set search.baselines=net:impala_cnn,net:minatar
  done
  wait
done

# Appendix B on the first game, supernet trainings only, SEEDS seeds each, two at a time.
ABL=(--env "minatar/$first" --preset ppo.rl-darts --set arch.lr="$ARCH_LR" --set checkpoint_every=25000
     --set log_every=2000 --set eval.episodes=50)
R=(--env "minatar/$first" --algo dqn --preset dqn.rainbow-minatar --steps "$ABLATION_STEPS" --space cell/micro
   --set net.mixed=softmax --set arch.temperature=10 --set arch.lr=2.5e-3 --set checkpoint_every=25000
   --set log_every=2000 --set eval.episodes=50)
for seed in $(seq 1 "$SEEDS"); do
  run_train "frozen-alpha-$first-s$seed" "${ABL[@]}" --seed "$seed" --steps "$STEPS" --space cell/micro \
    --set net.mixed=softmax --set arch.freeze=true &
  # Appendix B.2 as in the paper: micro cells + Rainbow (no noisy nets; T = 10), alpha trainable vs frozen.
  run_train "rainbow-trainable-alpha-$first-s$seed" "${R[@]}" --seed "$seed" &
  wait
  run_train "rainbow-frozen-alpha-$first-s$seed" "${R[@]}" --seed "$seed" --set arch.freeze=true
done
for seed in $(seq 1 "$SEEDS"); do
  run_train "classic-$first-s$seed" "${ABL[@]}" --seed "$seed" --steps "$ABLATION_STEPS" --space cell/classic \
    --set net.mixed=softmax &
  run_train "classic-linear-$first-s$seed" "${ABL[@]}" --seed "$seed" --steps "$ABLATION_STEPS" \
    --space cell/classic-linear --set net.mixed=softmax &
  wait
done
