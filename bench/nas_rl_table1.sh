#!/usr/bin/env bash
# The analog of nas-for-rl-agents Table 1 / Figure 4 on MinAtar (docs/results/nas-rl-table1.md):
# for each game and space, the tabular benchmark (grid: every architecture trained from scratch
# over SEEDS training seeds), then SPOS and ENAS with SEARCH_SEEDS search seeds each (top-3
# retrained over the same seeds; the retrains are the benchmark's trainings, found in the store by
# cache key, so they are not trained again). Every benchmark first, then the searches: when time
# runs short, search seeds are cut before training seeds.
#
#   bash bench/nas_rl_table1.sh RLNAS_BIN OUT_DIR [STEPS] [GAMES] [SPACES] [SEEDS] [SEARCH_SEEDS]
#   e.g. bash bench/nas_rl_table1.sh out/bin/rlnas out/table1 250000 "breakout freeway" minatar/ss1 3 8
#
# Re-running continues: a finished step is skipped, an interrupted one resumed (--resume).
# Two searches run side by side (each search's trials use one core).
set -uo pipefail
BIN=${1:?rlnas binary}
OUT=${2:?output folder}
STEPS=${3:-250000}
GAMES=${4:-"breakout freeway"}
SPACES=${5:-"minatar/ss1"}
SEEDS=${6:-3}
SEARCH_SEEDS=${7:-8}
mkdir -p "$OUT"
STORE="$OUT/rlnas.db"
COMMON=(--preset ppo.nas-rl --steps "$STEPS" --search-steps "$STEPS" --seeds "$SEEDS" --top-k 3
        --set search.eval_episodes=30 --set search.spos.proxy_episodes=10 --set checkpoint_every=25000
        --set log_every=5000)

source "$(dirname "$0")/search_lib.sh"

# The tabular benchmarks: every architecture, 2 at a time; baselines: minatar/ss1/nature (ss1) and
# the minatar net.
for space in $SPACES; do
  for game in $GAMES; do
    JOBS=2 run_search "grid-$game-${space//\//-}" --env "minatar/$game" --space "$space" --strategy grid || exit $?
  done
done
# SPOS and ENAS, two searches at a time, search seed by search seed.
for seed in $(seq 1 "$SEARCH_SEEDS"); do
  for space in $SPACES; do
    for game in $GAMES; do
      tag="$game-${space//\//-}"
      JOBS=1 run_search "spos-$tag-$seed" --env "minatar/$game" --space "$space" --strategy spos --search-seed "$seed" &
      JOBS=1 run_search "enas-$tag-$seed" --env "minatar/$game" --space "$space" --strategy enas --search-seed "$seed" &
      wait
    done
  done
done
