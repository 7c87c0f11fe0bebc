#!/usr/bin/env bash
# The plugin route end to end, as a user outside the rlnas tree takes it: install rlnas into a
# temporary prefix, build examples/custom_env as its own CMake project against it
# (find_package(rlnas)), then check, train and search its environment with the installed rlnas.
#   bash tests/plugin/build_against_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=${1:?rlnas build folder}
SRC=${2:?rlnas source folder}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rlnas_plugin_build.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

step() { echo "== $*"; }
step "install rlnas into $TMP/prefix"
cmake --install "$BUILD" --prefix "$TMP/prefix" > "$TMP/install.log" || { cat "$TMP/install.log"; exit 1; }
test -f "$TMP/prefix/lib/cmake/rlnas/rlnasConfig.cmake"
test -f "$TMP/prefix/include/rlnas/env/plugin.h"

step "build examples/custom_env on its own against the installed rlnas"
cmake -S "$SRC/examples/custom_env" -B "$TMP/build" -DCMAKE_PREFIX_PATH="$TMP/prefix" \
  -DCMAKE_BUILD_TYPE=Release > "$TMP/configure.log" || { cat "$TMP/configure.log"; exit 1; }
cmake --build "$TMP/build" > "$TMP/build.log" || { cat "$TMP/build.log"; exit 1; }
PLUGIN="$TMP/build/rlnas_catch.so"
RLNAS="$TMP/prefix/bin/rlnas"
test -f "$PLUGIN"
# The standalone project builds the plugin only (no rlnas target, no torch).
if grep -q custom_env_example "$TMP/build.log"; then echo "the standalone build built the in-tree example"; exit 1; fi

step "rlnas env check"
"$RLNAS" --plugin "$PLUGIN" env check --env example/catch
step "rlnas train"
"$RLNAS" --store "$TMP/s.db" --plugin "$PLUGIN" train --env example/catch --net mlp --steps 4096 \
  --set ppo.num_envs=4 --set ppo.num_steps=64 --set eval.episodes=5 --quiet --out "$TMP/run"
grep -q '"env_source"' "$TMP/run/config.json"
step "rlnas search"
"$RLNAS" --store "$TMP/s.db" --plugin "$PLUGIN" search --env example/catch --env-opt cols=10 --space minatar/ss1 \
  --strategy random --steps 1024 --top-k 2 --seeds 1 --set search.baselines=none --set ppo.num_envs=4 \
  --set ppo.num_steps=32 --set search.eval_episodes=2 --quiet > "$TMP/search.log" 2>&1 || { cat "$TMP/search.log"; exit 1; }
cat "$TMP/search.log"
step "ok"
