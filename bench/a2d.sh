#!/usr/bin/env bash
# A2D on MinAtar (docs/results/a2d.md): per game, a ResNet-20 teacher (A2C, preset a2c.a2d), then
# gdas searches over the blocks space with the FLOPs cost, with and without actor-critic
# distillation, SEARCH_SEEDS search seeds each (the found agent and the hand-designed minatar net,
# ResNet-14, ResNet-20 and blocks/resnet-like retrained with the same setting over SEEDS training
# seeds); on the first game the distillation ablation (Table 2: none / actor / actor + teacher
# critic / actor + critic MSE on the minatar net, SEEDS seeds) and the efficiency weight lambda
# against the FLOPs found (a plain gdas search per lambda, its found agent retrained over SEEDS
# seeds); with SOFT_STEPS > 0, one search with the paper's soft Gumbel forward.
#
#   bash bench/a2d.sh RLNAS_BIN OUT_DIR [STEPS] [GAMES] [TEACHER_STEPS] [LAMBDA] [SOFT_STEPS] [SEEDS] [SEARCH_SEEDS]
#   e.g. bash bench/a2d.sh out/bin/rlnas out/a2d 100000 "breakout freeway" 300000 0.1 50000 3 3
#
# The searches use arch.hard (the straight-through Gumbel forward of GDAS: one op per block per
# pass) because the weighted sum of all 9 ops of eq. 10 runs ~9x slower here (docs/results/a2d.md).
# Export while it runs (and after):
#   /usr/bin/python3 bench/export_results.py RLNAS_BIN OUT_DIR bench/results/a2d
# Re-running continues: a finished step is skipped, an interrupted one resumed.
set -uo pipefail
BIN=${1:?rlnas binary}
OUT=${2:?output folder}
STEPS=${3:-100000}
GAMES=${4:-"breakout freeway"}
TEACHER_STEPS=${5:-300000}
LAMBDA=${6:-0.1}
SOFT_STEPS=${7:-0}
SEEDS=${8:-3}
SEARCH_SEEDS=${9:-3}
mkdir -p "$OUT/runs"
STORE="$OUT/rlnas.db"
COMMON=(--preset a2c.a2d --steps "$STEPS" --seeds "$SEEDS" --set search.eval_episodes=50
        --set checkpoint_every=25000 --set log_every=2000 --set arch.hard=true --set arch.cost=flops)
source "$(dirname "$0")/search_lib.sh"

first=""
for game in $GAMES; do
  [ -z "$first" ] && first=$game
  teacher="$OUT/runs/teacher-$game"
  run_train "teacher-$game" --env "minatar/$game" --preset a2c.a2d --net resnet --steps "$TEACHER_STEPS" \
    --set eval.episodes=50 --set checkpoint_every=100000
  # Figure 2 / 3 analogs: the search with and without distillation, side by side.
  for seed in $(seq 1 "$SEARCH_SEEDS"); do
    run_search "gdas-distill-$game-$seed" --env "minatar/$game" --space blocks --strategy gdas --search-seed "$seed" \
      --search-steps "$STEPS" --top-k 1 --set arch.cost_lambda="$LAMBDA" --set distill.teacher="$teacher" &
    run_search "gdas-plain-$game-$seed" --env "minatar/$game" --space blocks --strategy gdas --search-seed "$seed" \
      --search-steps "$STEPS" --top-k 1 --set arch.cost_lambda="$LAMBDA" &
    wait
  done
done

# Table 2 analog on the first game: the minatar net with each distillation variant, SEEDS seeds.
teacher="$OUT/runs/teacher-$first"
for seed in $(seq 1 "$SEEDS"); do
  for pair in "none actor" "teacher_critic actor_critic"; do
    for variant in $pair; do
      run_train "distill-$variant-s$seed" --env "minatar/$first" --preset a2c.a2d --net minatar --steps "$STEPS" \
        --seed "$seed" --set eval.episodes=50 --set distill.teacher="$teacher" --set distill.variant="$variant" &
    done
    wait
  done
done

# lambda against the FLOPs found: a plain search per lambda (no distillation), its found agent
# retrained over SEEDS seeds. alpha's learning rate is 10x the paper's here: at 1e-3, ~1,250 A2C
# updates in 100k steps hardly move alpha.
for lambda in 0 0.1 1; do
  run_search "lambda-$lambda-$first" --env "minatar/$first" --space blocks --strategy gdas --search-steps "$STEPS" \
    --top-k 1 --set arch.cost_lambda="$lambda" --set arch.lr=1e-2 --set search.baselines=none &
  [ "$lambda" = "0.1" ] && wait
done
wait

# The paper's soft Gumbel forward (all 9 ops of a block weighted, eq. 10) on the first game, with
# distillation, at SOFT_STEPS search steps (0 = skip: it runs ~9x slower per step).
if [ "$SOFT_STEPS" -gt 0 ]; then
  COMMON=(--preset a2c.a2d --steps "$STEPS" --seeds "$SEEDS" --set search.eval_episodes=50
          --set checkpoint_every=25000 --set log_every=2000 --set arch.cost=flops)
  run_search "gdas-soft-distill-$first" --env "minatar/$first" --space blocks --strategy gdas \
    --search-steps "$SOFT_STEPS" --top-k 1 --set arch.cost_lambda="$LAMBDA" --set distill.teacher="$teacher"
fi
