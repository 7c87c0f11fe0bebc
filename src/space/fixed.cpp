// One-point spaces for the hand-designed networks of the nn module (the baselines searches are
// compared against): fixed/minatar, fixed/nature_cnn, fixed/impala_cnn, fixed/resnet{14,20,38,74}.
// Each holds a single architecture (no decisions) and builds nn::make_backbone with its defaults.
#include "builtin.h"

namespace rlnas::space::detail {
namespace {

struct FixedSpec {
  std::string backbone;  // nn backbone name
  int64_t resnet_depth = 20;
  std::string description;
  std::vector<int64_t> input_shape;
};

std::string space_name(const FixedSpec& s) {
  return "fixed/" + (s.backbone == "resnet" ? "resnet" + std::to_string(s.resnet_depth) : s.backbone);
}

class FixedSpace final : public SearchSpace {
 public:
  explicit FixedSpace(FixedSpec spec) : spec_(std::move(spec)) {}
  std::string name() const override { return space_name(spec_); }
  std::string description() const override { return spec_.description; }
  std::vector<int64_t> default_input_shape() const override { return spec_.input_shape; }
  std::vector<Decision> decisions() const override { return {}; }
  nn::Backbone build(const Architecture& arch, const std::vector<int64_t>& obs_shape) const override {
    validate(arch);
    nn::NetOptions options;
    options.name = spec_.backbone;
    options.resnet_depth = spec_.resnet_depth;
    return nn::make_backbone(options, obs_shape);
  }
  std::vector<std::string> describe(const Architecture&) const override { return {spec_.description}; }

 private:
  FixedSpec spec_;
};

std::vector<FixedSpec> specs() {
  std::vector<FixedSpec> out = {
      {"minatar", 20,
       "The MinAtar paper's network (Young & Tian 2019): conv 16 filters 3x3 stride 1 (unpadded), ReLU, flatten, "
       "linear 128, ReLU. The hand-designed baseline on MinAtar",
       {4, 10, 10}},
      {"nature_cnn", 20,
       "DQN's Nature-CNN (Mnih et al. 2015), unpadded: conv 32 8x8 s4, conv 64 4x4 s2, conv 64 3x3 s1, linear 512",
       {4, 84, 84}},
      {"impala_cnn", 20,
       "IMPALA-CNN (Espeholt et al. 2018), channels 16-32-32: per stage conv 3x3, max-pool 3x3 s2, two residual "
       "blocks; linear 256. The hand-designed baseline of the cell spaces (rl-darts)",
       {3, 64, 64}},
  };
  for (int64_t depth : {14, 20, 38, 74}) {
    out.push_back({"resnet", depth,
                   "CIFAR-style ResNet-" + std::to_string(depth) +
                       " (He et al. 2016; stem adapted to the input as a2d Appendix C), 256 output features; "
                       "ResNet-20 is A2D's teacher",
                   {4, 10, 10}});
  }
  return out;
}

}  // namespace

std::vector<std::unique_ptr<SearchSpace>> make_fixed_spaces() {
  std::vector<std::unique_ptr<SearchSpace>> out;
  for (auto& s : specs()) out.push_back(std::make_unique<FixedSpace>(std::move(s)));
  return out;
}

std::vector<NamedArchitecture> fixed_named_architectures() {
  std::vector<NamedArchitecture> out;
  for (const auto& s : specs()) {
    Architecture a;
    a.space = space_name(s);
    const std::string name = s.backbone == "resnet" ? "resnet" + std::to_string(s.resnet_depth) : s.backbone;
    out.push_back({name, s.description, a});
  }
  return out;
}

}  // namespace rlnas::space::detail
