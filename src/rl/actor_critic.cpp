// PPO and A2C: rollout -> GAE -> epochs x minibatches of clipped-surrogate updates.
#include "rlnas/rl/actor_critic.h"

#include <chrono>
#include <cmath>

#include "rlnas/core/error.h"
#include "rlnas/rl/arch.h"
#include "rlnas/rl/flat_optimizer.h"
#include "rlnas/rl/normalize.h"
#include "rlnas/rl/schedule.h"
#include "rlnas/space/supernet.h"

namespace rlnas::rl {

ActorCriticOptions ActorCriticOptions::ppo_defaults() { return {}; }

ActorCriticOptions ActorCriticOptions::a2c_defaults() {
  ActorCriticOptions o;
  o.num_envs = 16;
  o.num_steps = 5;
  o.lr = 7e-4;
  o.lr_schedule = "constant";
  o.gae_lambda = 1.0;
  o.epochs = 1;
  o.minibatches = 1;
  o.clip_coef = 0.0;
  o.clip_value = false;
  o.norm_adv = false;
  o.optimizer = "rmsprop";
  return o;
}

bool ActorCriticOptions::critic_separate(const std::vector<int64_t>& obs_shape, bool supernet) const {
  if (separate_critic == "auto") return obs_shape.size() == 1 && !supernet;
  return separate_critic == "true";
}

void ActorCriticOptions::bind(OptionTable& t, const std::string& p) {
  t.add(p + "num_envs", &num_envs, "parallel environments", 1, 4096)
      .add(p + "num_steps", &num_steps, "rollout length per environment", 1, 1e6)
      .add(p + "lr", &lr, "initial learning rate", 0, 1)
      .add(p + "lr_schedule", &lr_schedule, "learning-rate schedule", schedule_names())
      .add(p + "lr_end", &lr_end, "learning rate at the end of training", 0, 1)
      .add(p + "lr_hold", &lr_hold, "constant_then_linear: fraction of training before the decay", 0, 1)
      .add(p + "gamma", &gamma, "discount factor", 0, 1)
      .add(p + "gae_lambda", &gae_lambda, "GAE lambda (1 = n-step returns)", 0, 1)
      .add(p + "epochs", &epochs, "update passes over each rollout", 1, 1000)
      .add(p + "minibatches", &minibatches, "minibatches per pass", 1, 1e6)
      .add(p + "clip_coef", &clip_coef, "PPO ratio clip range (0 = no clipping)", 0, 10)
      .add(p + "clip_value", &clip_value, "clip value updates to +-clip_coef around rollout values")
      .add(p + "ent_coef", &ent_coef, "entropy bonus coefficient", 0, 10)
      .add(p + "vf_coef", &vf_coef, "value-loss coefficient", 0, 100)
      .add(p + "max_grad_norm", &max_grad_norm, "gradient-norm clip (0 = off)", 0, 1e6)
      .add(p + "norm_adv", &norm_adv, "normalize advantages per minibatch")
      .add(p + "optimizer", &optimizer, "optimizer", {"adam", "rmsprop"})
      .add(p + "eps", &eps, "optimizer epsilon", 0, 1)
      .add(p + "rmsprop_alpha", &rmsprop_alpha, "RMSProp smoothing constant", 0, 1)
      .add(p + "separate_critic", &separate_critic,
           "critic gets its own backbone: auto (separate for vector observations as CleanRL and SB3, shared for "
           "images and supernets) | true | false",
           {"auto", "true", "false"})
      .add(p + "norm_obs", &norm_obs, "running observation normalization")
      .add(p + "norm_reward", &norm_reward, "scale rewards by the running std of discounted returns");
}

torch::Tensor compute_gae(const torch::Tensor& rewards, const torch::Tensor& values, const torch::Tensor& dones,
                          const torch::Tensor& next_value, double gamma, double lambda) {
  // A scalar loop on the CPU: per-element tensor ops over T steps cost far more than the math.
  const auto device = values.device();
  const auto f32_cpu = [](const torch::Tensor& t) { return t.to(torch::kCPU, torch::kFloat).contiguous(); };
  const auto r = f32_cpu(rewards), v = f32_cpu(values), d = f32_cpu(dones), nv = f32_cpu(next_value);
  const int64_t steps = r.size(0), n = r.numel() / std::max<int64_t>(steps, 1);
  auto advantages = torch::empty_like(r);
  const float *rp = r.data_ptr<float>(), *vp = v.data_ptr<float>(), *dp = d.data_ptr<float>(),
              *np = nv.data_ptr<float>();
  float* ap = advantages.data_ptr<float>();
  const auto g = static_cast<float>(gamma), gl = static_cast<float>(gamma * lambda);
  for (int64_t i = 0; i < n; ++i) {
    float last = 0;
    for (int64_t t = steps - 1; t >= 0; --t) {
      const int64_t k = t * n + i;
      const float next = t == steps - 1 ? np[i] : vp[k + n];
      const float not_done = 1.0f - dp[k];
      const float delta = rp[k] + g * next * not_done - vp[k];
      last = delta + gl * not_done * last;
      ap[k] = last;
    }
  }
  return advantages.to(device);
}

PolicyLossTerms ppo_policy_loss(const torch::Tensor& new_log_prob, const torch::Tensor& old_log_prob,
                                const torch::Tensor& advantages, double clip_coef) {
  const auto log_ratio = new_log_prob - old_log_prob;
  const auto ratio = log_ratio.exp();
  PolicyLossTerms out;
  if (clip_coef > 0) {
    const auto unclipped = -advantages * ratio;
    const auto clipped = -advantages * ratio.clamp(1.0 - clip_coef, 1.0 + clip_coef);
    out.policy_loss = torch::max(unclipped, clipped).mean();
    out.clip_fraction = ((ratio - 1.0).abs() > clip_coef).to(torch::kFloat).mean().detach();
  } else {
    out.policy_loss = (-advantages * ratio).mean();
    out.clip_fraction = torch::zeros({});
  }
  out.approx_kl = ((ratio - 1.0) - log_ratio).mean().detach();
  return out;
}

torch::Tensor value_loss(const torch::Tensor& values, const torch::Tensor& old_values, const torch::Tensor& returns,
                         double clip) {
  const auto unclipped = (values - returns).square();
  if (clip <= 0) return 0.5 * unclipped.mean();
  const auto clipped_values = old_values + (values - old_values).clamp(-clip, clip);
  return 0.5 * torch::max(unclipped, (clipped_values - returns).square()).mean();
}

namespace {

class ActorCriticAlgorithm final : public Algorithm {
 public:
  ActorCriticAlgorithm(const ActorCriticOptions& o, const AlgorithmContext& ctx)
      : o_(o), ctx_(ctx), gen_(at::make_generator<at::CPUGeneratorImpl>(ctx.seed)) {
    const auto& obs_shape = ctx.obs_spec.shape;
    discrete_ = ctx.action_spec.is_discrete();
    const int64_t action_dim = discrete_ ? ctx.action_spec.n : ctx.action_spec.dim();
    torch::manual_seed(ctx.seed);  // weight initialization
    model_ = nn::ActorCritic(ctx.net, obs_shape, discrete_, action_dim, o.critic_separate(obs_shape, ctx.supernet));
    model_->to(ctx.device);
    arch_ = std::make_unique<ArchUpdater>(ctx.arch, std::vector<torch::nn::Module*>{model_.get()});
    FlatOptimizerOptions opt;
    opt.kind = o.optimizer;
    opt.lr = o.lr;
    opt.eps = o.eps;
    opt.alpha = o.rmsprop_alpha;
    // A supernet trains one path per iteration: its off-path ops must not move (SPOS, ENAS).
    opt.skip_unused = !space::find_supernets(*model_).empty();
    optimizer_ = std::make_unique<FlatOptimizer>(arch_->weights_of(*model_), opt);
    batch_ = o.num_envs * o.num_steps;
    if (batch_ % o.minibatches != 0) {
      throw Error("num_envs * num_steps = " + std::to_string(batch_) +
                  " must be divisible by minibatches = " + std::to_string(o.minibatches));
    }
    std::vector<int64_t> obs_buf{o.num_steps, o.num_envs};
    obs_buf.insert(obs_buf.end(), obs_shape.begin(), obs_shape.end());
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(ctx.device);
    obs_ = torch::zeros(obs_buf, f32);
    actions_ = discrete_ ? torch::zeros({o.num_steps, o.num_envs}, f32.dtype(torch::kLong))
                         : torch::zeros({o.num_steps, o.num_envs, action_dim}, f32);
    log_probs_ = torch::zeros({o.num_steps, o.num_envs}, f32);
    // Rewards and episode ends come from the (CPU) environments and feed the CPU GAE loop.
    rewards_ = torch::zeros({o.num_steps, o.num_envs}, torch::kFloat);
    dones_ = torch::zeros({o.num_steps, o.num_envs}, torch::kFloat);
    values_ = torch::zeros({o.num_steps, o.num_envs}, f32);
    if (ctx.distill.enabled()) {
      if (!ctx.teacher) throw Error("distill.teacher is set but no teacher was loaded");
      if (!discrete_) throw Error("distill: actor distillation is implemented for discrete actions only");
      auxiliary_ = make_distillation(ctx.distill, ctx.teacher, o.num_steps, o.num_envs, action_dim, f32);
    }
    if (o.norm_obs) obs_rms_ = RunningMeanStd(obs_shape);
    if (o.norm_reward) {
      reward_rms_ = RunningMeanStd(std::vector<int64_t>{});
      discounted_return_ = torch::zeros({o.num_envs}, torch::kFloat64);
    }
    if (!discrete_) {
      action_low_ = torch::tensor(ctx.action_spec.box.low_values());
      action_high_ = torch::tensor(ctx.action_spec.box.high_values());
    }
  }

  int64_t num_envs() const override { return o_.num_envs; }
  torch::nn::Module& network() override { return *model_; }

  // Observations as the network sees them (normalized when enabled), on the model's device.
  torch::Tensor prepare(const torch::Tensor& raw) const {
    auto x = raw.to(ctx_.device);
    return o_.norm_obs ? obs_rms_.normalize(x).to(torch::kFloat) : x;
  }

  // Actions to send to the environment: CPU, clipped to the box for continuous control.
  torch::Tensor env_actions(const torch::Tensor& actions) const {
    auto a = actions.to(torch::kCPU);
    return discrete_ ? a.contiguous() : torch::max(torch::min(a, action_high_), action_low_).contiguous();
  }

  // The critic of advantages and bootstraps: an auxiliary term's when it replaces the student's
  // (distill.variant teacher_critic).
  torch::Tensor critic_value(const torch::Tensor& obs) {
    if (auxiliary_) {
      if (auto v = auxiliary_->critic(obs)) return *v;
    }
    return model_->value(obs);
  }

  nn::PolicyDistribution on_cpu(nn::PolicyDistribution d) const {
    if (ctx_.device.is_cpu()) return d;
    if (d.discrete) {
      d.logits = d.logits.cpu();
    } else {
      d.mean = d.mean.cpu();
      d.log_std = d.log_std.cpu();
    }
    return d;
  }

  Metrics iterate(env::VectorEnv& venv, int64_t steps_done) override {
    if (venv.num_envs() != o_.num_envs) {
      throw Error("actor-critic: expected a VectorEnv of " + std::to_string(o_.num_envs) + " environments, got " +
                  std::to_string(venv.num_envs()));
    }
    const double progress = ctx_.total_steps > 0 ? static_cast<double>(steps_done) / ctx_.total_steps : 0.0;
    const double lr = schedule_value(o_.lr_schedule, o_.lr, o_.lr_end, progress, o_.lr_hold);
    optimizer_->set_lr(lr);
    arch_->begin_iteration(steps_done, ctx_.total_steps);

    using Clock = std::chrono::steady_clock;
    const auto t_start = Clock::now();
    // rollout
    {
      torch::NoGradGuard no_grad;
      for (int64_t t = 0; t < o_.num_steps; ++t) {
        const auto& raw = venv.observations();
        if (o_.norm_obs) obs_rms_.update(raw);
        const auto obs = prepare(raw);
        const auto out = model_->forward(obs);
        const auto dist = on_cpu(out.policy);
        const auto action = dist.sample(gen_);
        obs_[t].copy_(obs);
        actions_[t].copy_(action);
        log_probs_[t].copy_(dist.log_prob(action));
        values_[t].copy_(out.value);
        if (auxiliary_) auxiliary_->record(t, obs, values_[t]);
        venv.step(env_actions(action));
        const int64_t n = o_.num_envs;
        const bool* term = venv.terminated().data_ptr<bool>();
        const bool* trunc = venv.truncated().data_ptr<bool>();
        float* reward_row = rewards_.data_ptr<float>() + t * n;
        float* done_row = dones_.data_ptr<float>() + t * n;
        if (o_.norm_reward) {
          auto reward = venv.rewards().to(torch::kFloat64);
          const auto terminated = venv.terminated();
          const auto truncated = venv.truncated();
          discounted_return_ = discounted_return_ * o_.gamma * (1.0 - terminated.to(torch::kFloat64)) + reward;
          reward_rms_.update(discounted_return_);
          reward = (reward / (reward_rms_.var() + 1e-8).sqrt()).clamp(-10.0, 10.0);
          discounted_return_.masked_fill_(terminated | truncated, 0.0);
          const double* rp = reward.data_ptr<double>();
          for (int64_t i = 0; i < n; ++i) reward_row[i] = static_cast<float>(rp[i]);
        } else {
          const float* rp = venv.rewards().data_ptr<float>();
          std::copy(rp, rp + n, reward_row);
        }
        bool any_truncated = false;
        for (int64_t i = 0; i < n; ++i) {
          done_row[i] = term[i] || trunc[i] ? 1.0f : 0.0f;
          any_truncated = any_truncated || trunc[i];
        }
        // A time-limit cut is not the end of the task: bootstrap from the final observation.
        if (any_truncated) {
          const auto idx = venv.truncated().nonzero().squeeze(1);
          const auto final_obs = prepare(venv.final_observations().index_select(0, idx));
          const auto bootstrap = critic_value(final_obs).to(torch::kCPU, torch::kFloat64).contiguous();
          const int64_t* ip = idx.data_ptr<int64_t>();
          const double* bp = bootstrap.data_ptr<double>();
          for (int64_t j = 0; j < idx.numel(); ++j) {
            reward_row[ip[j]] = static_cast<float>(static_cast<double>(reward_row[ip[j]]) + o_.gamma * bp[j]);
          }
        }
      }
    }

    // GAE
    torch::Tensor advantages, returns;
    {
      torch::NoGradGuard no_grad;
      const auto next_value = critic_value(prepare(venv.observations()));
      advantages = compute_gae(rewards_, values_, dones_, next_value, o_.gamma, o_.gae_lambda);
      returns = advantages + values_;
    }

    const auto t_update = Clock::now();
    // update: epochs x minibatches
    auto b_obs = obs_.flatten(0, 1);
    auto b_actions = actions_.flatten(0, 1);
    auto b_log_probs = log_probs_.flatten(0, 1);
    auto b_advantages = advantages.flatten(0, 1);
    auto b_returns = returns.flatten(0, 1);
    auto b_values = values_.flatten(0, 1);
    const int64_t mb = batch_ / o_.minibatches;
    // Per-minibatch statistics stay tensors until the end: one sync instead of five per step.
    std::vector<torch::Tensor> stats;
    for (int64_t epoch = 0; epoch < o_.epochs; ++epoch) {
      const auto perm = torch::randperm(batch_, gen_, torch::kLong).to(ctx_.device);
      // One shuffle per epoch; minibatches are then contiguous slices (views, no copies).
      const auto e_obs = b_obs.index_select(0, perm), e_actions = b_actions.index_select(0, perm),
                 e_log_probs = b_log_probs.index_select(0, perm), e_advantages = b_advantages.index_select(0, perm),
                 e_returns = b_returns.index_select(0, perm), e_values = b_values.index_select(0, perm);
      if (auxiliary_) auxiliary_->shuffle(perm);
      // The loss of rows [start, start + n) of this epoch's order, and its statistics.
      auto minibatch_loss = [&](int64_t start, int64_t n) {
        const auto out = model_->forward(e_obs.narrow(0, start, n));
        const auto new_log_prob = out.policy.log_prob(e_actions.narrow(0, start, n));
        const auto entropy = out.policy.entropy().mean();
        auto adv = e_advantages.narrow(0, start, n);
        if (o_.norm_adv) adv = (adv - adv.mean()) / (adv.std() + 1e-8);
        const auto pl = ppo_policy_loss(new_log_prob, e_log_probs.narrow(0, start, n), adv, o_.clip_coef);
        const auto vl = value_loss(out.value, e_values.narrow(0, start, n), e_returns.narrow(0, start, n),
                                   o_.clip_value ? o_.clip_coef : 0.0);
        auto loss = pl.policy_loss - o_.ent_coef * entropy;
        if (!auxiliary_ || auxiliary_->trains_critic()) loss = loss + o_.vf_coef * vl;
        auto aux = torch::zeros({}, loss.options());
        if (auxiliary_) loss = auxiliary_->add_to(loss, start, n, out, &aux);
        auto st = torch::stack({pl.policy_loss.detach(), vl.detach(), entropy.detach(), pl.approx_kl,
                                pl.clip_fraction.to(pl.approx_kl.device()), aux});
        return std::make_pair(loss, st);
      };
      for (int64_t start = 0; start < batch_; start += mb) {
        int64_t first = start, n = mb;
        if (arch_->bilevel()) {
          // First-order bi-level: alpha on the first half of the minibatch, the weights on the second.
          const int64_t half = mb / 2;
          if (half < 1) throw Error("arch.level bi needs minibatches of at least 2 samples");
          arch_->step_alone(minibatch_loss(start, half).first);
          first = start + half;
          n = mb - half;
        }
        auto [loss, st] = minibatch_loss(first, n);
        optimizer_->zero_grad();
        arch_->zero_grad();
        arch_->weight_loss(loss).backward();
        if (o_.max_grad_norm > 0) optimizer_->clip_grad_norm(o_.max_grad_norm);
        optimizer_->step();
        arch_->after_weight_step();
        stats.push_back(st);
      }
    }
    const auto var_returns = b_returns.var().item<double>();
    const double explained_variance =
        var_returns == 0 ? std::nan("") : 1.0 - (b_returns - b_values).var().item<double>() / var_returns;
    ++iteration_;
    const auto mean_stats = torch::stack(stats).mean(0).to(torch::kCPU, torch::kDouble);
    const auto* st = mean_stats.data_ptr<double>();
    const double rollout_s = std::chrono::duration<double>(t_update - t_start).count();
    const double update_s = std::chrono::duration<double>(Clock::now() - t_update).count();
    Metrics m = {{"policy_loss", st[0]},
                 {"value_loss", st[1]},
                 {"entropy", st[2]},
                 {"approx_kl", st[3]},
                 {"clip_fraction", st[4]},
                 {"explained_variance", explained_variance},
                 {"lr", lr},
                 {"rollout_s", rollout_s},
                 {"update_s", update_s}};
    if (auxiliary_) m.push_back({auxiliary_->metric_name(), st[5]});
    for (auto& x : arch_->metrics()) m.push_back(std::move(x));
    return m;
  }

  torch::Tensor act(const torch::Tensor& obs, bool greedy) override {
    torch::NoGradGuard no_grad;
    const auto out = model_->forward(prepare(obs));
    const auto dist = on_cpu(out.policy);
    return env_actions(greedy ? dist.mode() : dist.sample(gen_));
  }

  void save(torch::serialize::OutputArchive& a) override {
    torch::serialize::OutputArchive model, optimizer;
    model_->save(model);
    optimizer_->save(optimizer);
    a.write("model", model);
    a.write("optimizer", optimizer);
    a.write("generator", gen_.get_state());
    a.write("iteration", torch::tensor(iteration_));
    arch_->save(a);
    if (o_.norm_obs) obs_rms_.save(a, "obs_rms");
    if (o_.norm_reward) {
      reward_rms_.save(a, "reward_rms");
      a.write("discounted_return", discounted_return_);
    }
  }

  void load(torch::serialize::InputArchive& a) override {
    torch::serialize::InputArchive model, optimizer;
    a.read("model", model);
    a.read("optimizer", optimizer);
    model_->load(model);
    optimizer_->load(optimizer);  // also re-attaches the loaded weights to the flat buffer
    torch::Tensor state, iteration;
    a.read("generator", state);
    gen_.set_state(state);
    a.read("iteration", iteration);
    iteration_ = iteration.item<int64_t>();
    arch_->load(a);
    if (o_.norm_obs) obs_rms_.load(a, "obs_rms");
    if (o_.norm_reward) {
      reward_rms_.load(a, "reward_rms");
      a.read("discounted_return", discounted_return_);
    }
  }

 private:
  ActorCriticOptions o_;
  AlgorithmContext ctx_;
  at::Generator gen_;
  bool discrete_ = true;
  nn::ActorCritic model_{nullptr};
  std::unique_ptr<FlatOptimizer> optimizer_;
  std::unique_ptr<ArchUpdater> arch_;
  std::unique_ptr<AuxiliaryLoss> auxiliary_;  // distillation (distill.*), or none
  int64_t batch_ = 0;
  int64_t iteration_ = 0;
  torch::Tensor obs_, actions_, log_probs_, rewards_, dones_, values_;
  torch::Tensor action_low_, action_high_;
  RunningMeanStd obs_rms_, reward_rms_;
  torch::Tensor discounted_return_;
};

class ActorCriticFactory final : public AlgorithmFactory {
 public:
  explicit ActorCriticFactory(std::string name)
      : name_(std::move(name)),
        options_(name_ == "a2c" ? ActorCriticOptions::a2c_defaults() : ActorCriticOptions::ppo_defaults()) {}
  std::string name() const override { return name_; }
  AlgorithmCapabilities capabilities() const override {
    return {.actor_critic = true, .on_policy = true, .mixed_supernets = true};
  }
  void bind(OptionTable& table) override { options_.bind(table, name_ + "."); }
  void validate(const env::ActionSpec&) const override {
    const int64_t batch = options_.num_envs * options_.num_steps;
    if (batch % options_.minibatches != 0) {
      throw Error(name_ + ": num_envs * num_steps = " + std::to_string(batch) +
                  " must be divisible by minibatches = " + std::to_string(options_.minibatches));
    }
  }
  std::unique_ptr<Algorithm> create(const AlgorithmContext& ctx) const override {
    return std::make_unique<ActorCriticAlgorithm>(options_, ctx);
  }
  int64_t updates(const nlohmann::json& config, int64_t steps) const override {  // one per rollout
    const int64_t per = config.value(name_ + ".num_envs", int64_t{0}) * config.value(name_ + ".num_steps", int64_t{0});
    return per > 0 ? steps / per : 0;
  }
  int64_t gradient_steps_per_update(const nlohmann::json& config) const override {
    return config.value(name_ + ".epochs", int64_t{1}) * config.value(name_ + ".minibatches", int64_t{1});
  }

 private:
  std::string name_;
  ActorCriticOptions options_;
};

}  // namespace

std::unique_ptr<AlgorithmFactory> make_actor_critic_factory(const std::string& name) {
  return std::make_unique<ActorCriticFactory>(name);
}

}  // namespace rlnas::rl
