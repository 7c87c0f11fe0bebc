#!/usr/bin/env bash
# RL-DARTS on MinAtar (docs/results/rl-darts.md): per game, a darts search over cell/micro with PPO
# (the supernet trained with alpha, the final discretized cell retrained from scratch against
# IMPALA-CNN and the minatar net), and 3 random micro cells retrained the same way (best of 3);
# on the first game the two failure ablations of Appendix B: alpha frozen at uniform (PPO, and
# Rainbow as in the paper's Figure 12, at ABLATION_STEPS), and the classic cells with / without
# ReLU (cell/classic vs cell/classic-linear supernets).
#
#   bash bench/rl_darts.sh RLNAS_BIN OUT_DIR [STEPS] [GAMES] [ABLATION_STEPS] [ARCH_LR]
#   e.g. bash bench/rl_darts.sh out/bin/rlnas out/rl-darts 100000 "breakout freeway" 50000 5e-3
#
# alpha's learning rate is 10x the preset's (5e-4) by default: at 100k steps PPO makes ~1,200
# updates, against ~300,000 in the paper's 25M-step searches.
#
# Re-running continues: a finished step is skipped, an interrupted one resumed.
set -uo pipefail
BIN=${1:?rlnas binary}
OUT=${2:?output folder}
STEPS=${3:-100000}
GAMES=${4:-"breakout freeway"}
ABLATION_STEPS=${5:-50000}
ARCH_LR=${6:-5e-3}
mkdir -p "$OUT/runs"
STORE="$OUT/rlnas.db"
COMMON=(--preset ppo.rl-darts --steps "$STEPS" --seeds 1 --set search.eval_episodes=50 --set arch.lr="$ARCH_LR"
        --set checkpoint_every=25000 --set log_every=2000)
source "$(dirname "$0")/search_lib.sh"

first=""
for game in $GAMES; do
  # The search and the random cells side by side (one core each).
  run_search "darts-$game" --env "minatar/$game" --space cell/micro --strategy darts --search-steps "$STEPS" \
    --top-k 1 --set search.baselines=net:impala_cnn,net:minatar &
  run_search "random-$game" --env "minatar/$game" --space cell/micro --strategy random --top-k 3 \
    --set search.baselines=none &
  wait
  [ -z "$first" ] && first=$game
done

# Appendix B on the first game: supernet trainings only.
ABL=(--env "minatar/$first" --preset ppo.rl-darts --set arch.lr="$ARCH_LR" --set checkpoint_every=25000 --set log_every=2000
     --set eval.episodes=50)
run_train "frozen-alpha-$first" "${ABL[@]}" --steps "$STEPS" --space cell/micro --set net.mixed=softmax \
  --set arch.freeze=true &
run_train "classic-$first" "${ABL[@]}" --steps "$ABLATION_STEPS" --space cell/classic --set net.mixed=softmax &
wait
run_train "classic-linear-$first" "${ABL[@]}" --steps "$ABLATION_STEPS" --space cell/classic-linear \
  --set net.mixed=softmax

# Appendix B.2 as in the paper: micro cells + Rainbow (no noisy nets; T = 10), alpha trainable vs
# frozen at uniform.
R=(--env "minatar/$first" --algo dqn --preset dqn.rainbow-minatar --steps "$ABLATION_STEPS" --space cell/micro
   --set net.mixed=softmax --set arch.temperature=10 --set arch.lr=2.5e-3 --set checkpoint_every=25000
   --set log_every=2000 --set eval.episodes=50)
run_train "rainbow-trainable-alpha-$first" "${R[@]}" &
run_train "rainbow-frozen-alpha-$first" "${R[@]}" --set arch.freeze=true &
wait
