// Fixed backbones (observation -> feature vector) and the heads RL algorithms attach to them.
// Algorithms only see these interfaces, never which backbone is inside.
//
//   obs [B, ...] -> Backbone -> features [B, F] -> head (policy/value, Q, SAC actor/critic)
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rlnas::nn {

class BackboneImpl;

// Which backbone and its knobs. Shapes adapt to the observation shape given to make_backbone.
struct NetOptions {
  std::string name = "minatar";                         // mlp | minatar | nature_cnn | impala_cnn | resnet | lenet
  std::vector<int64_t> mlp_hidden = {64, 64};           // mlp: hidden layer widths
  std::string activation = "tanh";                      // mlp: tanh | relu
  std::vector<int64_t> impala_channels = {16, 32, 32};  // impala_cnn: channels per stage
  int64_t resnet_depth = 20;                            // resnet: 14, 20, 38 or 74 (6n + 2)
  int64_t resnet_features = 256;                        // resnet: width of the final linear layer
  // Set for networks of a search space (by the rl trainer, from the space module): builds the
  // backbone for an observation shape, and `name` and the knobs above are ignored.
  std::function<std::shared_ptr<BackboneImpl>(const std::vector<int64_t>& obs_shape)> builder;
};

// A feature extractor: observation batch [B, obs...] (float32) -> features [B, feature_dim()].
class BackboneImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& obs) = 0;
  virtual int64_t feature_dim() const = 0;
};
using Backbone = std::shared_ptr<BackboneImpl>;

// Throws rlnas::Error for an unknown name (listing valid ones) or an observation shape the
// backbone cannot take (saying which shapes it needs).
Backbone make_backbone(const NetOptions& options, const std::vector<int64_t>& obs_shape);
std::vector<std::string> backbone_names();

// Action distribution of a policy: categorical over logits, or a diagonal Gaussian.
struct PolicyDistribution {
  bool discrete = true;
  torch::Tensor logits;   // [B, A] (discrete)
  torch::Tensor mean;     // [B, D] (continuous)
  torch::Tensor log_std;  // [B, D] or [D] (continuous)

  torch::Tensor sample(at::Generator& gen) const;             // [B] int64 or [B, D] float
  torch::Tensor log_prob(const torch::Tensor& action) const;  // [B]
  torch::Tensor entropy() const;                              // [B]
  torch::Tensor mode() const;                                 // greedy action
};

// Actor-critic for PPO/A2C: backbone(s) + linear policy head + linear value head.
// Discrete: categorical logits. Continuous: Gaussian mean with a state-independent log_std
// parameter (initialised at 0). `separate_critic` gives the critic its own backbone (CleanRL's
// MLP agents do this); otherwise the trunk is shared.
struct ActorCriticOutput {
  PolicyDistribution policy;
  torch::Tensor value;  // [B]
};
class ActorCriticImpl : public torch::nn::Module {
 public:
  // action_dim: number of discrete actions, or the size of a continuous action.
  ActorCriticImpl(const NetOptions& net, const std::vector<int64_t>& obs_shape, bool discrete, int64_t action_dim,
                  bool separate_critic);
  ActorCriticOutput forward(const torch::Tensor& obs);
  torch::Tensor value(const torch::Tensor& obs);

 private:
  bool discrete_;
  Backbone actor_body_{nullptr}, critic_body_{nullptr};
  torch::nn::Linear policy_head_{nullptr}, value_head_{nullptr};
  torch::Tensor log_std_;
};
TORCH_MODULE(ActorCritic);

// Q-network for DQN: backbone + (dueling) head, optionally distributional (C51).
// num_atoms == 1: forward returns Q-values [B, A]; otherwise logits [B, A, num_atoms].
class QNetworkImpl : public torch::nn::Module {
 public:
  QNetworkImpl(const NetOptions& net, const std::vector<int64_t>& obs_shape, int64_t num_actions, bool dueling,
               int64_t num_atoms, int64_t hidden = 0);
  torch::Tensor forward(const torch::Tensor& obs);
  int64_t num_atoms() const { return num_atoms_; }

 private:
  int64_t num_actions_, num_atoms_;
  bool dueling_;
  Backbone body_{nullptr};
  torch::nn::Linear advantage_{nullptr}, value_{nullptr};
  // Optional Linear + ReLU of width `hidden` in front of each stream (null when hidden == 0).
  torch::nn::Linear advantage_hidden_{nullptr}, value_hidden_{nullptr};
};
TORCH_MODULE(QNetwork);

// SAC actor: tanh-squashed Gaussian scaled to the action box [low, high].
struct SquashedSample {
  torch::Tensor action;       // [B, D], inside [low, high]
  torch::Tensor log_prob;     // [B], with the tanh and scale corrections
  torch::Tensor mean_action;  // [B, D], tanh(mean) scaled: the deterministic action
};
class SquashedGaussianActorImpl : public torch::nn::Module {
 public:
  SquashedGaussianActorImpl(const NetOptions& net, const std::vector<int64_t>& obs_shape, std::vector<float> low,
                            std::vector<float> high);
  SquashedSample sample(const torch::Tensor& obs, at::Generator& gen);
  torch::Tensor deterministic(const torch::Tensor& obs);
  // The Gaussian before the tanh: mean [B, D] and log_std [B, D], already squashed into
  // [kLogStdMin, kLogStdMax]. For logging the policy's spread, and for tests.
  std::pair<torch::Tensor, torch::Tensor> mean_and_log_std(const torch::Tensor& obs);

  static constexpr double kLogStdMin = -5.0, kLogStdMax = 2.0;  // CleanRL's LOG_STD_MIN/MAX

 private:
  Backbone body_{nullptr};
  torch::nn::Linear mean_{nullptr}, log_std_{nullptr};
  torch::Tensor scale_, bias_;  // buffers: (high - low) / 2, (high + low) / 2
};
TORCH_MODULE(SquashedGaussianActor);

// SAC critic: two independent Q(s, a) = MLP([backbone(s), a]) networks.
class TwinQImpl : public torch::nn::Module {
 public:
  TwinQImpl(const NetOptions& net, const std::vector<int64_t>& obs_shape, int64_t action_dim, int64_t hidden = 256);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& obs, const torch::Tensor& action);  // [B], [B]

 private:
  Backbone body1_{nullptr}, body2_{nullptr};
  torch::nn::Sequential head1_{nullptr}, head2_{nullptr};
};
TORCH_MODULE(TwinQ);

// Number of trainable parameters.
int64_t count_parameters(const torch::nn::Module& module);

}  // namespace rlnas::nn
