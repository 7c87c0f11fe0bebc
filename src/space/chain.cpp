// `chain` spaces (nas-for-rl-agents, Section 5.2, Tables 2 and 3): a stack of conv + ReLU layers,
// some fixed, some choosing their kernel size (and optionally channels), then flatten and one
// linear + ReLU layer. With the op library's padding rule every kernel choice gives the same
// map size, which is the paper's "convolution to the same size": the flatten size is fixed.
#include <numeric>

#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/space/ops.h"

namespace rlnas::space::detail {
namespace {

struct ChainLayer {
  std::vector<int64_t> kernels;   // one value = fixed
  std::vector<int64_t> channels;  // one value = fixed
  int64_t stride = 1;
};

struct ChainSpec {
  std::string name, description;
  std::vector<int64_t> input_shape;  // [C, H, W] the space is defined for
  std::vector<ChainLayer> layers;
  int64_t pool_to = 0;  // > 0: adaptive average pooling of the last map to pool_to x pool_to
  int64_t features = 0;
};

std::string kernel_key(size_t i) { return "conv" + std::to_string(i + 1) + ".kernel"; }
std::string channels_key(size_t i) { return "conv" + std::to_string(i + 1) + ".channels"; }

std::vector<nlohmann::json> as_options(const std::vector<int64_t>& values) {
  return {values.begin(), values.end()};
}

// Built either for one architecture (`arch`) or, through `choose`, with a module per choice point
// that the chooser decides (a ChoiceLayer in supernets).
class ChainNetwork final : public SpaceBackbone {
 public:
  ChainNetwork(const ChainSpec& spec, std::string label, const std::vector<int64_t>& obs_shape,
               const Architecture* arch, const OpChooser* choose)
      : SpaceBackbone(std::move(label), obs_shape), pool_to_(spec.pool_to) {
    int64_t c = obs_shape[0], h = obs_shape[1], w = obs_shape[2];
    for (size_t i = 0; i < spec.layers.size(); ++i) {
      const auto& l = spec.layers[i];
      const auto op_name = [](int64_t k) { return "conv" + std::to_string(k) + "x" + std::to_string(k); };
      const int64_t out = l.channels.size() == 1 ? l.channels[0] : arch->choices.at(channels_key(i)).get<int64_t>();
      const OpArgs args{.c_in = c, .c_out = out, .stride = l.stride};
      Op op;
      if (l.kernels.size() == 1) {
        op = make_op(op_name(l.kernels[0]), args);
      } else if (choose) {
        std::vector<Candidate> candidates;
        for (auto k : l.kernels) candidates.push_back({k, op_name(k), args});
        op = (*choose)(kernel_key(i), candidates);
      } else {
        op = make_op(op_name(arch->choices.at(kernel_key(i)).get<int64_t>()), args);
      }
      layers_.push_back(register_module("conv" + std::to_string(i + 1), op));
      c = out;
      h = op_output_size(h, l.stride);
      w = op_output_size(w, l.stride);
    }
    if (pool_to_ > 0) h = w = pool_to_;
    linear_ = register_module("linear", torch::nn::Linear(c * h * w, spec.features));
    feature_dim_ = spec.features;
    init_weights(*this);
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    auto x = obs;
    for (auto& op : layers_) x = op->forward(x);
    if (pool_to_ > 0) x = torch::adaptive_avg_pool2d(x, {pool_to_, pool_to_});
    return torch::relu(linear_->forward(x.flatten(1)));
  }

 private:
  int64_t pool_to_;
  std::vector<Op> layers_;
  torch::nn::Linear linear_{nullptr};
};

class ChainSpace final : public SearchSpace {
 public:
  explicit ChainSpace(ChainSpec spec) : spec_(std::move(spec)) {}
  std::string name() const override { return spec_.name; }
  std::string description() const override { return spec_.description; }
  std::vector<int64_t> default_input_shape() const override { return spec_.input_shape; }

  std::vector<Decision> decisions() const override {
    std::vector<Decision> out;
    for (size_t i = 0; i < spec_.layers.size(); ++i) {
      const auto& l = spec_.layers[i];
      if (l.kernels.size() > 1) {
        out.push_back({kernel_key(i), as_options(l.kernels), "kernel size of conv layer " + std::to_string(i + 1)});
      }
      if (l.channels.size() > 1) {
        out.push_back({channels_key(i), as_options(l.channels), "output channels of conv layer " + std::to_string(i + 1)});
      }
    }
    return out;
  }

  nn::Backbone build(const Architecture& arch, const std::vector<int64_t>& obs_shape) const override {
    validate(arch);
    require_image(name(), obs_shape);
    return std::make_shared<ChainNetwork>(spec_, arch.space + ", " + arch.short_id(), obs_shape, &arch, nullptr);
  }

  nn::Backbone build_with(const std::vector<int64_t>& obs_shape, const OpChooser& choose) const override {
    for (const auto& l : spec_.layers) {
      if (l.channels.size() > 1) return SearchSpace::build_with(obs_shape, choose);  // shapes vary: not supported
    }
    require_image(name(), obs_shape);
    return std::make_shared<ChainNetwork>(spec_, name() + ", supernet", obs_shape, nullptr, &choose);
  }

  std::vector<std::string> describe(const Architecture& arch) const override {
    std::vector<std::string> lines;
    int64_t c = spec_.input_shape[0], h = spec_.input_shape[1], w = spec_.input_shape[2];
    for (size_t i = 0; i < spec_.layers.size(); ++i) {
      const auto& l = spec_.layers[i];
      const bool kc = l.kernels.size() > 1, cc = l.channels.size() > 1;
      const int64_t k = kc ? arch.choices.at(kernel_key(i)).get<int64_t>() : l.kernels[0];
      const int64_t out = cc ? arch.choices.at(channels_key(i)).get<int64_t>() : l.channels[0];
      h = op_output_size(h, l.stride);
      w = op_output_size(w, l.stride);
      lines.push_back("conv" + std::to_string(i + 1) + "  " + std::to_string(c) + " -> " + std::to_string(out) +
                      "  kernel " + std::to_string(k) + (kc ? " (chosen)" : "") + "  stride " +
                      std::to_string(l.stride) + "  + ReLU  -> " + std::to_string(h) + "x" + std::to_string(w) +
                      "x" + std::to_string(out));
      c = out;
    }
    if (spec_.pool_to > 0) {
      lines.push_back("pool    adaptive average to " + std::to_string(spec_.pool_to) + "x" +
                      std::to_string(spec_.pool_to) + " (the paper's padding to exact size)");
      h = w = spec_.pool_to;
    }
    lines.push_back("linear  " + std::to_string(c * h * w) + " -> " + std::to_string(spec_.features) + "  + ReLU");
    return lines;
  }

 private:
  ChainSpec spec_;
};

std::vector<int64_t> range(int64_t lo, int64_t hi) {
  std::vector<int64_t> v(static_cast<size_t>(hi - lo + 1));
  std::iota(v.begin(), v.end(), lo);
  return v;
}

std::vector<ChainSpec> specs() {
  const std::vector<int64_t> k15 = range(1, 5), k25 = {2, 5};
  std::vector<ChainSpec> out;
  out.push_back({"nas-rl/ss1",
                 "nas-for-rl-agents search space 1 (Section 5.2, Table 2): 84x84x4 input; conv 4->32 k8 s4 (fixed); "
                 "conv 32->64 k in 1..5 s2; conv 64->64 k in 1..5 s1; flatten 121*64 -> linear 512. Nature-CNN "
                 "(Table 3) is the member (4, 3): named architecture nas-rl/ss1/nature",
                 {4, 84, 84},
                 {{{8}, {32}, 4}, {k15, {64}, 2}, {k15, {64}, 1}},
                 0,
                 512});
  out.push_back({"nas-rl/ss2",
                 "nas-for-rl-agents search space 2 (Table 2): 84x84x4 input; conv 4->32 k8 s4 (fixed); conv 32->64 "
                 "and four conv 64->64, each k in {2, 5}, s1; the 21x21 map is mapped to the paper's 11x11 "
                 "(\"padding to exact size\": adaptive average pooling here); flatten 121*64 -> linear 512",
                 {4, 84, 84},
                 {{{8}, {32}, 4}, {k25, {64}, 1}, {k25, {64}, 1}, {k25, {64}, 1}, {k25, {64}, 1}, {k25, {64}, 1}},
                 11,
                 512});
  std::vector<ChainLayer> large = {{{8}, {32}, 4}};
  for (int i = 0; i < 9; ++i) large.push_back({k15, {32, 64}, i == 0 ? 2 : 1});
  out.push_back({"nas-rl/large",
                 "nas-for-rl-agents Section 5.5's larger space: the fixed conv 4->32 k8 s4, then 9 conv layers "
                 "(the paper's maximum depth; the first with stride 2) each choosing kernel 1..5 and 32 or 64 "
                 "channels; flatten 121*C -> linear 512",
                 {4, 84, 84},
                 large,
                 0,
                 512});
  out.push_back({"minatar/ss1",
                 "Search space 1 scaled to MinAtar: 10x10xC input; conv C->16 k3 s1 (fixed); conv 16->32 k in 1..5 "
                 "s2 (5x5); conv 32->32 k in 1..5 s1; flatten 800 -> linear 128. (4, 3) is the Nature-CNN analog "
                 "(named minatar/ss1/nature); the MinAtar paper's net is not a member (it is fixed/minatar)",
                 {4, 10, 10},
                 {{{3}, {16}, 1}, {k15, {32}, 2}, {k15, {32}, 1}},
                 0,
                 128});
  out.push_back({"minatar/ss2",
                 "Search space 2 scaled to MinAtar: conv C->16 k3 s1 (fixed); five conv 16->16, k in {2, 5}, s1; "
                 "flatten 1600 -> linear 128",
                 {4, 10, 10},
                 {{{3}, {16}, 1}, {k25, {16}, 1}, {k25, {16}, 1}, {k25, {16}, 1}, {k25, {16}, 1}, {k25, {16}, 1}},
                 0,
                 128});
  return out;
}

}  // namespace

std::vector<std::unique_ptr<SearchSpace>> make_chain_spaces() {
  std::vector<std::unique_ptr<SearchSpace>> out;
  for (auto& s : specs()) out.push_back(std::make_unique<ChainSpace>(std::move(s)));
  return out;
}

std::vector<NamedArchitecture> chain_named_architectures() {
  const auto arch = [](const std::string& space, nlohmann::json choices) {
    Architecture a;
    a.space = space;
    a.choices = std::move(choices);
    return a;
  };
  return {
      {"nas-rl/ss1/nature", "Nature-CNN as the member (4, 3) of nas-rl/ss1 (nas-for-rl-agents Table 3; zero-padded)",
       arch("nas-rl/ss1", {{"conv2.kernel", 4}, {"conv3.kernel", 3}})},
      {"minatar/ss1/nature", "the Nature-CNN analog (4, 3) of minatar/ss1",
       arch("minatar/ss1", {{"conv2.kernel", 4}, {"conv3.kernel", 3}})},
      {"nas-rl/ss2/breakout-spos", "SPOS's pick for Breakout in search space 2 (nas-for-rl-agents Table 8)",
       arch("nas-rl/ss2", {{"conv2.kernel", 5}, {"conv3.kernel", 5}, {"conv4.kernel", 5}, {"conv5.kernel", 2},
                           {"conv6.kernel", 2}})},
      {"nas-rl/ss2/freeway-spos", "SPOS's pick for Freeway in search space 2 (nas-for-rl-agents Table 9)",
       arch("nas-rl/ss2", {{"conv2.kernel", 5}, {"conv3.kernel", 5}, {"conv4.kernel", 5}, {"conv5.kernel", 5},
                           {"conv6.kernel", 5}})},
  };
}

}  // namespace rlnas::space::detail
