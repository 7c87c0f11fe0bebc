#!/usr/bin/env bash
# The image tabular benchmark (docs/results/fashion-mnist.md): every architecture of image/small
# (256) trained from scratch over SEEDS training seeds on Fashion-MNIST (the first TRAIN_IMAGES
# images of the seeded 50k/10k training/validation split, EPOCHS epochs, SGD with Nesterov momentum,
# cosine learning rate from LR, batch 128), with the baselines (LeNet-5, ResNet-20); selected on
# validation accuracy, reported on the official test set. Two trials at a time, one core each
# (rlnas's default --threads 1).
# Then SPOS, ENAS and DARTS with SEARCH_SEEDS search seeds each, in their supervised form
# (docs/images.md): a supernet trained for the same EPOCHS on the same images, the top 3 by proxy
# retrained over the same seeds (found in the store by cache key: the benchmark's trainings).
# The grid experiment is exported to bench/results/fashion-mnist/ every EXPORT_MINUTES while it
# runs and when it ends, each search when it ends, so that a stopped machine loses at most that
# much; run the script again to continue (a search resumes; an exported store can be imported
# first: rlnas runs import).
#
#   bash bench/fashion_mnist.sh RLNAS_BIN OUT_DIR [EPOCHS] [TRAIN_IMAGES] [SEEDS] [LR] [SEARCH_SEEDS]
#   e.g. bash bench/fashion_mnist.sh build/bin/rlnas out/fmnist 2 10000 3 0.02 5
# PHASE=grid or PHASE=searches runs one part only (default: both, the grid first), so that the two
# can run side by side on one store: e.g. PHASE=grid GRID_JOBS=1 ... & PHASE=searches ... Side by
# side costs more: the grid plans all its trainings (and baselines) when it starts, and a training
# whose cache key a running experiment's pending trial holds is trained again by a search, not
# shared (src/search/search.cpp, plan); run one after the other to share everything. GRID_JOBS:
# the grid's trials at once (default 2).
set -uo pipefail
BIN=${1:?rlnas binary}
OUT=${2:?output folder}
EPOCHS=${3:-2}
TRAIN_IMAGES=${4:-10000}
SEEDS=${5:-3}
LR=${6:-0.02}
SEARCH_SEEDS=${7:-5}
EXPORT_MINUTES=${EXPORT_MINUTES:-10}
RESULTS="$(cd "$(dirname "$0")" && pwd)/results/fashion-mnist"
mkdir -p "$OUT" "$RESULTS"
STORE="$OUT/rlnas.db"
COMMON=(--epochs "$EPOCHS" --seeds "$SEEDS" --set "supervised.train_images=$TRAIN_IMAGES" --set "supervised.lr=$LR")

source "$(dirname "$0")/search_lib.sh"

export_grid() {
  [ -f "$OUT/grid.id" ] || return 0
  "$BIN" --store "$STORE" runs export "$(cat "$OUT/grid.id")" --out "$RESULTS/grid.json.gz" > /dev/null 2>&1 &&
    echo "$(date -u +%FT%TZ) exported experiment $(cat "$OUT/grid.id") to $RESULTS/grid.json.gz"
}

PHASE=${PHASE:-all}
case "$PHASE" in all|grid|searches) ;; *) echo "PHASE: expected all, grid or searches, found '$PHASE'" >&2; exit 2 ;; esac
if [ "$PHASE" != searches ]; then
  ( while sleep $((EXPORT_MINUTES * 60)); do export_grid; done ) &
  exporter=$!
  # On every exit, an interrupted one included: the grid as it was left (stopped, so that rlnas
  # compare and the page take it).
  trap 'kill $exporter 2>/dev/null; export_grid' EXIT
  JOBS=${GRID_JOBS:-2} run_search grid --dataset fashion-mnist --space image/small --strategy grid \
    --baselines auto
  rc=$?
  [ $rc -eq 0 ] || exit $rc
fi
[ "$PHASE" != grid ] || exit 0

# export_search NAME: the search's experiment, once it finished.
export_search() {
  [ -f "$OUT/$1.id" ] && grep -q "stored as experiment" "$OUT/$1.log" 2>/dev/null || return 0
  [ -f "$RESULTS/$1.json.gz" ] && return 0
  "$BIN" --store "$STORE" runs export "$(cat "$OUT/$1.id")" --out "$RESULTS/$1.json.gz" > /dev/null
}
for seed in $(seq 1 "$SEARCH_SEEDS"); do
  for strategy in spos enas darts; do
    JOBS=1 run_search "$strategy-$seed" --dataset fashion-mnist --space image/small --strategy "$strategy" \
      --search-seed "$seed" --top-k 3 --baselines auto || exit $?
    export_search "$strategy-$seed"
  done
done
