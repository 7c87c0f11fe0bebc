// SAC: one environment step per iteration into a replay buffer, then soft Q-learning of a twin
// critic and a reparameterised actor update, as CleanRL's sac_continuous_action.py.
#include "rlnas/rl/sac.h"

#include <cmath>
#include <limits>
#include <string_view>

#include "rlnas/core/bytes.h"
#include "rlnas/core/error.h"
#include "rlnas/rl/replay.h"
#include "rlnas/rl/tensors.h"

namespace rlnas::rl {

void SacOptions::bind(OptionTable& t, const std::string& p) {
  t.add(p + "num_envs", &num_envs, "parallel environments", 1, 4096)
      .add(p + "buffer_size", &buffer_size, "replay capacity in transitions", 1, 1e9)
      .add(p + "gamma", &gamma, "discount factor", 0, 1)
      .add(p + "tau", &tau, "target-critic Polyak rate (1 = hard copy)", 0, 1)
      .add(p + "batch_size", &batch_size, "transitions per gradient update", 1, 1e6)
      .add(p + "learning_starts", &learning_starts, "environment steps of uniform random actions before learning", 0,
           1e13)
      .add(p + "policy_lr", &policy_lr, "actor learning rate (Adam)", 0, 1)
      .add(p + "q_lr", &q_lr, "critic and temperature learning rate (Adam)", 0, 1)
      .add(p + "policy_frequency", &policy_frequency,
           "critic updates per delayed actor phase; the actor then updates this many times", 1, 1000)
      .add(p + "target_network_frequency", &target_network_frequency, "critic updates between target-critic updates", 1,
           1e6)
      .add(p + "alpha", &alpha, "entropy temperature when autotune is off", 0, 1e3)
      .add(p + "autotune", &autotune, "learn alpha (from 1) towards the target entropy")
      .add(p + "target_entropy_scale", &target_entropy_scale, "target entropy = -scale * action dimensions", -1e3, 1e3)
      .add(p + "q_hidden", &q_hidden, "width of the two hidden layers of each Q network", 1, 1e5)
      .add(p + "q_input", &q_input,
           "Q-network input: flat = concat(flattened obs, action) (CleanRL), backbone = net.* features and action",
           {"flat", "backbone"})
      .add(p + "updates_per_step", &updates_per_step, "gradient updates per iteration (one step of every environment)",
           1, 1000);
}

torch::Tensor soft_q_target(const torch::Tensor& rewards, const torch::Tensor& discounts, const torch::Tensor& next_q1,
                            const torch::Tensor& next_q2, const torch::Tensor& next_log_prob,
                            const torch::Tensor& alpha) {
  return rewards + discounts * (torch::min(next_q1, next_q2) - alpha * next_log_prob);
}

torch::Tensor temperature_loss(const torch::Tensor& log_alpha, const torch::Tensor& log_prob, double target_entropy) {
  return (-log_alpha.exp() * (log_prob + target_entropy)).mean();
}

namespace {

class SacAlgorithm final : public Algorithm {
 public:
  SacAlgorithm(const SacOptions& o, const AlgorithmContext& ctx)
      : o_(o), ctx_(ctx), gen_(at::make_generator<at::CPUGeneratorImpl>(ctx.seed)), replay_(replay_options(o, ctx)) {
    // Replay indices and warm-up actions are drawn on the CPU; the actor's noise is drawn where
    // the networks live, so on a GPU it needs a generator of that device.
    if (ctx.device.is_cpu()) {
      noise_gen_ = gen_;
    } else {
      noise_gen_ = at::globalContext().defaultGenerator(ctx.device).clone();
      noise_gen_.set_current_seed(ctx.seed);
    }
    const int64_t action_dim = ctx.action_spec.dim();
    const std::vector<float> low = ctx.action_spec.box.low_values(), high = ctx.action_spec.box.high_values();
    action_low_ = torch::tensor(low);
    action_high_ = torch::tensor(high);

    torch::manual_seed(ctx.seed);  // weight initialization
    actor_ = nn::SquashedGaussianActor(ctx.net, ctx.obs_spec.shape, low, high);
    nn::NetOptions q_net = ctx.net;
    if (o.q_input == "flat") {  // an mlp backbone without hidden layers just flattens
      q_net.name = "mlp";
      q_net.mlp_hidden.clear();
    }
    qf_ = nn::TwinQ(q_net, ctx.obs_spec.shape, action_dim, o.q_hidden);
    qf_target_ = nn::TwinQ(q_net, ctx.obs_spec.shape, action_dim, o.q_hidden);
    soft_update(*qf_target_, *qf_, /*tau=*/1.0, /*average_buffers=*/false);
    for (auto& p : qf_target_->parameters()) p.requires_grad_(false);
    actor_->to(ctx.device);
    qf_->to(ctx.device);
    qf_target_->to(ctx.device);

    actor_optimizer_ =
        std::make_unique<torch::optim::Adam>(actor_->parameters(), torch::optim::AdamOptions(o.policy_lr));
    q_optimizer_ = std::make_unique<torch::optim::Adam>(qf_->parameters(), torch::optim::AdamOptions(o.q_lr));
    target_entropy_ = -o.target_entropy_scale * static_cast<double>(action_dim);
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(ctx.device);
    // CleanRL starts the learned temperature at exp(0) = 1.
    log_alpha_ = o.autotune ? torch::zeros({}, f32) : torch::full({}, std::log(o.alpha), f32);
    if (o.autotune) {
      log_alpha_.requires_grad_(true);
      alpha_optimizer_ = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{log_alpha_},
                                                              torch::optim::AdamOptions(o.q_lr));
    }
  }

  static ReplayOptions replay_options(const SacOptions& o, const AlgorithmContext& ctx) {
    ReplayOptions r;
    r.capacity = o.buffer_size;
    r.num_envs = o.num_envs;
    r.obs_shape = ctx.obs_spec.shape;
    r.action_dim = ctx.action_spec.dim();
    r.gamma = o.gamma;
    return r;
  }

  int64_t num_envs() const override { return o_.num_envs; }
  torch::nn::Module& network() override { return *actor_; }

  torch::Tensor alpha() const { return log_alpha_.detach().exp(); }

  Metrics iterate(env::VectorEnv& venv, int64_t steps_done) override {
    if (venv.num_envs() != o_.num_envs) {
      throw Error("sac: expected a VectorEnv of " + std::to_string(o_.num_envs) + " environments, got " +
                  std::to_string(venv.num_envs()));
    }
    const bool learning = steps_done >= o_.learning_starts;

    // act: uniform random actions until learning starts (CleanRL), then samples of the policy
    const auto obs = venv.observations().clone();  // step() overwrites observations() in place
    const auto actions = learning ? act(obs, /*greedy=*/false) : random_actions(obs.size(0));
    venv.step(actions);
    // Rows that ended already show the next episode's first observation; the transition ends in
    // the final one (a truncated episode bootstraps from it).
    const auto ended = venv.terminated() | venv.truncated();
    auto next_obs = venv.observations();
    if (ended.any().item<bool>()) {
      std::vector<int64_t> row_shape(static_cast<size_t>(next_obs.dim()), 1);
      row_shape[0] = next_obs.size(0);
      next_obs = torch::where(ended.view(row_shape), venv.final_observations(), next_obs);
    }
    replay_.add(obs, actions, venv.rewards(), next_obs, venv.terminated(), venv.truncated());

    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (!learning) {
      return {{"qf1_loss", nan},   {"qf2_loss", nan}, {"actor_loss", nan}, {"alpha", alpha().item<double>()},
              {"alpha_loss", nan}, {"q_mean", nan},   {"entropy", nan}};
    }
    Sums sums;
    for (int64_t u = 0; u < o_.updates_per_step; ++u) update(sums);
    // One transfer for all metrics (no device sync per update).
    const auto zero = torch::zeros({}, log_alpha_.options().requires_grad(false));
    const auto values = torch::stack({sums.qf1_loss, sums.qf2_loss, sums.actor_loss.defined() ? sums.actor_loss : zero,
                                      alpha(), sums.alpha_loss.defined() ? sums.alpha_loss : zero, sums.q_mean,
                                      sums.entropy.defined() ? sums.entropy : zero})
                            .to(torch::kCPU, torch::kDouble);
    const auto* v = values.data_ptr<double>();
    const double critic_n = static_cast<double>(o_.updates_per_step);
    const double actor_n = static_cast<double>(sums.actor_updates);
    const double alpha_n = static_cast<double>(sums.alpha_updates);
    return {{"qf1_loss", v[0] / critic_n},
            {"qf2_loss", v[1] / critic_n},
            {"actor_loss", actor_n > 0 ? v[2] / actor_n : nan},
            {"alpha", v[3]},
            {"alpha_loss", alpha_n > 0 ? v[4] / alpha_n : nan},
            {"q_mean", v[5] / critic_n},
            {"entropy", actor_n > 0 ? v[6] / actor_n : nan}};
  }

  torch::Tensor act(const torch::Tensor& obs, bool greedy) override {
    torch::NoGradGuard no_grad;
    const auto x = obs.to(ctx_.device);
    const auto action = greedy ? actor_->deterministic(x) : actor_->sample(x, noise_gen_).action;
    // tanh keeps actions inside the box; the clamp only absorbs float rounding at its edges.
    return torch::max(torch::min(action.to(torch::kCPU), action_high_), action_low_).contiguous();
  }

  void save(torch::serialize::OutputArchive& a) override {
    torch::serialize::OutputArchive actor, qf, qf_target, actor_opt, q_opt;
    actor_->save(actor);
    qf_->save(qf);
    qf_target_->save(qf_target);
    actor_optimizer_->save(actor_opt);
    q_optimizer_->save(q_opt);
    a.write("actor", actor);
    a.write("qf", qf);
    a.write("qf_target", qf_target);
    a.write("actor_optimizer", actor_opt);
    a.write("q_optimizer", q_opt);
    a.write("log_alpha", log_alpha_.detach().cpu());
    if (alpha_optimizer_) {
      torch::serialize::OutputArchive alpha_opt;
      alpha_optimizer_->save(alpha_opt);
      a.write("alpha_optimizer", alpha_opt);
    }
    a.write("generator", gen_.get_state());
    if (!ctx_.device.is_cpu()) a.write("noise_generator", noise_gen_.get_state());
    a.write("updates", torch::tensor(updates_));
    ByteWriter replay;
    replay_.save(replay);
    a.write("replay", bytes_to_tensor(replay.bytes()));
  }

  void load(torch::serialize::InputArchive& a) override {
    torch::serialize::InputArchive actor, qf, qf_target, actor_opt, q_opt;
    a.read("actor", actor);
    a.read("qf", qf);
    a.read("qf_target", qf_target);
    a.read("actor_optimizer", actor_opt);
    a.read("q_optimizer", q_opt);
    actor_->load(actor);
    qf_->load(qf);
    qf_target_->load(qf_target);
    actor_optimizer_->load(actor_opt);
    q_optimizer_->load(q_opt);
    torch::Tensor log_alpha, state, updates, replay;
    a.read("log_alpha", log_alpha);
    {
      // In place: the temperature optimizer holds this very tensor.
      torch::NoGradGuard no_grad;
      log_alpha_.copy_(log_alpha);
    }
    if (alpha_optimizer_) {
      torch::serialize::InputArchive alpha_opt;
      a.read("alpha_optimizer", alpha_opt);
      alpha_optimizer_->load(alpha_opt);
    }
    a.read("generator", state);
    gen_.set_state(state);
    if (!ctx_.device.is_cpu()) {
      a.read("noise_generator", state);
      noise_gen_.set_state(state);
    }
    a.read("updates", updates);
    updates_ = updates.item<int64_t>();
    a.read("replay", replay);
    replay = replay.contiguous();
    ByteReader reader(tensor_bytes(replay), "sac checkpoint replay");
    replay_.load(reader);
    reader.expect_done();
  }

 private:
  // Per-iteration metric sums, kept as tensors so nothing waits for the device mid-iteration.
  struct Sums {
    torch::Tensor qf1_loss, qf2_loss, q_mean, actor_loss, alpha_loss, entropy;
    int64_t actor_updates = 0, alpha_updates = 0;
  };
  static void accumulate(torch::Tensor& sum, const torch::Tensor& value) {
    sum = sum.defined() ? sum + value.detach() : value.detach();
  }

  torch::Tensor random_actions(int64_t n) {
    const auto u = torch::rand({n, action_low_.size(0)}, gen_);
    return (action_low_ + u * (action_high_ - action_low_)).contiguous();
  }

  void update(Sums& sums) {
    const auto batch = replay_.sample(o_.batch_size, gen_);
    const auto obs = batch.obs.to(ctx_.device);
    const auto actions = batch.actions.to(ctx_.device);
    const auto rewards = batch.rewards.to(ctx_.device);
    const auto next_obs = batch.next_obs.to(ctx_.device);
    const auto discounts = batch.discounts.to(ctx_.device);  // gamma, or 0 after termination

    // critic
    torch::Tensor target;
    {
      torch::NoGradGuard no_grad;
      const auto next = actor_->sample(next_obs, noise_gen_);
      const auto [next_q1, next_q2] = qf_target_->forward(next_obs, next.action);
      target = soft_q_target(rewards, discounts, next_q1, next_q2, next.log_prob, alpha());
    }
    const auto [q1, q2] = qf_->forward(obs, actions);
    const auto qf1_loss = torch::mse_loss(q1, target);
    const auto qf2_loss = torch::mse_loss(q2, target);
    q_optimizer_->zero_grad();
    (qf1_loss + qf2_loss).backward();
    q_optimizer_->step();
    accumulate(sums.qf1_loss, qf1_loss);
    accumulate(sums.qf2_loss, qf2_loss);
    accumulate(sums.q_mean, q1.mean());
    ++updates_;

    // actor: delayed (TD3), then policy_frequency steps so actor and critic step equally often
    if (updates_ % o_.policy_frequency == 0) {
      // The critic only scores the actor's actions here: skip its weight gradients.
      for (auto& p : qf_->parameters()) p.requires_grad_(false);
      for (int64_t k = 0; k < o_.policy_frequency; ++k) {
        const auto pi = actor_->sample(obs, noise_gen_);
        const auto [q1_pi, q2_pi] = qf_->forward(obs, pi.action);
        const auto actor_loss = (alpha() * pi.log_prob - torch::min(q1_pi, q2_pi)).mean();
        actor_optimizer_->zero_grad();
        actor_loss.backward();
        actor_optimizer_->step();
        accumulate(sums.actor_loss, actor_loss);
        accumulate(sums.entropy, -pi.log_prob.mean());
        ++sums.actor_updates;

        // temperature: a fresh sample from the updated actor, as CleanRL
        if (alpha_optimizer_) {
          torch::Tensor log_prob;
          {
            torch::NoGradGuard no_grad;
            log_prob = actor_->sample(obs, noise_gen_).log_prob;
          }
          const auto alpha_loss = temperature_loss(log_alpha_, log_prob, target_entropy_);
          alpha_optimizer_->zero_grad();
          alpha_loss.backward();
          alpha_optimizer_->step();
          accumulate(sums.alpha_loss, alpha_loss);
          ++sums.alpha_updates;
        }
      }
      for (auto& p : qf_->parameters()) p.requires_grad_(true);
    }

    // target critic
    if (updates_ % o_.target_network_frequency == 0) soft_update(*qf_target_, *qf_, o_.tau, /*average_buffers=*/false);
  }

  SacOptions o_;
  AlgorithmContext ctx_;
  at::Generator gen_;        // CPU: replay sampling, warm-up actions
  at::Generator noise_gen_;  // the networks' device: the actor's Gaussian noise (gen_ on the CPU)
  ReplayBuffer replay_;
  nn::SquashedGaussianActor actor_{nullptr};
  nn::TwinQ qf_{nullptr}, qf_target_{nullptr};
  std::unique_ptr<torch::optim::Adam> actor_optimizer_, q_optimizer_, alpha_optimizer_;
  torch::Tensor log_alpha_;
  double target_entropy_ = 0;
  int64_t updates_ = 0;  // critic updates so far (phase of the delayed actor and target updates)
  torch::Tensor action_low_, action_high_;
};

class SacFactory final : public AlgorithmFactory {
 public:
  std::string name() const override { return "sac"; }
  // CleanRL sac_continuous_action.py and Stable-Baselines3's SAC: 256-256 ReLU actor and critics.
  AlgorithmCapabilities capabilities() const override { return {.mlp_hidden = {256, 256}, .activation = "relu"}; }
  void bind(OptionTable& table) override { options_.bind(table, "sac."); }
  void validate(const env::ActionSpec& action_spec) const override {
    if (action_spec.is_discrete()) {
      throw Error("sac needs continuous actions; the environment has " + action_spec.to_string() + " (use dqn or ppo)");
    }
    if (!options_.autotune && !(options_.alpha > 0)) {
      throw Error("sac: alpha must be > 0 when autotune is off (log alpha is stored), got " +
                  std::to_string(options_.alpha));
    }
  }
  std::unique_ptr<Algorithm> create(const AlgorithmContext& ctx) const override {
    validate(ctx.action_spec);
    return std::make_unique<SacAlgorithm>(options_, ctx);
  }

 private:
  SacOptions options_;
};

}  // namespace

std::unique_ptr<AlgorithmFactory> make_sac_factory() { return std::make_unique<SacFactory>(); }

}  // namespace rlnas::rl
