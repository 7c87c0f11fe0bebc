// `mlp`: networks for vector observations. Decisions: the hidden widths as one list (depth 1..3,
// each width 64, 128 or 256: 39 lists) and the activation (tanh or relu): 78 architectures.
#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/space/ops.h"

namespace rlnas::space::detail {
namespace {

const std::vector<int64_t> kWidths = {64, 128, 256};
constexpr int kMaxDepth = 3;

class MlpNetwork final : public SpaceBackbone {
 public:
  MlpNetwork(const Architecture& arch, const std::vector<int64_t>& obs_shape) : SpaceBackbone(arch, obs_shape) {
    int64_t width = 1;
    for (auto d : obs_shape) width *= d;
    const std::string op = "linear_" + arch.choices.at("activation").get<std::string>();
    int i = 0;
    for (const auto& h : arch.choices.at("layers")) {
      const int64_t out = h.get<int64_t>();
      layers_.push_back(register_module("layer" + std::to_string(++i), make_op(op, {.c_in = width, .c_out = out})));
      width = out;
    }
    feature_dim_ = width;
    init_weights(*this);
  }
  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    auto x = obs.flatten(1);
    for (auto& l : layers_) x = l->forward(x);
    return x;
  }

 private:
  std::vector<Op> layers_;
};

class MlpSpace final : public SearchSpace {
 public:
  std::string name() const override { return "mlp"; }
  std::string description() const override {
    return "Multilayer perceptrons for vector observations (any observation shape is flattened): 1 to 3 hidden "
           "layers of 64, 128 or 256 units, tanh or ReLU after each. CleanRL's classic-control network is "
           "named mlp/64-64-tanh";
  }
  std::vector<int64_t> default_input_shape() const override { return {4}; }
  std::vector<Decision> decisions() const override {
    std::vector<nlohmann::json> lists;
    std::vector<std::vector<int64_t>> frontier = {{}};
    for (int depth = 1; depth <= kMaxDepth; ++depth) {
      std::vector<std::vector<int64_t>> next;
      for (const auto& prefix : frontier) {
        for (auto w : kWidths) {
          auto l = prefix;
          l.push_back(w);
          lists.push_back(l);
          next.push_back(l);
        }
      }
      frontier = next;
    }
    return {{"layers", lists, "hidden layer widths, input side first"},
            {"activation", {"tanh", "relu"}, "activation after every hidden layer"}};
  }
  nn::Backbone build(const Architecture& arch, const std::vector<int64_t>& obs_shape) const override {
    validate(arch);
    return std::make_shared<MlpNetwork>(arch, obs_shape);
  }
};

}  // namespace

std::unique_ptr<SearchSpace> make_mlp_space() { return std::make_unique<MlpSpace>(); }

std::vector<NamedArchitecture> mlp_named_architectures() {
  Architecture a;
  a.space = "mlp";
  a.choices = {{"layers", {64, 64}}, {"activation", "tanh"}};
  return {{"mlp/64-64-tanh", "CleanRL's classic-control MLP: two hidden layers of 64 units, tanh", a}};
}

}  // namespace rlnas::space::detail
