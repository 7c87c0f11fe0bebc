#!/usr/bin/env bash
# A2D on MinAtar (docs/results/a2d.md): per game, a ResNet-20 teacher (A2C, preset a2c.a2d), then
# gdas searches over the blocks space with the FLOPs cost, with and without actor-critic
# distillation (the found agent and the hand-designed minatar net, ResNet-14 and ResNet-20
# retrained with the same setting); on the first game the distillation ablation (Table 2: none /
# actor / actor + teacher critic / actor + critic MSE on the minatar net, 2 seeds) and the
# efficiency weight lambda against the FLOPs found; with SOFT_STEPS > 0, one search with the
# paper's soft Gumbel forward.
#
#   bash bench/a2d.sh RLNAS_BIN OUT_DIR [STEPS] [GAMES] [TEACHER_STEPS] [LAMBDA] [SOFT_STEPS]
#   e.g. bash bench/a2d.sh out/bin/rlnas out/a2d 100000 "breakout freeway" 300000 0.1 50000
#
# The searches use arch.hard (the straight-through Gumbel forward of GDAS: one op per block per
# pass) because the weighted sum of all 9 ops of eq. 10 runs ~9x slower here (docs/results/a2d.md).
# Re-running continues: a finished step is skipped, an interrupted one resumed.
set -uo pipefail
BIN=${1:?rlnas binary}
OUT=${2:?output folder}
STEPS=${3:-100000}
GAMES=${4:-"breakout freeway"}
TEACHER_STEPS=${5:-300000}
LAMBDA=${6:-0.1}
mkdir -p "$OUT/runs"
STORE="$OUT/rlnas.db"
COMMON=(--preset a2c.a2d --steps "$STEPS" --seeds 1 --set search.eval_episodes=50
        --set checkpoint_every=25000 --set log_every=2000 --set arch.hard=true --set arch.cost=flops)
source "$(dirname "$0")/search_lib.sh"

first=""
for game in $GAMES; do
  teacher="$OUT/runs/teacher-$game"
  run_train "teacher-$game" --env "minatar/$game" --preset a2c.a2d --net resnet --steps "$TEACHER_STEPS" \
    --set eval.episodes=50 --set checkpoint_every=100000
  # Figure 2 / 3 analogs: the search with and without distillation, side by side.
  run_search "gdas-distill-$game" --env "minatar/$game" --space blocks --strategy gdas --search-steps "$STEPS" \
    --top-k 1 --set arch.cost_lambda="$LAMBDA" --set distill.teacher="$teacher" &
  run_search "gdas-plain-$game" --env "minatar/$game" --space blocks --strategy gdas --search-steps "$STEPS" \
    --top-k 1 --set arch.cost_lambda="$LAMBDA" &
  wait
  [ -z "$first" ] && first=$game
done

# Table 2 analog on the first game: the minatar net with each distillation variant, 2 seeds.
teacher="$OUT/runs/teacher-$first"
for seed in 1 2; do
  for variant in none actor teacher_critic actor_critic; do
    run_train "distill-$variant-s$seed" --env "minatar/$first" --preset a2c.a2d --net minatar --steps "$STEPS" \
      --seed "$seed" --set eval.episodes=50 --set distill.teacher="$teacher" --set distill.variant="$variant" &
  done
  wait
done

# lambda against the FLOPs found (supernet trainings only, no distillation). alpha's learning
# rate is 10x the paper's here: at 1e-3, ~1,250 A2C updates in 100k steps hardly move alpha.
for lambda in 0 0.1 1; do
  run_train "lambda-$lambda-$first" --env "minatar/$first" --preset a2c.a2d --steps "$STEPS" --space blocks \
    --set net.mixed=gumbel --set arch.hard=true --set arch.lr=1e-2 --set arch.cost_lambda="$lambda" \
    --set log_every=2000 --set eval.episodes=50 &
  [ "$lambda" = "0.1" ] && wait
done
wait

# The paper's soft Gumbel forward (all 9 ops of a block weighted, eq. 10) on the first game, with
# distillation, at SOFT_STEPS search steps (7th argument; 0 = skip: it runs ~9x slower per step).
SOFT_STEPS=${7:-0}
if [ "$SOFT_STEPS" -gt 0 ]; then
  COMMON=(--preset a2c.a2d --steps "$STEPS" --seeds 1 --set search.eval_episodes=50
          --set checkpoint_every=25000 --set log_every=2000 --set arch.cost=flops)
  run_search "gdas-soft-distill-$first" --env "minatar/$first" --space blocks --strategy gdas \
    --search-steps "$SOFT_STEPS" --top-k 1 --set arch.cost_lambda="$LAMBDA" --set distill.teacher="$teacher"
fi
