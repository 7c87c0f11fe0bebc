// DQN and its Rainbow options: epsilon-greedy acting into an n-step (prioritized) replay buffer,
// TD or C51 updates every train_frequency steps, hard or Polyak target updates.
#include "rlnas/rl/dqn.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "rlnas/core/bytes.h"
#include "rlnas/core/error.h"
#include "rlnas/rl/arch.h"
#include "rlnas/rl/flat_optimizer.h"
#include "rlnas/rl/replay.h"
#include "rlnas/rl/schedule.h"
#include "rlnas/rl/tensors.h"

namespace rlnas::rl {

void DqnOptions::bind(OptionTable& t, const std::string& p) {
  t.add(p + "num_envs", &num_envs, "parallel environments (one iteration steps each once)", 1, 4096)
      .add(p + "buffer_size", &buffer_size, "replay capacity in transitions", 1, 1e9)
      .add(p + "batch_size", &batch_size, "transitions per gradient step", 1, 1e6)
      .add(p + "lr", &lr, "learning rate", 0, 1)
      .add(p + "lr_schedule", &lr_schedule, "learning-rate schedule over training", schedule_names())
      .add(p + "lr_end", &lr_end, "learning rate at the end of training (non-constant schedules)", 0, 1)
      .add(p + "optimizer", &optimizer, "optimizer", {"adam", "rmsprop"})
      .add(p + "eps", &eps, "optimizer epsilon (RMSProp: added to the root of the mean square)", 0, 1)
      .add(p + "rmsprop_alpha", &rmsprop_alpha, "RMSProp smoothing constant of the squared gradient", 0, 1)
      .add(p + "rmsprop_centered", &rmsprop_centered, "centered RMSProp (divide by the gradient's variance)")
      .add(p + "gamma", &gamma, "discount factor", 0, 1)
      .add(p + "learning_starts", &learning_starts, "env steps of exploration before the first update", 0, 1e13)
      .add(p + "train_frequency", &train_frequency, "env steps per gradient update (1 = every step)", 1, 1e9)
      .add(p + "gradient_steps", &gradient_steps, "gradient steps per update", 1, 1e6)
      .add(p + "target_update_period", &target_update_period, "env steps between target-network updates", 1, 1e13)
      .add(p + "tau", &tau, "target update rate: 1 = hard copy, < 1 = Polyak averaging", 0, 1)
      .add(p + "double_q", &double_q, "double DQN: the online network selects the bootstrap action")
      .add(p + "dueling", &dueling, "dueling value and advantage streams")
      .add(p + "hidden", &hidden, "hidden layer width in front of the Q head (0 = none)", 0, 1e6)
      .add(p + "n_step", &n_step, "n-step returns", 1, 1000)
      .add(p + "prioritized", &prioritized, "proportional prioritized replay")
      .add(p + "per_alpha", &per_alpha, "prioritized replay: priority exponent", 0, 10)
      .add(p + "per_beta_start", &per_beta_start, "prioritized replay: importance exponent at the start", 0, 1)
      .add(p + "per_beta_end", &per_beta_end, "prioritized replay: importance exponent at the end (linear)", 0, 1)
      .add(p + "per_eps", &per_eps, "prioritized replay: added to every priority", 0, 1)
      .add(p + "num_atoms", &num_atoms, "atoms of the return distribution (1 = DQN, >= 2 = C51)", 1, 10000)
      .add(p + "v_min", &v_min, "C51: lowest return on the support", -1e9, 1e9)
      .add(p + "v_max", &v_max, "C51: highest return on the support", -1e9, 1e9)
      .add(p + "epsilon_start", &epsilon_start, "exploration rate until learning_starts", 0, 1)
      .add(p + "epsilon_end", &epsilon_end, "exploration rate after the decay", 0, 1)
      .add(p + "epsilon_decay_steps", &epsilon_decay_steps, "env steps of linear decay after learning_starts", 0, 1e13)
      .add(p + "eval_epsilon", &eval_epsilon, "exploration rate of non-greedy evaluation", 0, 1)
      .add(p + "loss", &loss, "TD loss of expected-value DQN (C51 uses cross-entropy)", {"huber", "mse"})
      .add(p + "max_grad_norm", &max_grad_norm, "gradient-norm clip (0 = off)", 0, 1e9)
      .add(p + "reward_scale", &reward_scale, "rewards are divided by this before learning (1 = unchanged)", 1e-12,
           1e12)
      .add(p + "compact_obs", &compact_obs,
           "store replay observations as uint8 (auto = when the env promises bool/uint8 observations)",
           {"auto", "true", "false"});
}

void DqnOptions::check() const {
  if (batch_size > buffer_size) {
    throw Error("dqn: batch_size <= buffer_size, got " + std::to_string(batch_size) + " > " +
                std::to_string(buffer_size));
  }
  if (num_atoms > 1 && !(v_min < v_max)) {
    throw Error("dqn: C51 needs v_min < v_max, got v_min = " + std::to_string(v_min) +
                ", v_max = " + std::to_string(v_max));
  }
  if (!(tau > 0)) throw Error("dqn: tau must be in (0, 1], got " + std::to_string(tau));
}

double dqn_epsilon(const DqnOptions& o, int64_t step) {
  if (step <= o.learning_starts) return o.epsilon_start;
  if (step - o.learning_starts >= o.epsilon_decay_steps) return o.epsilon_end;
  const double progress = static_cast<double>(step - o.learning_starts) / static_cast<double>(o.epsilon_decay_steps);
  return o.epsilon_start + (o.epsilon_end - o.epsilon_start) * progress;
}

torch::Tensor q_learning_target(const torch::Tensor& next_q_target, const torch::Tensor& next_q_online,
                                const torch::Tensor& rewards, const torch::Tensor& discounts) {
  torch::Tensor next_q;
  if (next_q_online.defined()) {
    // Double DQN: decoupling selection from evaluation curbs max's overestimation bias.
    const auto best = next_q_online.argmax(/*dim=*/1, /*keepdim=*/true);
    next_q = next_q_target.gather(1, best).squeeze(1);
  } else {
    next_q = std::get<0>(next_q_target.max(/*dim=*/1));
  }
  return rewards + discounts * next_q;
}

torch::Tensor td_loss(const torch::Tensor& td_error, const std::string& kind) {
  if (kind == "mse") return td_error.square();
  if (kind == "huber") {
    const auto abs = td_error.abs();
    return torch::where(abs < 1.0, 0.5 * td_error.square(), abs - 0.5);
  }
  throw Error("dqn: unknown loss '" + kind + "'; valid: huber, mse");
}

namespace {

// The support z: num_atoms returns evenly spaced from v_min to v_max.
torch::Tensor make_support(int64_t atoms, double v_min, double v_max, const torch::TensorOptions& options) {
  return torch::linspace(v_min, v_max, atoms, options);
}

// Expected values sum_k p_k z_k of logits [..., K].
torch::Tensor expected_q(const torch::Tensor& logits, const torch::Tensor& support) {
  return (torch::softmax(logits, -1) * support).sum(-1);
}

}  // namespace

torch::Tensor categorical_target(const torch::Tensor& next_logits_target, const torch::Tensor& next_q_online,
                                 const torch::Tensor& rewards, const torch::Tensor& discounts, double v_min,
                                 double v_max) {
  const int64_t batch = next_logits_target.size(0), atoms = next_logits_target.size(2);
  const auto probs = torch::softmax(next_logits_target, -1);
  const auto select =
      next_q_online.defined() ? next_q_online : (probs * make_support(atoms, v_min, v_max, probs.options())).sum(-1);
  const auto best = select.argmax(1).view({batch, 1, 1}).expand({batch, 1, atoms});
  const auto next_probs = probs.gather(1, best).squeeze(1);
  return project_distribution(next_probs, rewards, discounts, v_min, v_max);
}

torch::Tensor categorical_loss(const torch::Tensor& logits, const torch::Tensor& target_probs) {
  return -(target_probs * torch::log_softmax(logits, -1)).sum(-1);
}

namespace {

class DqnAlgorithm final : public Algorithm {
 public:
  DqnAlgorithm(const DqnOptions& o, const AlgorithmContext& ctx)
      : o_(o), ctx_(ctx), gen_(at::make_generator<at::CPUGeneratorImpl>(ctx.seed)), replay_(replay_options(o, ctx)) {
    o.check();
    if (!ctx.action_spec.is_discrete()) throw Error("dqn needs discrete actions, got " + ctx.action_spec.to_string());
    num_actions_ = ctx.action_spec.n;
    torch::manual_seed(ctx.seed);  // weight initialization
    online_ = nn::QNetwork(ctx.net, ctx.obs_spec.shape, num_actions_, o.dueling, o.num_atoms, o.hidden);
    target_ = nn::QNetwork(ctx.net, ctx.obs_spec.shape, num_actions_, o.dueling, o.num_atoms, o.hidden);
    online_->to(ctx.device);
    target_->to(ctx.device);
    update_target(/*tau=*/1.0);
    arch_ = std::make_unique<ArchUpdater>(ctx.arch, std::vector<torch::nn::Module*>{online_.get(), target_.get()});
    FlatOptimizerOptions opt;
    opt.kind = o.optimizer;
    opt.lr = o.lr;
    opt.eps = o.eps;
    opt.alpha = o.rmsprop_alpha;
    opt.centered = o.rmsprop_centered;
    optimizer_ = std::make_unique<FlatOptimizer>(arch_->weights_of(*online_), opt);
    if (o.num_atoms > 1) {
      support_ = make_support(o.num_atoms, o.v_min, o.v_max, torch::TensorOptions().device(ctx.device));
    }
  }

  int64_t num_envs() const override { return o_.num_envs; }
  torch::nn::Module& network() override { return *online_; }

  Metrics iterate(env::VectorEnv& venv, int64_t steps_done) override {
    if (venv.num_envs() != o_.num_envs) {
      throw Error("dqn: expected a VectorEnv of " + std::to_string(o_.num_envs) + " environments, got " +
                  std::to_string(venv.num_envs()));
    }
    const double progress = ctx_.total_steps > 0 ? static_cast<double>(steps_done) / ctx_.total_steps : 0.0;
    const double lr = schedule_value(o_.lr_schedule, o_.lr, o_.lr_end, progress);
    optimizer_->set_lr(lr);
    const double beta = o_.per_beta_start + (o_.per_beta_end - o_.per_beta_start) * std::clamp(progress, 0.0, 1.0);
    const double epsilon = dqn_epsilon(o_, steps_done);
    arch_->begin_iteration(steps_done, ctx_.total_steps);

    // act and store
    {
      torch::NoGradGuard no_grad;
      const auto obs = venv.observations().clone();  // step() overwrites the buffer in place
      const auto actions = epsilon_greedy(obs, epsilon);
      venv.step(actions);
      const auto& terminated = venv.terminated();
      const auto& truncated = venv.truncated();
      // Rows that ended were reset: their transition ends in the final observation, which a
      // truncated episode bootstraps from (the buffer keeps terminated and truncated apart).
      auto next_obs = venv.observations();
      const auto ended = terminated | truncated;
      if (ended.any().item<bool>()) {
        const auto rows = ended.nonzero().squeeze(1);
        next_obs = next_obs.clone().index_copy_(0, rows, venv.final_observations().index_select(0, rows));
      }
      const auto rewards = o_.reward_scale == 1.0 ? venv.rewards() : venv.rewards() / o_.reward_scale;
      replay_.add(obs, actions, rewards, next_obs, terminated, truncated);
    }

    // updates due in the env steps just taken
    double loss_sum = 0, q_sum = 0;
    int64_t updates = 0;
    for (int64_t step = steps_done + 1; step <= steps_done + o_.num_envs; ++step) {
      if (step <= o_.learning_starts) continue;
      if (step % o_.train_frequency == 0 && replay_.size() >= o_.batch_size) {
        for (int64_t g = 0; g < o_.gradient_steps; ++g) {
          const auto [loss, q] = update(beta);
          loss_sum += loss;
          q_sum += q;
          ++updates;
        }
      }
      if (step % o_.target_update_period == 0) update_target(o_.tau);
    }
    updates_ += updates;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double n = static_cast<double>(updates);
    Metrics m = {{"loss", updates ? loss_sum / n : nan},
                 {"q_mean", updates ? q_sum / n : nan},
                 {"epsilon", epsilon},
                 {"lr", lr},
                 {"per_beta", o_.prioritized ? beta : nan},
                 {"buffer_size", static_cast<double>(replay_.size())}};
    for (auto& x : arch_->metrics()) m.push_back(std::move(x));
    return m;
  }

  torch::Tensor act(const torch::Tensor& obs, bool greedy) override {
    torch::NoGradGuard no_grad;
    return greedy ? greedy_actions(obs) : epsilon_greedy(obs, o_.eval_epsilon);
  }

  void save(torch::serialize::OutputArchive& a) override {
    torch::serialize::OutputArchive online, target, optimizer;
    online_->save(online);
    target_->save(target);
    optimizer_->save(optimizer);
    a.write("online", online);
    a.write("target", target);
    a.write("optimizer", optimizer);
    a.write("generator", gen_.get_state());
    a.write("updates", torch::tensor(updates_));
    arch_->save(a);
    ByteWriter replay;
    replay_.save(replay);
    a.write("replay", bytes_to_tensor(replay.bytes()));
  }

  void load(torch::serialize::InputArchive& a) override {
    torch::serialize::InputArchive online, target, optimizer;
    a.read("online", online);
    a.read("target", target);
    a.read("optimizer", optimizer);
    online_->load(online);
    target_->load(target);
    online_->to(ctx_.device);
    target_->to(ctx_.device);
    optimizer_->load(optimizer);  // also re-points the loaded weights into its flat buffer
    torch::Tensor state, updates, replay;
    a.read("generator", state);
    gen_.set_state(state);
    a.read("updates", updates);
    arch_->load(a);
    updates_ = updates.item<int64_t>();
    a.read("replay", replay);
    replay = replay.contiguous();
    ByteReader reader(tensor_bytes(replay), "dqn checkpoint replay buffer");
    replay_.load(reader);
    reader.expect_done();
  }

 private:
  static ReplayOptions replay_options(const DqnOptions& o, const AlgorithmContext& ctx) {
    ReplayOptions r;
    r.capacity = o.buffer_size;
    r.num_envs = o.num_envs;
    r.obs_shape = ctx.obs_spec.shape;
    // bool/uint8 observations are exact in a byte: 4x less replay memory (MinAtar Breakout with
    // 100k transitions: 80 MB instead of 320).
    r.compact_obs = o.compact_obs == "auto" ? ctx.obs_spec.dtype != env::DType::kFloat32 : o.compact_obs == "true";
    r.action_dim = 0;
    r.n_step = o.n_step;
    r.gamma = o.gamma;
    r.prioritized = o.prioritized;
    r.alpha = o.per_alpha;
    r.priority_eps = o.per_eps;
    return r;
  }

  // Q-values [B, A] of observations already on the device (expected values under C51).
  torch::Tensor q_values(nn::QNetwork& net, const torch::Tensor& obs) {
    const auto out = net->forward(obs);
    return o_.num_atoms == 1 ? out : expected_q(out, support_);
  }

  torch::Tensor greedy_actions(const torch::Tensor& obs) {
    return q_values(online_, obs.to(ctx_.device)).argmax(1).to(torch::kCPU).contiguous();
  }

  // Both draws are made every call, so the generator advances the same way whatever the coins say.
  torch::Tensor epsilon_greedy(const torch::Tensor& obs, double epsilon) {
    const int64_t n = obs.size(0);
    const auto explore = torch::rand({n}, gen_, torch::kFloat64) < epsilon;
    const auto random = torch::randint(num_actions_, {n}, gen_, torch::kLong);
    if (explore.all().item<bool>()) return random;  // skips the forward pass while the buffer fills
    return torch::where(explore, random, greedy_actions(obs));
  }

  struct BatchLoss {
    torch::Tensor loss, priorities, q_taken;
  };
  // The loss of one replay batch (importance-weighted), its new priorities and Q of the actions.
  BatchLoss batch_loss(const ReplayBatch& batch) {
    const auto& device = ctx_.device;
    const auto obs = batch.obs.to(device), next_obs = batch.next_obs.to(device);
    const auto actions = batch.actions.to(device), rewards = batch.rewards.to(device);
    const auto discounts = batch.discounts.to(device), weights = batch.weights.to(device);
    const int64_t b = obs.size(0);
    // Double Q needs the online network at s' too: one forward over [s; s'] instead of two.
    const auto online_out = online_->forward(o_.double_q ? torch::cat({obs, next_obs}) : obs);
    const auto out = online_out.slice(0, 0, b);
    torch::Tensor per_sample, priorities, q_taken;
    if (o_.num_atoms == 1) {
      // TD loss
      q_taken = out.gather(1, actions.unsqueeze(1)).squeeze(1);
      torch::Tensor target;
      {
        torch::NoGradGuard no_grad;
        const auto next_online = o_.double_q ? online_out.slice(0, b).detach() : torch::Tensor();
        target = q_learning_target(target_->forward(next_obs), next_online, rewards, discounts);
      }
      const auto td = q_taken - target;
      per_sample = td_loss(td, o_.loss);
      priorities = td.detach().abs();
    } else {
      // C51 loss: cross-entropy to the projected target distribution
      const auto logits = out.gather(1, actions.view({b, 1, 1}).expand({b, 1, o_.num_atoms})).squeeze(1);
      torch::Tensor target;
      {
        torch::NoGradGuard no_grad;
        const auto next_online = o_.double_q ? expected_q(online_out.slice(0, b).detach(), support_) : torch::Tensor();
        target = categorical_target(target_->forward(next_obs), next_online, rewards, discounts, o_.v_min, o_.v_max);
      }
      per_sample = categorical_loss(logits, target);
      // Rainbow prioritizes by the distributional loss, not by a TD error.
      priorities = per_sample.detach();
      q_taken = expected_q(logits.detach(), support_);
    }
    // Importance weights undo prioritized sampling's bias (all 1 for uniform replay).
    return {(weights * per_sample).mean(), priorities, q_taken.detach()};
  }

  // One gradient step on a replay batch; returns (loss, mean Q of the taken actions). Mixed
  // supernets (arch.h): alpha steps on the same loss (one-level), or first on a batch of its own
  // with the weights fixed (bi-level: two batches of half the size).
  std::pair<double, double> update(double beta) {
    if (arch_->bilevel()) {
      const auto arch_batch = replay_.sample(std::max<int64_t>(1, o_.batch_size / 2), gen_, beta);
      const auto arch_out = batch_loss(arch_batch);
      arch_->step_alone(arch_out.loss);
      if (o_.prioritized) replay_.update_priorities(arch_batch.indices, arch_out.priorities.to(torch::kCPU));
    }
    const auto batch =
        replay_.sample(arch_->bilevel() ? std::max<int64_t>(1, o_.batch_size / 2) : o_.batch_size, gen_, beta);
    const auto out = batch_loss(batch);
    optimizer_->zero_grad();
    arch_->zero_grad();
    arch_->weight_loss(out.loss).backward();
    if (o_.max_grad_norm > 0) optimizer_->clip_grad_norm(o_.max_grad_norm);
    optimizer_->step();
    arch_->after_weight_step();
    if (o_.prioritized) replay_.update_priorities(batch.indices, out.priorities.to(torch::kCPU));
    return {out.loss.item<double>(), out.q_taken.mean().item<double>()};
  }

  // target <- tau * online + (1 - tau) * target, over parameters and floating buffers.
  void update_target(double tau) { soft_update(*target_, *online_, tau, /*average_buffers=*/true); }

  DqnOptions o_;
  AlgorithmContext ctx_;
  at::Generator gen_;
  ReplayBuffer replay_;
  int64_t num_actions_ = 0;
  nn::QNetwork online_{nullptr}, target_{nullptr};
  std::unique_ptr<FlatOptimizer> optimizer_;
  std::unique_ptr<ArchUpdater> arch_;
  torch::Tensor support_;
  int64_t updates_ = 0;  // gradient steps taken (kept for checkpoints and inspection)
};

class DqnFactory final : public AlgorithmFactory {
 public:
  std::string name() const override { return "dqn"; }
  // CleanRL dqn.py's QNetwork: 120-84 ReLU (its other defaults are DqnOptions').
  AlgorithmCapabilities capabilities() const override {
    return {.mixed_supernets = true, .mlp_hidden = {120, 84}, .activation = "relu"};
  }
  void bind(OptionTable& table) override { options_.bind(table, "dqn."); }
  void validate(const env::ActionSpec& action_spec) const override {
    if (!action_spec.is_discrete()) {
      throw Error("dqn needs discrete actions, but the environment's actions are " + action_spec.to_string() +
                  " (use sac or ppo for continuous control)");
    }
    options_.check();
  }
  std::unique_ptr<Algorithm> create(const AlgorithmContext& ctx) const override {
    return std::make_unique<DqnAlgorithm>(options_, ctx);
  }
  int64_t updates(const nlohmann::json& config, int64_t steps) const override {  // one per train_frequency steps
    const int64_t freq = config.value("dqn.train_frequency", int64_t{1}),
                  start = config.value("dqn.learning_starts", int64_t{0});
    return freq > 0 ? std::max<int64_t>(0, steps - start) / freq : 0;
  }

 private:
  DqnOptions options_;
};

}  // namespace

std::unique_ptr<AlgorithmFactory> make_dqn_factory() { return std::make_unique<DqnFactory>(); }

}  // namespace rlnas::rl
