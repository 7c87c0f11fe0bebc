#!/usr/bin/env bash
# Learning benchmark on the four classic-control tasks: each algorithm that fits the task's
# action space, with the settings below (Stable-Baselines3 zoo-style hyperparameters where the
# defaults are known not to fit), one seed. Runs go to out/classic/<name>; finished runs are
# skipped, so the script can be re-run after an interruption. Summary:
#   python3 bench/learning_summary.py out/classic/*
# Usage: bench/classic_learning.sh [RLNAS_BINARY] [name ...]
set -euo pipefail
bin=${1:-build/bin/rlnas}
shift || true
declare -A runs=(
  [ppo-cartpole]="--env classic/cartpole --algo ppo --net mlp --steps 100000 --set ppo.separate_critic=true --set ppo.num_steps=32 --set ppo.minibatches=1 --set ppo.epochs=20 --set ppo.gamma=0.98 --set ppo.gae_lambda=0.8 --set ppo.lr=1e-3 --set ppo.ent_coef=0.01"
  [ppo-acrobot]="--env classic/acrobot --algo ppo --net mlp --steps 300000 --set ppo.separate_critic=true --set ppo.num_envs=16 --set ppo.num_steps=256 --set ppo.gae_lambda=0.94 --set ppo.minibatches=16 --set ppo.ent_coef=0 --set ppo.norm_obs=true"
  [ppo-mountain_car]="--env classic/mountain_car --algo ppo --net mlp --steps 500000 --set ppo.separate_critic=true --set ppo.num_envs=16 --set ppo.num_steps=16 --set ppo.gae_lambda=0.98 --set ppo.minibatches=4 --set ppo.ent_coef=0 --set ppo.norm_obs=true"
  [ppo-pendulum]="--env classic/pendulum --algo ppo --net mlp --steps 300000 --set ppo.separate_critic=true --set ppo.num_envs=4 --set ppo.num_steps=1024 --set ppo.gamma=0.9 --set ppo.epochs=10 --set ppo.minibatches=64 --set ppo.lr=1e-3 --set ppo.ent_coef=0 --set ppo.norm_obs=true --set ppo.norm_reward=true"
  [a2c-cartpole]="--env classic/cartpole --algo a2c --net mlp --steps 150000 --set a2c.separate_critic=true"
  [a2c-acrobot]="--env classic/acrobot --algo a2c --net mlp --steps 300000 --set a2c.separate_critic=true --set a2c.norm_obs=true --set a2c.ent_coef=0"
  [a2c-mountain_car]="--env classic/mountain_car --algo a2c --net mlp --steps 500000 --set a2c.separate_critic=true --set a2c.norm_obs=true --set a2c.ent_coef=0"
  [a2c-pendulum]="--env classic/pendulum --algo a2c --net mlp --steps 500000 --set a2c.separate_critic=true --set a2c.num_envs=8 --set a2c.num_steps=8 --set a2c.gamma=0.9 --set a2c.gae_lambda=0.9 --set a2c.norm_obs=true --set a2c.norm_reward=true --set a2c.ent_coef=0 --set a2c.lr=7e-4"
  # DQN: SB3 rl-zoo hyperparameters (256-256 ReLU, Huber loss, grad-norm 10, greedy evaluation as the zoo)
  [dqn-cartpole]="--env classic/cartpole --algo dqn --net mlp --set net.mlp_hidden=256,256 --set net.activation=relu --steps 50000 --set dqn.lr=2.3e-3 --set dqn.batch_size=64 --set dqn.buffer_size=100000 --set dqn.learning_starts=1000 --set dqn.target_update_period=10 --set dqn.train_frequency=256 --set dqn.gradient_steps=128 --set dqn.epsilon_decay_steps=8000 --set dqn.epsilon_end=0.04 --set dqn.loss=huber --set dqn.max_grad_norm=10 --set eval.greedy=true"
  # the learning test's configuration (tests/learning/dqn_learning_test.cpp): C51, double Q, 3-step, 4 envs
  [dqn-cartpole-c51]="--env classic/cartpole --algo dqn --net mlp --steps 40000 --set dqn.num_atoms=51 --set dqn.v_min=0 --set dqn.v_max=100 --set dqn.double_q=true --set dqn.n_step=3 --set dqn.target_update_period=200 --set dqn.lr=2e-3 --set dqn.lr_schedule=linear --set dqn.lr_end=0 --set dqn.num_envs=4 --set dqn.train_frequency=4 --set dqn.batch_size=128 --set dqn.buffer_size=60000 --set dqn.learning_starts=1000 --set dqn.epsilon_decay_steps=10000"
  [dqn-acrobot]="--env classic/acrobot --algo dqn --net mlp --set net.mlp_hidden=256,256 --set net.activation=relu --steps 100000 --set dqn.lr=6.3e-4 --set dqn.batch_size=128 --set dqn.buffer_size=50000 --set dqn.learning_starts=128 --set dqn.target_update_period=250 --set dqn.train_frequency=4 --set dqn.gradient_steps=4 --set dqn.epsilon_decay_steps=12000 --set dqn.epsilon_end=0.1 --set dqn.loss=huber --set dqn.max_grad_norm=10 --set eval.greedy=true"
  [dqn-mountain_car]="--env classic/mountain_car --algo dqn --net mlp --set net.mlp_hidden=256,256 --set net.activation=relu --steps 120000 --set dqn.lr=4e-3 --set dqn.batch_size=128 --set dqn.buffer_size=10000 --set dqn.learning_starts=1000 --set dqn.gamma=0.98 --set dqn.target_update_period=600 --set dqn.train_frequency=16 --set dqn.gradient_steps=8 --set dqn.epsilon_decay_steps=24000 --set dqn.epsilon_end=0.07 --set dqn.loss=huber --set dqn.max_grad_norm=10 --set eval.greedy=true"
  [sac-pendulum]="--env classic/pendulum --algo sac --preset sac.cleanrl --steps 20000"
)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then names=("${!runs[@]}"); fi
for name in "${names[@]}"; do
  dir=out/classic/$name
  if [ -f "$dir/eval.json" ]; then echo "$name: done"; continue; fi
  rm -rf "$dir"
  # shellcheck disable=SC2086
  "$bin" --threads 1 train ${runs[$name]} --seed 1 --set eval.episodes=20 --out "$dir" --quiet | grep -E "evaluation" | sed "s/^/$name: /"
done
