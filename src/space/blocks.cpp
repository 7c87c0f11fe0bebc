// The A2D search space (Yu et al. 2022, Auto-Agent-Distiller, Sec. 4.4 and Appendix D): the
// ResNet-20-like macro network of its Appendix C with one op per searchable block, from FBNet's
// nine candidates.
//
//   obs -> stem conv3x3 16 -> groups of 5, 4, 5 blocks (16, 32, 64 channels) -> global average
//   pool -> linear 256 + ReLU -> features
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/space/ops.h"
#include "rlnas/space/supernet.h"

namespace rlnas::space::detail {
namespace {

// Appendix D: nine candidates per block (FBNet's: conv k3/k5, inverted residual k3/k5 with
// expansion 1/3/5, skip). The op library's skip projects where a block changes the shape.
const std::vector<std::string> kBlockOps = {"conv3x3",  "conv5x5",  "ir_k3_e1", "ir_k3_e3", "ir_k3_e5",
                                            "ir_k5_e1", "ir_k5_e3", "ir_k5_e5", "skip"};

struct Group {
  int64_t blocks, channels;
};
// Appendix D: groups of 5, 4, 5 searchable blocks on ResNet-20's 16/32/64 channels; the first
// block of groups 2 and 3 carries stride 2.
constexpr std::array<Group, 3> kGroups{{{5, 16}, {4, 32}, {5, 64}}};
constexpr int64_t kStemChannels = 16;
constexpr int64_t kFeatures = 256;  // Appendix C: the final linear layer outputs 256
// As the resnet backbone (A2D Appendix C): stride 2 in the stem for Atari-sized frames, 1 for
// small ones such as MinAtar's 10x10.
constexpr int64_t kStemStrideTwoFromSize = 32;

std::string decision_name(size_t group, int64_t block) {
  return "group" + std::to_string(group + 1) + ".block" + std::to_string(block + 1);
}

std::string module_name(size_t group, int64_t block) {
  return "group" + std::to_string(group + 1) + "_block" + std::to_string(block + 1);
}

int64_t block_stride(size_t group, int64_t block) { return group > 0 && block == 0 ? 2 : 1; }

// An inverted residual adds its input when it keeps the shape (ops.h).
bool has_identity_residual(const std::string& op, int64_t c_in, int64_t c_out, int64_t stride) {
  return op.rfind("ir_", 0) == 0 && c_in == c_out && stride == 1;
}

class BlocksNetwork final : public SpaceBackbone {
 public:
  // `ops`: the chosen op of every block; or, with `choose`, a module per block that the chooser
  // decides (a ChoiceLayer in supernets, whose inverted residuals then get the Fixup gain too).
  BlocksNetwork(std::string label, const std::vector<int64_t>& obs_shape, const std::vector<std::string>& ops,
                const OpChooser* choose = nullptr)
      : SpaceBackbone(std::move(label), obs_shape) {
    const int64_t stem_stride = std::min(obs_shape[1], obs_shape[2]) >= kStemStrideTwoFromSize ? 2 : 1;
    stem_ = register_module("stem", make_op("conv3x3", {obs_shape[0], kStemChannels, stem_stride}));
    int64_t channels = kStemChannels;
    size_t index = 0;
    std::vector<Op> residual;     // inverted residuals that add their input
    int64_t residual_blocks = 0;  // blocks that hold one (in a supernet: that may hold one)
    for (size_t g = 0; g < kGroups.size(); ++g) {
      for (int64_t b = 0; b < kGroups[g].blocks; ++b, ++index) {
        const int64_t stride = block_stride(g, b);
        const OpArgs args{channels, kGroups[g].channels, stride};
        Op block;
        if (choose) {
          std::vector<Candidate> candidates;
          for (const auto& op : kBlockOps) {
            candidates.push_back({op, op, args});
          }
          block = (*choose)(decision_name(g, b), candidates);
          if (const auto layer = std::dynamic_pointer_cast<ChoiceLayerImpl>(block)) {
            bool any = false;
            for (size_t i = 0; i < layer->size(); ++i) {
              if (has_identity_residual(kBlockOps[i], args.c_in, args.c_out, stride)) {
                residual.push_back(layer->candidate(i));
                any = true;
              }
            }
            residual_blocks += any;
          }
        } else {
          block = make_op(ops[index], args);
          if (has_identity_residual(ops[index], args.c_in, args.c_out, stride)) {
            residual.push_back(block);
            ++residual_blocks;
          }
        }
        // Module names cannot hold dots: group1.block1 -> group1_block1.
        blocks_.push_back(register_module(module_name(g, b), block));
        channels = kGroups[g].channels;
      }
    }
    head_ = register_module("head", make_op("linear_relu", {channels, kFeatures, 1}));
    feature_dim_ = kFeatures;
    init_weights(*this);
    // Fixup's rule, as the resnet backbone: each residual branch's last layer gets gain
    // sqrt(2 / #residual blocks), so that the sum over up to 14 branches stays bounded.
    if (!residual.empty()) {
      torch::NoGradGuard no_grad;
      const double gain = std::sqrt(2.0 / static_cast<double>(residual_blocks));
      for (const auto& op : residual) {
        auto children = op->named_children();
        auto* project = children.contains("project") ? children["project"]->as<torch::nn::Conv2d>() : nullptr;
        TORCH_INTERNAL_ASSERT(project != nullptr, "inverted residual op without a 'project' conv");
        torch::nn::init::orthogonal_(project->weight, gain);
      }
    }
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    auto x = stem_->forward(obs);
    for (auto& block : blocks_) x = block->forward(x);
    return head_->forward(x.mean({2, 3}));  // global average pool
  }

 private:
  Op stem_, head_;
  std::vector<Op> blocks_;
};

class BlocksSpace final : public SearchSpace {
 public:
  std::string name() const override { return "blocks"; }

  // A2D measures its blocks against ResNet-14 and ResNet-20.
  std::vector<std::string> baselines() const override { return {"named:resnet14", "named:resnet20"}; }
  std::string description() const override {
    return "A2D's ResNet-20-like space: a conv3x3 stem (stride 2 for frames of 32 pixels or more), then groups of "
           "5, 4 and 5 searchable blocks with 16, 32 and 64 channels (stride 2 in the first block of groups 2 and "
           "3), each one of nine ops: conv 3x3/5x5, inverted residual k3/k5 with expansion 1/3/5, skip; global "
           "average pool, linear 256 + ReLU. 9^14 architectures. Auto-Agent-Distiller (Yu et al. 2022), Sec. 4.4, "
           "Appendices C and D.";
  }

  std::vector<Decision> decisions() const override {
    std::vector<Decision> out;
    int64_t channels = kStemChannels;
    for (size_t g = 0; g < kGroups.size(); ++g) {
      for (int64_t b = 0; b < kGroups[g].blocks; ++b) {
        Decision d{decision_name(g, b), {}, ""};
        for (const auto& op : kBlockOps) d.options.emplace_back(op);
        d.doc = "block " + std::to_string(b + 1) + " of group " + std::to_string(g + 1) + ": " +
                std::to_string(channels) + " -> " + std::to_string(kGroups[g].channels) + " channels, stride " +
                std::to_string(block_stride(g, b));
        channels = kGroups[g].channels;
        out.push_back(std::move(d));
      }
    }
    return out;
  }

  std::vector<int64_t> default_input_shape() const override { return {4, 84, 84}; }  // Atari, as A2D

  nn::Backbone build_with(const std::vector<int64_t>& obs_shape, const OpChooser& choose) const override {
    require_image(name(), obs_shape);
    return std::make_shared<BlocksNetwork>(name() + ", supernet", obs_shape, std::vector<std::string>{}, &choose);
  }

  nn::Backbone build(const Architecture& arch, const std::vector<int64_t>& obs_shape) const override {
    validate(arch);
    require_image(name(), obs_shape);
    if (std::any_of(obs_shape.begin(), obs_shape.end(), [](int64_t s) { return s < 1; })) {
      throw Error(name() + ": observation sizes must be >= 1, got " + shape_text(obs_shape));
    }
    std::vector<std::string> ops;
    for (const auto& d : decisions()) ops.push_back(arch.choices.at(d.name).get<std::string>());
    return std::make_shared<BlocksNetwork>(arch.space + ", " + arch.short_id(), obs_shape, ops);
  }

  std::vector<std::string> describe(const Architecture& arch) const override {
    validate(arch);
    std::vector<std::string> lines{"stem = conv3x3 -> " + std::to_string(kStemChannels) + " (stride 2 for frames of " +
                                   std::to_string(kStemStrideTwoFromSize) + " pixels or more, else 1)"};
    int64_t channels = kStemChannels;
    for (size_t g = 0; g < kGroups.size(); ++g) {
      for (int64_t b = 0; b < kGroups[g].blocks; ++b) {
        const auto name = decision_name(g, b);
        std::string line = name + " = " + arch.choices.at(name).get<std::string>() + " " + std::to_string(channels) +
                           " -> " + std::to_string(kGroups[g].channels);
        if (block_stride(g, b) != 1) line += ", stride " + std::to_string(block_stride(g, b));
        lines.push_back(line);
        channels = kGroups[g].channels;
      }
    }
    lines.push_back("head = global average pool, linear " + std::to_string(channels) + " -> " +
                    std::to_string(kFeatures) + " + ReLU");
    return lines;
  }
};

}  // namespace

std::unique_ptr<SearchSpace> make_blocks_space() { return std::make_unique<BlocksSpace>(); }

std::vector<NamedArchitecture> blocks_named_architectures() {
  const BlocksSpace space;
  nlohmann::json choices = nlohmann::json::object();
  for (const auto& d : space.decisions()) choices[d.name] = "conv3x3";
  return {{"blocks/resnet-like",
           "Every block a conv3x3 + ReLU: ResNet-20's layout (stem, 16/32/64 channels, strides) as a plain 15-conv "
           "chain, one conv per searchable block instead of a two-conv residual block.",
           space.make(std::move(choices))}};
}

}  // namespace rlnas::space::detail
