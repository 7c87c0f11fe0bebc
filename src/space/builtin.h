// Private to the space module: the factories of the registered spaces and the backbone base
// class their networks share.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "rlnas/space/space.h"

namespace rlnas::space::detail {

std::vector<std::unique_ptr<SearchSpace>> make_chain_spaces();  // chain.cpp
std::vector<std::unique_ptr<SearchSpace>> make_cell_spaces();   // cell.cpp: classic, micro
// A cell space with other block depths, or the last node as the cell output instead of the 1x1
// conv over the concatenated nodes (variant "classic" or "micro").
std::unique_ptr<SearchSpace> make_cell_space(const std::string& variant, std::vector<int64_t> depths,
                                             bool concat_output);
std::unique_ptr<SearchSpace> make_blocks_space();               // blocks.cpp
std::unique_ptr<SearchSpace> make_mlp_space();                  // mlp_space.cpp
std::unique_ptr<SearchSpace> make_image_space();                // image_space.cpp
std::vector<std::unique_ptr<SearchSpace>> make_fixed_spaces();  // fixed.cpp
// Named reference architectures each file contributes.
std::vector<NamedArchitecture> chain_named_architectures();
std::vector<NamedArchitecture> cell_named_architectures();
std::vector<NamedArchitecture> blocks_named_architectures();
std::vector<NamedArchitecture> mlp_named_architectures();
std::vector<NamedArchitecture> fixed_named_architectures();

// Base of the networks spaces build: checks each batch against the observation shape it was
// built for (a readable error instead of a shape mismatch deep inside a conv), knows its
// feature width, and prints as "rlnas::space::<space>(<short id>, obs=[...], features=N)".
class SpaceBackbone : public nn::BackboneImpl {
 public:
  SpaceBackbone(const Architecture& arch, std::vector<int64_t> obs_shape);
  SpaceBackbone(std::string label, std::vector<int64_t> obs_shape)  // e.g. "minatar/ss1, supernet"
      : label_(std::move(label)), obs_shape_(std::move(obs_shape)) {}
  int64_t feature_dim() const override { return feature_dim_; }
  void pretty_print(std::ostream& stream) const override;

 protected:
  void check_batch(const torch::Tensor& obs) const;
  std::string label_;
  std::vector<int64_t> obs_shape_;
  int64_t feature_dim_ = 0;
};

// "[4, 10, 10]"
std::string shape_text(c10::IntArrayRef shape);
// Throws unless obs_shape is an image [C, H, W] (what = the space's name, for the message).
void require_image(const std::string& what, const std::vector<int64_t>& obs_shape);

// Weight initialisation shared by built networks: orthogonal with gain sqrt(2) for every conv
// and linear layer (as the fixed backbones of the nn module), zero biases. Grouped (depthwise)
// convs get normal(0, sqrt(2 / fan_in)) per filter instead: an orthogonal matrix of more filters
// than fan-in would shrink every filter's norm.
void init_weights(torch::nn::Module& module);

}  // namespace rlnas::space::detail
