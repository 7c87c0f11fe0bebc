// The interface between RL algorithms and the training loop. An algorithm acts in a VectorEnv
// and learns from what it collects; the Trainer owns the environments, the budget, logging,
// evaluation and checkpoints. (Acme's split: actor + learner inside, loop outside.)
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rlnas/core/options.h"
#include "rlnas/env/spec.h"
#include "rlnas/env/vector_env.h"
#include "rlnas/nn/networks.h"
#include "rlnas/rl/arch.h"

namespace rlnas::rl {

// Ordered (name, value) pairs an iteration reports: losses, entropy, learning rate...
using Metrics = std::vector<std::pair<std::string, double>>;

struct AlgorithmContext {
  env::ObservationSpec obs_spec;
  env::ActionSpec action_spec;
  nn::NetOptions net;
  bool supernet = false;  // the network is a supernet of a space (net.supernet, net.mixed)
  torch::Device device = torch::kCPU;
  uint64_t seed = 0;
  int64_t total_steps = 0;                   // environment-step budget, for schedules
  ArchOptions arch;                          // mixed supernets (net.mixed): alpha's optimizer and temperature
  DistillOptions distill;                    // actor-critic distillation (ppo, a2c)
  std::shared_ptr<class Algorithm> teacher;  // the loaded distill.teacher run, when distilling
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;
  // Environments the algorithm wants stepped together.
  virtual int64_t num_envs() const = 0;
  // One iteration: collect experience from `venv` and update. `steps_done` is the environment
  // steps taken so far (for schedules).
  virtual Metrics iterate(env::VectorEnv& venv, int64_t steps_done) = 0;
  // Actions for observations [B, obs...] (CPU float32): int64 [B] or float32 [B, D], on the CPU.
  // greedy: the mode of the policy (argmax Q for DQN); otherwise the algorithm's behaviour policy
  // without training-time exploration schedules.
  virtual torch::Tensor act(const torch::Tensor& obs, bool greedy) = 0;
  // Complete learner state: weights, optimizer, generator, counters, normalizers, replay.
  virtual void save(torch::serialize::OutputArchive& archive) = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
  // The network whose architecture a run is about (the policy network, or the Q-network).
  virtual torch::nn::Module& network() = 0;
};

// Options and construction of one algorithm, so configs can be validated before anything runs.
// What an algorithm can be combined with; the trainer checks configurations against it instead
// of against algorithm names.
struct AlgorithmCapabilities {
  bool actor_critic = false;     // an actor and a critic: distillation student or teacher (distill.*)
  bool on_policy = false;        // no replay buffer: a single-path supernet may switch path per iteration
  bool mixed_supernets = false;  // steps alpha of softmax/Gumbel-mixed supernets with its losses (arch.h)
  // The default `mlp` backbone for vector observations (net.mlp_hidden, net.activation when not given):
  // the network the algorithm's reference implementation uses.
  std::vector<int64_t> mlp_hidden = {64, 64};
  std::string activation = "tanh";
};

class AlgorithmFactory {
 public:
  virtual ~AlgorithmFactory() = default;
  virtual std::string name() const = 0;
  virtual AlgorithmCapabilities capabilities() const = 0;
  // Adds "<name>.<key>" options bound to this factory's options struct.
  virtual void bind(OptionTable& table) = 0;
  // Checks the options fit the environment (e.g. DQN needs discrete actions); throws rlnas::Error.
  virtual void validate(const env::ActionSpec& action_spec) const = 0;
  virtual std::unique_ptr<Algorithm> create(const AlgorithmContext& context) const = 0;
  // Read from a resolved configuration (a run's config.json): the weight updates of a training of
  // `steps` environment steps (0: not known in advance), and the gradient steps of one update
  // (PPO: epochs x minibatches). A search's one-shot strategies count supernet iterations with them.
  virtual int64_t updates(const nlohmann::json& config, int64_t steps) const { return 0; }
  virtual int64_t gradient_steps_per_update(const nlohmann::json& config) const { return 1; }
};

// "ppo", "a2c", "dqn", "sac"; unknown names throw rlnas::Error listing the valid ones.
std::unique_ptr<AlgorithmFactory> make_algorithm_factory(const std::string& name);
std::vector<std::string> algorithm_names();

// Named presets: an algorithm plus option values, e.g. "ppo.nas-rl".
struct Preset {
  std::string name;
  std::string algo;
  std::string description;
  std::vector<std::pair<std::string, std::string>> values;  // keys as in OptionTable
};
const std::vector<Preset>& presets();
// Throws rlnas::Error listing valid names.
const Preset& find_preset(const std::string& name);

}  // namespace rlnas::rl
