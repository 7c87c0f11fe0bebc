#!/usr/bin/env bash
# The analog of nas-for-rl-agents Table 1 / Figure 4 on MinAtar (docs/results/nas-rl-table1.md):
# for each game and space, the tabular benchmark (grid: every architecture trained from scratch),
# then SPOS and ENAS with 4 search seeds each (top-3 retrained; the retrains are the benchmark's
# trainings, found in the store by cache key, so they are not trained again).
#
#   bash bench/nas_rl_table1.sh RLNAS_BIN OUT_DIR [STEPS] [GAMES] [SPACES]
#   e.g. bash bench/nas_rl_table1.sh out/bin/rlnas out/table1 100000 "breakout freeway" "minatar/ss1 minatar/ss2"
#
# Re-running continues: a finished step is skipped, an interrupted one resumed (--resume).
# Two searches run side by side (each search's trials use one core).
set -uo pipefail
BIN=${1:?rlnas binary}
OUT=${2:?output folder}
STEPS=${3:-100000}
GAMES=${4:-"breakout freeway"}
SPACES=${5:-"minatar/ss1 minatar/ss2"}
mkdir -p "$OUT"
STORE="$OUT/rlnas.db"
COMMON=(--preset ppo.nas-rl --steps "$STEPS" --search-steps "$STEPS" --seeds 1 --top-k 3
        --set search.eval_episodes=30 --set search.proxy_episodes=10 --set checkpoint_every=25000
        --set log_every=5000)

# run NAME ARGS...: one search, resumed if an earlier run of it was interrupted.
run() {
  local name=$1; shift
  local log="$OUT/$name.log"
  if [ -f "$log" ] && grep -q "stored as experiment" "$log"; then return 0; fi
  local id=""
  if [ -f "$OUT/$name.id" ]; then id=$(cat "$OUT/$name.id"); fi
  if [ -n "$id" ]; then
    "$BIN" --store "$STORE" search --resume "$id" --jobs "$JOBS" >> "$log" 2>&1
  else
    "$BIN" --store "$STORE" search "$@" "${COMMON[@]}" --jobs "$JOBS" > "$log" 2>&1 &
    local pid=$!
    # the experiment id, as soon as the search has created it (for --resume)
    for _ in $(seq 1 600); do
      id=$(sed -n 's/.*search: experiment \([0-9]*\) in.*/\1/p' "$log" 2>/dev/null | head -1)
      [ -n "$id" ] && break
      sleep 0.5
    done
    [ -n "$id" ] && echo "$id" > "$OUT/$name.id"
    wait "$pid"
  fi
  echo "$(date -u +%FT%TZ) $name: $(grep -c . "$log") log lines, $(grep -o 'stored as experiment [0-9]*' "$log" | tail -1)"
}

for space in $SPACES; do
  for game in $GAMES; do
    tag="${game}-${space//\//-}"
    # The tabular benchmark: every architecture, 2 at a time; baselines: minatar/ss1/nature (ss1) and the minatar net.
    JOBS=2 run "grid-$tag" --env "minatar/$game" --space "$space" --strategy grid
    # SPOS and ENAS, 4 search seeds each, two searches at a time.
    for seed in 1 2 3 4; do
      JOBS=1 run "spos-$tag-$seed" --env "minatar/$game" --space "$space" --strategy spos --search-seed "$seed" &
      JOBS=1 run "enas-$tag-$seed" --env "minatar/$game" --space "$space" --strategy enas --search-seed "$seed" &
      wait
    done
  done
done
