// Weight sharing for single-path methods (SPOS, ENAS): a supernet instantiates every candidate op
// at every choice point of a space; a forward pass runs only the path of the architecture set
// with set_path(). Everything outside the choice points (stem, fixed layers, the linear head) and
// the heads an algorithm attaches are shared by all paths. An op off the path takes no part in
// the forward pass, so it receives no gradient.
//
// The supernet is built by the space's own build_with() (the code that builds its fixed
// networks), with a chooser that puts a ChoiceLayer at every choice point: one op registry builds
// both, as in DARTS.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "rlnas/space/space.h"

namespace rlnas::space {

// All candidates of one decision; forwards through the active one.
class ChoiceLayerImpl final : public OpImpl {
 public:
  ChoiceLayerImpl(std::string decision, const std::vector<Candidate>& candidates);
  torch::Tensor forward(const torch::Tensor& x) override { return ops_[active_]->forward(x); }
  // Makes the candidate whose option equals `value` active; throws rlnas::Error otherwise.
  void select(const nlohmann::json& value);
  size_t active() const { return active_; }
  const std::string& decision() const { return decision_; }
  const std::vector<nlohmann::json>& options() const { return options_; }
  const Op& candidate(size_t i) const { return ops_.at(i); }
  size_t size() const { return ops_.size(); }

 private:
  std::string decision_;
  std::vector<nlohmann::json> options_;
  std::vector<Op> ops_;
  size_t active_ = 0;
};
using ChoiceLayer = std::shared_ptr<ChoiceLayerImpl>;

class SupernetImpl final : public nn::BackboneImpl {
 public:
  SupernetImpl(const SearchSpace& space, const std::vector<int64_t>& obs_shape);
  // The path every forward pass runs until the next call (validated against the space). SPOS
  // keeps one path for a whole rollout and all PPO epochs on it.
  void set_path(const Architecture& arch);
  const Architecture& path() const { return path_; }
  torch::Tensor forward(const torch::Tensor& obs) override { return body_->forward(obs); }
  int64_t feature_dim() const override { return body_->feature_dim(); }
  const std::vector<ChoiceLayer>& choice_layers() const { return choices_; }
  const SearchSpace& space() const { return space_; }
  void pretty_print(std::ostream& stream) const override;

 private:
  const SearchSpace& space_;
  std::vector<ChoiceLayer> choices_;
  nn::Backbone body_{nullptr};
  Architecture path_;
};
using Supernet = std::shared_ptr<SupernetImpl>;

// Every supernet inside `module` (e.g. an algorithm's network: actor and critic may each hold one).
std::vector<Supernet> find_supernets(torch::nn::Module& module);

// Throws rlnas::Error for spaces without a weight-sharing builder (see SearchSpace::build_with).
// The initial path is the first option of every decision.
Supernet make_supernet(const SearchSpace& space, const std::vector<int64_t>& obs_shape);

}  // namespace rlnas::space
