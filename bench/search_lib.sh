# Sourced by the search benchmark scripts: run_search NAME ARGS... runs one `rlnas search` (or one
# `rlnas train` when ARGS start with "train"), resumed if an earlier run of it was interrupted and
# skipped once finished. Needs BIN, OUT, STORE; JOBS (search trials at once) and COMMON (extra
# search arguments) are optional. Exit codes follow rlnas's (docs/reliability.md): a run that
# exits 130 (interrupted: Ctrl-C or SIGTERM, resumable) stops the whole script with 130, so that
# running it again resumes; any other failure is reported and returned.

# check_exit NAME CODE LOG
check_exit() {
  case $2 in
    0) return 0 ;;
    130) echo "$1: interrupted (exit 130); run this script again to resume it" >&2; exit 130 ;;
    *) echo "$1: failed (exit $2); see $3" >&2; return "$2" ;;
  esac
}

# run_search NAME ARGS...: one search into $STORE; log $OUT/NAME.log, experiment id $OUT/NAME.id.
run_search() {
  local name=$1; shift
  local log="$OUT/$name.log"
  if [ -f "$log" ] && grep -q "stored as experiment" "$log"; then return 0; fi
  local id=""
  if [ -f "$OUT/$name.id" ]; then id=$(cat "$OUT/$name.id"); fi
  local rc=0
  if [ -n "$id" ]; then
    "$BIN" --store "$STORE" search --resume "$id" --jobs "${JOBS:-1}" >> "$log" 2>&1 || rc=$?
  else
    "$BIN" --store "$STORE" search "$@" "${COMMON[@]}" --jobs "${JOBS:-1}" > "$log" 2>&1 &
    local pid=$!
    # the experiment id, as soon as the search has created it (for --resume)
    for _ in $(seq 1 600); do
      id=$(sed -n 's/.*search: experiment \([0-9]*\) in.*/\1/p' "$log" 2>/dev/null | head -1)
      [ -n "$id" ] && break
      sleep 0.5
    done
    [ -n "$id" ] && echo "$id" > "$OUT/$name.id"
    wait "$pid" || rc=$?
  fi
  check_exit "$name" "$rc" "$log" || return $?
  echo "$(date -u +%FT%TZ) $name: $(grep -c . "$log") log lines, $(grep -o 'stored as experiment [0-9]*' "$log" | tail -1)"
}

# run_train NAME ARGS...: one `rlnas train --out $OUT/runs/NAME` (stored in $STORE), resumed if
# interrupted, skipped once it has an eval.json.
run_train() {
  local name=$1; shift
  local dir="$OUT/runs/$name"
  if [ -f "$dir/eval.json" ]; then return 0; fi
  local rc=0
  if [ -f "$dir/config.json" ]; then  # a checkpoint, or killed before its first one: --resume (re)starts it
    "$BIN" --store "$STORE" train --resume "$dir" > "$OUT/$name.log" 2>&1 || rc=$?
  else
    "$BIN" --store "$STORE" train "$@" --out "$dir" > "$OUT/$name.log" 2>&1 || rc=$?
  fi
  check_exit "$name" "$rc" "$OUT/$name.log" || return $?
  echo "$(date -u +%FT%TZ) $name: $(tail -1 "$OUT/$name.log")"
}
