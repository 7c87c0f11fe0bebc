#!/usr/bin/env bash
# Makes the compatibility fixtures of tests/golden/compat_test.cpp with the rlnas built in ./build.
# They pin what an earlier rlnas wrote: run them again only to add a fixture, never to "fix" a
# failing compatibility test (that failure is the point). README.md here names the commit that made them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rlnas="$(cd "$here/../../.." && pwd)/build/bin/rlnas"
tiny_breakout="--env minatar/breakout --steps 256 --seed 2 --set ppo.num_envs=4 --set ppo.num_steps=64 --set eval.episodes=1"

cd "$here"
rm -rf run_ppo_interrupted run_space_arch run_gumbel_supernet store /tmp/rlnas_compat_store

# An interrupted run: Ctrl-C (SIGINT) once its first checkpoint exists.
"$rlnas" --store '' train --quiet --env classic/cartpole --algo ppo --net mlp --steps 20000 --seed 2 \
  --set checkpoint_every=2048 --set eval.episodes=2 --out run_ppo_interrupted &
pid=$!
until [ -f run_ppo_interrupted/checkpoint.ckpt ]; do sleep 0.05; done
kill -INT "$pid"
wait "$pid" || [ $? -eq 130 ]

"$rlnas" --store '' train --quiet --env classic/cartpole --algo ppo --named mlp/64-64-tanh --steps 512 --seed 2 \
  --set eval.episodes=1 --out run_space_arch
"$rlnas" --store '' train --quiet $tiny_breakout --algo ppo --space minatar/ss1 --mixed gumbel \
  --set arch.cost_lambda=0.1 --out run_gumbel_supernet

# A store with a finished search (experiment 1) and an interrupted one (2), made where the test
# restores it (trials record absolute run directories).
s=/tmp/rlnas_compat_store
mkdir -p $s
search="--store $s/s.db search --quiet --env classic/cartpole --space mlp --strategy random --seeds 1 --jobs 1 \
  --baselines named:mlp/64-64-tanh --set eval.episodes=2 --set search.eval_episodes=2 --out $s/trials"
"$rlnas" $search --steps 1000 --top-k 3
"$rlnas" $search --steps 3000 --top-k 4 --search-seed 9 &
pid=$!
until [ "$(ls $s/trials/*/result.json 2>/dev/null | wc -l)" -ge 6 ]; do sleep 0.05; done
kill -INT "$pid"
wait "$pid" || [ $? -eq 130 ]
# The store's WAL folded into the database file, so the fixture is one file.
sqlite3 $s/s.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null 2>&1 || true
rm -rf $s/s.db-wal $s/s.db-shm $s/s.db.locks
# The trials' checkpoints are left out (the run folders above cover checkpoints): a resumed trial
# without one starts again at step 0.
rm -f $s/trials/*/checkpoint.ckpt $s/trials/*/run.lock
cp -r $s store
rm -f run_*/run.lock
du -sh "$here"
