// The heads RL algorithms put on a backbone: actor-critic (PPO/A2C), Q-network (DQN, dueling,
// C51), squashed Gaussian actor and twin Q critic (SAC). Initialisation follows CleanRL.
#include <cmath>
#include <numbers>
#include <string>

#include "layer_init.h"
#include "rlnas/core/error.h"
#include "rlnas/nn/networks.h"

namespace rlnas::nn {
namespace {

// CleanRL's output-layer gains: a near-uniform initial policy (0.01) and unit-scale values (1.0).
constexpr double kPolicyGain = 0.01;
constexpr double kValueGain = 1.0;

void require_at_least(const std::string& what, int64_t value, int64_t minimum) {
  if (value < minimum) {
    throw Error(what + " must be >= " + std::to_string(minimum) + ", got " + std::to_string(value));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
ActorCriticImpl::ActorCriticImpl(const NetOptions& net, const std::vector<int64_t>& obs_shape, bool discrete,
                                 int64_t action_dim, bool separate_critic)
    : discrete_(discrete) {
  require_at_least(discrete ? "ActorCritic: number of actions" : "ActorCritic: action size", action_dim, 1);
  actor_body_ = register_module("actor_body", make_backbone(net, obs_shape));
  // A shared trunk is held twice but registered once, so its parameters are counted once.
  critic_body_ = separate_critic ? register_module("critic_body", make_backbone(net, obs_shape)) : actor_body_;
  policy_head_ = register_module(
      "policy_head", detail::orthogonal_init(torch::nn::Linear(actor_body_->feature_dim(), action_dim), kPolicyGain));
  value_head_ = register_module("value_head",
                                detail::orthogonal_init(torch::nn::Linear(critic_body_->feature_dim(), 1), kValueGain));
  if (!discrete_) log_std_ = register_parameter("log_std", torch::zeros({action_dim}));
}

ActorCriticOutput ActorCriticImpl::forward(const torch::Tensor& obs) {
  const auto actor_features = actor_body_->forward(obs);
  const auto critic_features = critic_body_ == actor_body_ ? actor_features : critic_body_->forward(obs);
  ActorCriticOutput out;
  out.value = value_head_->forward(critic_features).squeeze(-1);
  out.policy.discrete = discrete_;
  if (discrete_) {
    out.policy.logits = policy_head_->forward(actor_features);
  } else {
    out.policy.mean = policy_head_->forward(actor_features);
    out.policy.log_std = log_std_.expand_as(out.policy.mean);  // a view, no copy
  }
  return out;
}

torch::Tensor ActorCriticImpl::value(const torch::Tensor& obs) {
  return value_head_->forward(critic_body_->forward(obs)).squeeze(-1);
}

// ---------------------------------------------------------------------------------------------
QNetworkImpl::QNetworkImpl(const NetOptions& net, const std::vector<int64_t>& obs_shape, int64_t num_actions,
                           bool dueling, int64_t num_atoms, int64_t hidden)
    : num_actions_(num_actions), num_atoms_(num_atoms), dueling_(dueling) {
  require_at_least("QNetwork: num_actions", num_actions, 1);
  require_at_least("QNetwork: num_atoms", num_atoms, 1);
  require_at_least("QNetwork: hidden", hidden, 0);
  body_ = register_module("body", make_backbone(net, obs_shape));
  const int64_t features = body_->feature_dim();
  const int64_t stream_in = hidden > 0 ? hidden : features;
  if (hidden > 0) {
    advantage_hidden_ = register_module(
        "advantage_hidden", detail::orthogonal_init(torch::nn::Linear(features, hidden), detail::kHiddenGain));
  }
  // Q-values (or atom logits) are unbounded regression targets: unit gain, as the value head.
  advantage_ = register_module(
      "advantage", detail::orthogonal_init(torch::nn::Linear(stream_in, num_actions * num_atoms), kValueGain));
  if (dueling_) {
    if (hidden > 0) {
      value_hidden_ = register_module(
          "value_hidden", detail::orthogonal_init(torch::nn::Linear(features, hidden), detail::kHiddenGain));
    }
    value_ = register_module("value", detail::orthogonal_init(torch::nn::Linear(stream_in, num_atoms), kValueGain));
  }
}

torch::Tensor QNetworkImpl::forward(const torch::Tensor& obs) {
  const auto features = body_->forward(obs);
  const auto stream = [&](torch::nn::Linear& hidden_layer, torch::nn::Linear& out) {
    return out->forward(hidden_layer ? torch::relu(hidden_layer->forward(features)) : features);
  };
  const int64_t batch = features.size(0);
  auto advantage = stream(advantage_hidden_, advantage_).view({batch, num_actions_, num_atoms_});
  if (dueling_) {
    // Wang et al. 2016, eq. 9: subtracting the mean advantage makes V and A identifiable.
    const auto value = stream(value_hidden_, value_).view({batch, 1, num_atoms_});
    advantage = value + advantage - advantage.mean(/*dim=*/1, /*keepdim=*/true);
  }
  return num_atoms_ == 1 ? advantage.squeeze(-1) : advantage;
}

// ---------------------------------------------------------------------------------------------
SquashedGaussianActorImpl::SquashedGaussianActorImpl(const NetOptions& net, const std::vector<int64_t>& obs_shape,
                                                     std::vector<float> low, std::vector<float> high) {
  if (low.empty() || low.size() != high.size()) {
    throw Error("SquashedGaussianActor: low and high must have the same non-zero size, got " +
                std::to_string(low.size()) + " and " + std::to_string(high.size()));
  }
  for (size_t i = 0; i < low.size(); ++i) {
    if (!std::isfinite(low[i]) || !std::isfinite(high[i]) || !(low[i] < high[i])) {
      throw Error("SquashedGaussianActor: the action box needs finite low < high in every dimension, got [" +
                  std::to_string(low[i]) + ", " + std::to_string(high[i]) + "] in dimension " + std::to_string(i));
    }
  }
  const auto action_dim = static_cast<int64_t>(low.size());
  body_ = register_module("body", make_backbone(net, obs_shape));
  // Small gains start every state near the box centre with log_std = -1.5 (tanh(0) = 0).
  mean_ = register_module("mean",
                          detail::orthogonal_init(torch::nn::Linear(body_->feature_dim(), action_dim), kPolicyGain));
  log_std_ = register_module("log_std",
                             detail::orthogonal_init(torch::nn::Linear(body_->feature_dim(), action_dim), kPolicyGain));
  const auto low_t = torch::tensor(low), high_t = torch::tensor(high);
  scale_ = register_buffer("action_scale", (high_t - low_t) / 2);
  bias_ = register_buffer("action_bias", (high_t + low_t) / 2);
}

std::pair<torch::Tensor, torch::Tensor> SquashedGaussianActorImpl::mean_and_log_std(const torch::Tensor& obs) {
  const auto features = body_->forward(obs);
  // CleanRL's soft clamp: tanh keeps the gradient alive where a hard clamp would cut it.
  const auto log_std = kLogStdMin + 0.5 * (kLogStdMax - kLogStdMin) * (torch::tanh(log_std_->forward(features)) + 1);
  return {mean_->forward(features), log_std};
}

SquashedSample SquashedGaussianActorImpl::sample(const torch::Tensor& obs, at::Generator& gen) {
  const auto [mean, log_std] = mean_and_log_std(obs);
  const auto std_dev = log_std.exp();
  // Reparameterised draw: gradients reach mean and log_std through u.
  const auto u = mean + std_dev * torch::randn(mean.sizes(), gen, mean.options());
  const auto y = torch::tanh(u);
  const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  const auto normal_log_prob = -0.5 * ((u - mean) / std_dev).square() - log_std - half_log_2pi;
  // Change of variables a = tanh(u) * scale + bias; the 1e-6 keeps log finite when |tanh| -> 1.
  const auto log_det = torch::log(scale_ * (1 - y.square()) + 1e-6);
  SquashedSample out;
  out.action = y * scale_ + bias_;
  out.log_prob = (normal_log_prob - log_det).sum(-1);
  out.mean_action = torch::tanh(mean) * scale_ + bias_;
  return out;
}

torch::Tensor SquashedGaussianActorImpl::deterministic(const torch::Tensor& obs) {
  return torch::tanh(mean_->forward(body_->forward(obs))) * scale_ + bias_;
}

// ---------------------------------------------------------------------------------------------
namespace {

// [features + action] -> hidden -> ReLU -> hidden -> ReLU -> 1. With an identity mlp backbone
// (mlp_hidden empty) this is exactly CleanRL's SoftQNetwork on concat(obs, action).
torch::nn::Sequential make_q_head(int64_t in, int64_t hidden) {
  return torch::nn::Sequential(detail::orthogonal_init(torch::nn::Linear(in, hidden), detail::kHiddenGain),
                               torch::nn::ReLU(),
                               detail::orthogonal_init(torch::nn::Linear(hidden, hidden), detail::kHiddenGain),
                               torch::nn::ReLU(), detail::orthogonal_init(torch::nn::Linear(hidden, 1), kValueGain));
}

}  // namespace

TwinQImpl::TwinQImpl(const NetOptions& net, const std::vector<int64_t>& obs_shape, int64_t action_dim, int64_t hidden) {
  require_at_least("TwinQ: action_dim", action_dim, 1);
  require_at_least("TwinQ: hidden", hidden, 1);
  body1_ = register_module("body1", make_backbone(net, obs_shape));
  body2_ = register_module("body2", make_backbone(net, obs_shape));
  head1_ = register_module("head1", make_q_head(body1_->feature_dim() + action_dim, hidden));
  head2_ = register_module("head2", make_q_head(body2_->feature_dim() + action_dim, hidden));
}

std::pair<torch::Tensor, torch::Tensor> TwinQImpl::forward(const torch::Tensor& obs, const torch::Tensor& action) {
  const auto q1 = head1_->forward(torch::cat({body1_->forward(obs), action}, /*dim=*/-1)).squeeze(-1);
  const auto q2 = head2_->forward(torch::cat({body2_->forward(obs), action}, /*dim=*/-1)).squeeze(-1);
  return {q1, q2};
}

// ---------------------------------------------------------------------------------------------
int64_t count_parameters(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.parameters()) {
    if (p.requires_grad()) count += p.numel();
  }
  return count;
}

}  // namespace rlnas::nn
