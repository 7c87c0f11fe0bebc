// The cell spaces of RL-DARTS (Miao et al. 2021, Sec. 3.1 and 4.1): one normal and one reduction
// genotype shared by every cell of a stacked IMPALA-like network.
//
//   obs -> [block: conv3x3 -> cells] x D -> ReLU -> flatten -> linear 256 + ReLU -> features
//
// A cell has one input (node 0) and kNodes intermediate nodes; node i sums one op on the input
// (i = 1) or two ops on two distinct predecessors (i > 1). A node's decision holds its edges as
// [[op, input], ...] with the inputs in increasing order, so that each discrete cell is exactly
// one architecture: Appendix G.1's count O_nz * prod_{i>=2} O_nz^2 * C(i, 2).
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"
#include "rlnas/space/ops.h"

namespace rlnas::space::detail {
namespace {

constexpr int kNodes = 4;           // I: intermediate nodes per cell
constexpr int64_t kFeatures = 256;  // width of the head, as impala_cnn
constexpr const char* kInputName = "input";
constexpr int64_t kProbeBatch = 8;  // observations in the initialisation probe
constexpr uint64_t kProbeSeed = 0;

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string node_name(int64_t index) { return index == 0 ? kInputName : "node" + std::to_string(index); }

// One edge of a discrete cell: op applied to predecessor `input` (0 = the cell input).
struct CellEdge {
  std::string op;
  int64_t input = 0;
};
using CellGenotype = std::vector<std::vector<CellEdge>>;  // [node - 1] -> its edges

enum class CellType { kNormal, kReduction };

const char* type_name(CellType type) { return type == CellType::kNormal ? "normal" : "reduction"; }

// The two RL-DARTS spaces. Candidate ops include "zero" (the softmax supernet needs it); a
// discrete cell never picks it, so the decisions list only the others.
struct CellVariant {
  std::string name;                               // "classic" | "micro"
  std::vector<std::string> normal_ops;            // incl. zero
  std::vector<std::string> reduction_ops;         // incl. zero; empty: IMPALA's fixed reduction
  int64_t normal_cells = 1, reduction_cells = 1;  // N, R per block
};

const CellVariant& variant_of(const std::string& name) {
  static const std::vector<CellVariant> variants = {
      {"classic",
       {"zero", "conv3x3", "conv5x5", "dil_conv3x3", "dil_conv5x5", "skip"},
       {"zero", "conv3x3_plain", "max_pool3x3", "avg_pool3x3", "skip"},
       /*normal_cells=*/1,
       /*reduction_cells=*/1},
      {"micro", {"zero", "conv3x3_plain", "relu", "tanh", "skip"}, {}, /*normal_cells=*/2, /*reduction_cells=*/0},
      // RL-DARTS Appendix B.1's ablation: the classic space without the ReLUs of its normal ops.
      {"classic-linear",
       {"zero", "conv3x3_plain", "conv5x5_plain", "dil_conv3x3_plain", "dil_conv5x5_plain", "skip"},
       {"zero", "conv3x3_plain", "max_pool3x3", "avg_pool3x3", "skip"},
       /*normal_cells=*/1,
       /*reduction_cells=*/1},
  };
  for (const auto& v : variants) {
    if (v.name == name) return v;
  }
  throw Error("cell space: unknown variant '" + name + "', expected classic, micro or classic-linear");
}

std::vector<std::string> without_zero(const std::vector<std::string>& ops) {
  std::vector<std::string> out;
  std::copy_if(ops.begin(), ops.end(), std::back_inserter(out), [](const std::string& op) { return op != "zero"; });
  return out;
}

// [node] (0 = the input): whether the node is on a path to the cell output. With the last node
// as output, nodes it does not depend on are dead ends; they are not built, so that every
// parameter of a network lies on a path to its features.
std::vector<bool> live_nodes(const CellGenotype& cell, bool concat_output) {
  std::vector<bool> live(cell.size() + 1, concat_output);
  live.back() = true;
  for (size_t node = cell.size(); node >= 1; --node) {
    if (!live[node]) continue;
    for (const auto& edge : cell[node - 1]) live[static_cast<size_t>(edge.input)] = true;
  }
  return live;
}

// An edge's op as shown: "/2" marks the strided ops a reduction cell applies to its input.
std::string op_text(const CellEdge& edge, CellType type) {
  return edge.op + (type == CellType::kReduction && edge.input == 0 ? "/2" : "");
}

std::string edge_text(const CellEdge& edge, CellType type) {
  return op_text(edge, type) + "(" + node_name(edge.input) + ")";
}

// ---------------------------------------------------------------------------------------------
// A cell: node j (1-based) sums its edges, each an op on an earlier state (0 = the cell input);
// the output is a 1x1 conv over the concatenated nodes, or the last node. The discrete and the
// mixed cells differ only in which edges they build.
class CellBaseImpl : public torch::nn::Module {
 public:
  torch::Tensor forward(const torch::Tensor& x) {
    std::vector<torch::Tensor> states{x};
    for (const auto& in : edges_) {
      torch::Tensor sum;
      for (const auto& [op, input] : in) {
        auto y = op->forward(states[static_cast<size_t>(input)]);
        sum = sum.defined() ? sum + y : y;
      }
      states.push_back(sum);  // undefined for a node without edges (not on a path to the output)
    }
    if (!output_) return states.back();
    return output_->forward(torch::cat(std::vector<torch::Tensor>(states.begin() + 1, states.end()), /*dim=*/1));
  }

  // Multiplies the output conv's weights (its bias is still zero): scales the cell's output.
  // False when the cell outputs its last node and has no output conv.
  bool scale_output(double factor) {
    if (!output_) return false;
    torch::NoGradGuard no_grad;
    for (auto& p : output_->parameters()) p.mul_(factor);
    return true;
  }

 protected:
  void add_edge(int64_t node, int64_t input, const std::string& name, Op op) {
    if (edges_.size() < static_cast<size_t>(node)) edges_.resize(static_cast<size_t>(node));
    edges_[static_cast<size_t>(node - 1)].emplace_back(register_module(name, std::move(op)), input);
  }
  void add_output(int64_t nodes, int64_t channels) {
    edges_.resize(static_cast<size_t>(nodes));
    output_ = register_module("output", make_op("conv1x1_plain", {nodes * channels, channels, 1}));
  }

 private:
  std::vector<std::vector<std::pair<Op, int64_t>>> edges_;  // [node - 1] -> (op, input)
  Op output_;
};
using Cell = std::shared_ptr<CellBaseImpl>;

// One discrete cell. Ops reading the cell input carry `input_stride` (2 in a reduction cell).
class CellImpl final : public CellBaseImpl {
 public:
  CellImpl(const CellGenotype& genotype, int64_t channels, int64_t input_stride, bool concat_output) {
    const auto live = live_nodes(genotype, concat_output);  // [node] (0 = input): on a path to the output
    for (size_t node = 1; node <= genotype.size(); ++node) {
      if (!live[node]) continue;
      for (size_t e = 0; e < genotype[node - 1].size(); ++e) {
        const auto& edge = genotype[node - 1][e];
        const int64_t stride = edge.input == 0 ? input_stride : 1;
        add_edge(static_cast<int64_t>(node), edge.input, "node" + std::to_string(node) + "_edge" + std::to_string(e),
                 make_op(edge.op, {channels, channels, stride}));
      }
    }
    if (concat_output) add_output(static_cast<int64_t>(genotype.size()), channels);
  }
};

// The row of edge node_j <- node_i (0 <= i < j) in a cell type's alpha: edges in node order, each
// node's inputs increasing (node1<-input, node2<-input, node2<-node1, node3<-input, ...).
int64_t edge_row(int64_t node, int64_t input) { return node * (node - 1) / 2 + input; }

// A DARTS cell: node j sums a mixed op on every predecessor i < j (RL-DARTS Sec. 3.1).
class MixedCellImpl final : public CellBaseImpl {
 public:
  MixedCellImpl(const std::vector<std::string>& ops, int64_t channels, int64_t input_stride, bool concat_output,
                size_t group, const EdgeMixer& mix) {
    for (int64_t node = 1; node <= kNodes; ++node) {
      for (int64_t input = 0; input < node; ++input) {
        std::vector<Candidate> candidates;
        const int64_t stride = input == 0 ? input_stride : 1;
        for (const auto& op : ops) candidates.push_back({op, op, {channels, channels, stride}});
        add_edge(node, input, "node" + std::to_string(node) + "_from" + std::to_string(input),
                 mix(group, static_cast<size_t>(edge_row(node, input)), candidates));
      }
    }
    if (concat_output) add_output(kNodes, channels);
  }
};

// ---------------------------------------------------------------------------------------------
// Builds the cell of a type for a block depth and input stride.
using CellFactory = std::function<Cell(CellType type, int64_t channels, int64_t input_stride)>;

class CellNetwork final : public SpaceBackbone {
 public:
  CellNetwork(std::string label, const std::vector<int64_t>& obs_shape, const CellVariant& variant,
              const std::vector<int64_t>& depths, const CellFactory& make_cell)
      : SpaceBackbone(std::move(label), obs_shape) {
    int64_t channels = obs_shape[0], h = obs_shape[1], w = obs_shape[2];
    for (size_t b = 0; b < depths.size(); ++b) {
      const std::string block = "block" + std::to_string(b + 1);
      const int64_t depth = depths[b];
      add(block + "_conv", make_op("conv3x3_plain", {channels, depth, 1}));
      if (variant.reduction_cells == 0) {
        // IMPALA's reduction (RL-DARTS Sec. 4.1): the conv above, then max pool 3x3 stride 2.
        add(block + "_pool", make_op("max_pool3x3", {depth, depth, /*stride=*/2}));
      }
      for (int64_t n = 0; n < variant.normal_cells; ++n) {
        add_cell(block + "_normal" + std::to_string(n + 1), make_cell(CellType::kNormal, depth, /*input_stride=*/1));
      }
      for (int64_t r = 0; r < variant.reduction_cells; ++r) {
        add_cell(block + "_reduction" + std::to_string(r + 1),
                 make_cell(CellType::kReduction, depth, /*input_stride=*/2));
      }
      channels = depth;
      h = op_output_size(h, 2);
      w = op_output_size(w, 2);
    }
    head_ = register_module("head", make_op("linear_relu", {channels * h * w, kFeatures, 1}));
    feature_dim_ = kFeatures;
    init_weights(*this);
    balance_cells();
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    auto x = obs;
    for (auto& layer : layers_) x = layer.forward(x);
    return head_->forward(torch::relu(x).flatten(1));
  }

 private:
  template <typename M>
  void add(const std::string& name, M module) {
    layers_.emplace_back(register_module(name, std::move(module)));
    cells_.emplace_back(nullptr);
  }
  void add_cell(const std::string& name, Cell cell) {
    layers_.emplace_back(register_module(name, cell));
    cells_.push_back(cell);
  }

  // A cell sums edges into nodes and concatenates nodes, so with the orthogonal init alone each
  // cell multiplies the RMS of its input by ~2-3 (features of a 16x3 classic network start near
  // 1e2, far from what a PPO head expects). As LSUV (Mishkin & Matas 2016) does per layer, a
  // fixed-seed probe batch sets each cell's output conv so that the cell's output has the RMS of
  // its input. Deterministic, and the global torch generator is left alone.
  void balance_cells() {
    torch::NoGradGuard no_grad;
    std::vector<int64_t> shape{kProbeBatch};
    shape.insert(shape.end(), obs_shape_.begin(), obs_shape_.end());
    auto x = torch::rand(shape, at::detail::createCPUGenerator(kProbeSeed));
    auto rms = [](const torch::Tensor& t) { return t.square().mean().sqrt().item<double>(); };
    for (size_t i = 0; i < layers_.size(); ++i) {
      auto y = layers_[i].forward(x);
      if (cells_[i]) {
        const double in = rms(x), out = rms(y);
        if (in > 0 && out > 0 && std::isfinite(out) && cells_[i]->scale_output(in / out)) y = y * (in / out);
      }
      x = y;
    }
  }

  std::vector<torch::nn::AnyModule> layers_;
  std::vector<Cell> cells_;  // [layer]: the cell, or null
  Op head_;
};

// ---------------------------------------------------------------------------------------------
class CellSpace final : public SearchSpace {
 public:
  CellSpace(const std::string& variant, std::vector<int64_t> depths, bool concat_output)
      : variant_(variant_of(variant)), depths_(std::move(depths)), concat_output_(concat_output) {
    if (depths_.empty()) throw Error(name() + ": depths must list at least one block, got none");
    for (size_t i = 0; i < depths_.size(); ++i) {
      if (depths_[i] < 1) {
        throw Error(name() + ": depths must be >= 1, got " + std::to_string(depths_[i]) + " at index " +
                    std::to_string(i));
      }
    }
  }

  std::string name() const override { return "cell/" + variant_.name; }

  // RL-DARTS measures its cells against IMPALA-CNN.
  std::vector<std::string> baselines() const override { return {"net:impala_cnn"}; }
  std::string description() const override {
    std::vector<std::string> depth_text;
    for (auto d : depths_) depth_text.push_back(std::to_string(d));
    const std::string common =
        " Each cell has " + std::to_string(kNodes) +
        " intermediate nodes; node i sums ops on K = 2 of its i predecessors (node 1: one op on the cell input), "
        "and the cell outputs " +
        (concat_output_ ? std::string("a 1x1 conv over the concatenation of its nodes") : "its last node") +
        ". One genotype per cell type is shared by all cells; each of the " + std::to_string(depths_.size()) +
        " blocks (depths " + join(depth_text) +
        ") maps channels with a conv 3x3 first; head: ReLU, flatten, linear 256 + ReLU. "
        "RL-DARTS (Miao et al. 2021), Sec. 3.1, 4.1, Appendix G.1.";
    if (variant_.reduction_cells == 0) {
      return "RL-DARTS 'Micro' cells: normal ops conv3x3 (no activation), ReLU, tanh, skip; (N, R) = (2, 0), the "
             "reduction is IMPALA's fixed conv 3x3 + max pool 3x3 stride 2." +
             common;
    }
    if (variant_.name == "classic-linear") {
      return "RL-DARTS Appendix B.1's ablation of the 'Classic' cells: normal ops conv3x3/5x5 and dilated conv3x3/5x5 "
             "without ReLU, skip; reduction ops as classic; (N, R) = (1, 1)." +
             common;
    }
    return "RL-DARTS 'Classic' cells: normal ops conv3x3/5x5 and dilated conv3x3/5x5 (each + ReLU), skip; reduction "
           "ops conv3x3, max pool 3x3, avg pool 3x3, skip (stride 2 on the cell input); (N, R) = (1, 1)." +
           common;
  }

  std::vector<Decision> decisions() const override {
    std::vector<Decision> out = node_decisions(CellType::kNormal);
    if (has_reduction_decisions()) {
      auto reduction = node_decisions(CellType::kReduction);
      out.insert(out.end(), reduction.begin(), reduction.end());
    }
    return out;
  }

  std::vector<int64_t> default_input_shape() const override { return {3, 64, 64}; }  // Procgen

  // Every op of a cell type incl. "zero": the candidates of an RL-DARTS softmax supernet edge.
  std::vector<std::string> candidate_ops(CellType type) const {
    return type == CellType::kNormal ? variant_.normal_ops : variant_.reduction_ops;
  }
  // The ops a discrete cell picks from: the candidates without "zero".
  std::vector<std::string> discrete_ops(CellType type) const { return without_zero(candidate_ops(type)); }

  void validate(const Architecture& arch) const override {
    if (arch.space != name() || arch.version != version() || !arch.choices.is_object()) {
      SearchSpace::validate(arch);  // throws: another space or version
    }
    for (CellType type : cell_types()) {
      for (int node = 1; node <= kNodes; ++node) {
        const std::string decision = decision_name(type, node);
        if (!arch.choices.contains(decision)) {
          throw Error(name() + ": the architecture has no value for decision '" + decision + "' (" +
                      decision_doc(type, node) + ")");
        }
        check_node(type, node, arch.choices[decision]);
      }
    }
    SearchSpace::validate(arch);  // unknown decisions
  }

  nn::Backbone build(const Architecture& arch, const std::vector<int64_t>& obs_shape) const override {
    validate(arch);
    require_image(name(), obs_shape);
    if (std::any_of(obs_shape.begin(), obs_shape.end(), [](int64_t s) { return s < 1; })) {
      throw Error(name() + ": observation sizes must be >= 1, got " + shape_text(obs_shape));
    }
    const auto normal = genotype(arch, CellType::kNormal);
    const auto reduction = has_reduction_decisions() ? genotype(arch, CellType::kReduction) : CellGenotype{};
    return std::make_shared<CellNetwork>(arch.space + ", " + arch.short_id(), obs_shape, variant_, depths_,
                                         [&](CellType type, int64_t channels, int64_t stride) -> Cell {
                                           return std::make_shared<CellImpl>(
                                               type == CellType::kNormal ? normal : reduction, channels, stride,
                                               concat_output_);
                                         });
  }

  // RL-DARTS's supernet: alpha per cell type, one row per edge node_j <- node_i, over every
  // candidate op incl. zero; all cells of a type share their type's alpha.
  std::vector<MixedGroup> mixed_layout() const override {
    std::vector<MixedGroup> out;
    for (CellType type : cell_types()) {
      MixedGroup g{type_name(type), {}, candidate_ops(type)};
      for (int node = 1; node <= kNodes; ++node) {
        for (int input = 0; input < node; ++input) g.rows.push_back(node_name(node) + "<-" + node_name(input));
      }
      out.push_back(std::move(g));
    }
    return out;
  }

  nn::Backbone build_mixed(const std::vector<int64_t>& obs_shape, const EdgeMixer& mix) const override {
    require_image(name(), obs_shape);
    return std::make_shared<CellNetwork>(name() + ", mixed supernet", obs_shape, variant_, depths_,
                                         [&](CellType type, int64_t channels, int64_t stride) -> Cell {
                                           return std::make_shared<MixedCellImpl>(
                                               candidate_ops(type), channels, stride, concat_output_,
                                               type == CellType::kNormal ? 0 : 1, mix);
                                         });
  }

  // RL-DARTS Appendix A.1 Algorithm 4: per edge the strongest non-zero op (its probability is the
  // edge's strength); per node the K = 2 strongest incoming edges (node 1: its one edge).
  Architecture discretize(const std::vector<torch::Tensor>& probs) const override {
    const auto types = cell_types();
    if (probs.size() != types.size()) {
      throw Error(name() + ": discretize expects " + std::to_string(types.size()) + " alpha groups, got " +
                  std::to_string(probs.size()));
    }
    nlohmann::json choices = nlohmann::json::object();
    for (size_t t = 0; t < types.size(); ++t) {
      const auto ops = candidate_ops(types[t]);
      const auto p = probs[t].to(torch::kCPU, torch::kFloat64).contiguous();
      if (p.dim() != 2 || p.size(0) != edge_row(kNodes + 1, 0) || p.size(1) != static_cast<int64_t>(ops.size())) {
        throw Error(name() + ": " + type_name(types[t]) + " probabilities must be [" +
                    std::to_string(edge_row(kNodes + 1, 0)) + ", " + std::to_string(ops.size()) + "], got " +
                    shape_text(p.sizes()));
      }
      for (int64_t node = 1; node <= kNodes; ++node) {
        struct Scored {
          double strength;
          int64_t input;
          std::string op;
        };
        std::vector<Scored> in;
        for (int64_t input = 0; input < node; ++input) {
          const auto* row = p[edge_row(node, input)].data_ptr<double>();
          Scored best{-1, input, ""};
          for (size_t o = 0; o < ops.size(); ++o) {
            if (ops[o] != "zero" && row[o] > best.strength) best = {row[o], input, ops[o]};
          }
          in.push_back(best);
        }
        // Strongest first; ties go to the earlier input.
        std::stable_sort(in.begin(), in.end(),
                         [](const Scored& a, const Scored& b) { return a.strength > b.strength; });
        in.resize(static_cast<size_t>(std::min<int64_t>(node, 2)));
        std::sort(in.begin(), in.end(), [](const Scored& a, const Scored& b) { return a.input < b.input; });
        auto edges = nlohmann::json::array();
        for (const auto& e : in) edges.push_back(nlohmann::json::array({e.op, e.input}));
        choices[decision_name(types[t], static_cast<int>(node))] = std::move(edges);
      }
    }
    return make(std::move(choices));
  }

  nlohmann::json graph(const Architecture& arch) const override {
    validate(arch);
    nlohmann::json cells = nlohmann::json::array();
    for (CellType type : cell_types()) {
      const auto cell = genotype(arch, type);
      const auto live = live_nodes(cell, concat_output_);
      nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array(), from = nlohmann::json::array();
      for (size_t node = 0; node <= cell.size(); ++node) {
        nodes.push_back({{"name", node_name(static_cast<int64_t>(node))}, {"live", static_cast<bool>(live[node])}});
        if (node == 0) continue;
        for (const auto& edge : cell[node - 1]) {
          edges.push_back({{"from", node_name(edge.input)},
                           {"to", node_name(static_cast<int64_t>(node))},
                           {"op", op_text(edge, type)}});
        }
        if (concat_output_ || node == cell.size()) from.push_back(node_name(static_cast<int64_t>(node)));
      }
      cells.push_back(
          {{"name", type_name(type)},
           {"nodes", nodes},
           {"edges", edges},
           {"output", {{"name", "output"}, {"op", concat_output_ ? "conv1x1(concat)" : "identity"}, {"from", from}}}});
    }
    return {{"cells", cells}};
  }

  std::vector<std::string> describe(const Architecture& arch) const override {
    validate(arch);
    std::vector<std::string> lines;
    std::string block = "each block: conv3x3 to the block's depth";
    if (variant_.reduction_cells == 0) block += ", max_pool3x3/2";
    block += ", " + std::to_string(variant_.normal_cells) + " normal cell" + (variant_.normal_cells > 1 ? "s" : "");
    if (variant_.reduction_cells > 0) {
      block += ", " + std::to_string(variant_.reduction_cells) + " reduction cell" +
               (variant_.reduction_cells > 1 ? "s" : "");
    }
    std::vector<std::string> depth_text;
    for (auto d : depths_) depth_text.push_back(std::to_string(d));
    lines.push_back(block + "; depths " + join(depth_text, ", ") + "; head: ReLU, flatten, linear 256 + ReLU");
    for (CellType type : cell_types()) {
      const auto cell = genotype(arch, type);
      const auto live = live_nodes(cell, concat_output_);
      for (size_t node = 1; node <= cell.size(); ++node) {
        std::vector<std::string> terms;
        for (const auto& edge : cell[node - 1]) {
          terms.push_back(edge_text(edge, type));
        }
        lines.push_back(std::string(type_name(type)) + " " + node_name(static_cast<int64_t>(node)) + " = " +
                        join(terms, " + ") + (live[node] ? "" : "  (unused: not an input of the output)"));
      }
      std::vector<std::string> nodes;
      for (int node = 1; node <= kNodes; ++node) nodes.push_back(node_name(node));
      lines.push_back(std::string(type_name(type)) +
                      " output = " + (concat_output_ ? "conv1x1(concat(" + join(nodes) + "))" : node_name(kNodes)));
    }
    return lines;
  }

 private:
  bool has_reduction_decisions() const { return variant_.reduction_cells > 0; }

  std::vector<CellType> cell_types() const {
    if (has_reduction_decisions()) return {CellType::kNormal, CellType::kReduction};
    return {CellType::kNormal};
  }

  static std::string decision_name(CellType type, int node) {
    return std::string(type_name(type)) + ".node" + std::to_string(node);
  }

  std::string decision_doc(CellType type, int node) const {
    const std::string ops = join(discrete_ops(type));
    if (node == 1) return "node 1 of the " + std::string(type_name(type)) + " cell: [[op, 0]], op one of " + ops;
    return "node " + std::to_string(node) + " of the " + type_name(type) +
           " cell: [[op_a, a], [op_b, b]] with inputs 0 <= a < b <= " + std::to_string(node - 1) +
           " (0 = cell input, j = node j), ops from " + ops;
  }

  std::vector<Decision> node_decisions(CellType type) const {
    const auto ops = discrete_ops(type);
    std::vector<Decision> out;
    for (int node = 1; node <= kNodes; ++node) {
      Decision d{decision_name(type, node), {}, decision_doc(type, node)};
      if (node == 1) {
        for (const auto& op : ops) d.options.push_back(nlohmann::json::array({nlohmann::json::array({op, 0})}));
      } else {
        // Input pairs as combinations in increasing order, then every (op_a, op_b).
        for (int a = 0; a < node; ++a) {
          for (int b = a + 1; b < node; ++b) {
            for (const auto& op_a : ops) {
              for (const auto& op_b : ops) {
                d.options.push_back(
                    nlohmann::json::array({nlohmann::json::array({op_a, a}), nlohmann::json::array({op_b, b})}));
              }
            }
          }
        }
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  // Says exactly what is wrong with a node's value (the default only says "not an option").
  void check_node(CellType type, int node, const nlohmann::json& value) const {
    const std::string decision = decision_name(type, node);
    auto fail = [&](const std::string& what) {
      throw Error(name() + ": decision '" + decision + "' = " + json_excerpt(value) + ": " + what + "; expected " +
                  decision_doc(type, node));
    };
    const size_t edges = node == 1 ? 1 : 2;
    if (!value.is_array() || value.size() != edges) {
      fail("expected a list of " + std::to_string(edges) + " [op, input] edge" + (edges > 1 ? "s" : ""));
    }
    const auto ops = discrete_ops(type);
    int64_t previous = -1;
    for (const auto& edge : value) {
      if (!edge.is_array() || edge.size() != 2 || !edge[0].is_string() || !edge[1].is_number_integer()) {
        fail("edge " + edge.dump() + " is not an [op, input] pair");
      }
      const auto op = edge[0].get<std::string>();
      if (std::find(ops.begin(), ops.end(), op) == ops.end()) {
        fail("op '" + op + "' is not a " + type_name(type) + " op" +
             (op == "zero" ? " (zero edges are dropped when a cell is discretized)" : ""));
      }
      const auto input = edge[1].get<int64_t>();
      if (input < 0 || input >= node) {
        fail("input " + std::to_string(input) + " is not a predecessor of node " + std::to_string(node) + " (0.." +
             std::to_string(node - 1) + ")");
      }
      if (input <= previous) fail("inputs must be distinct and in increasing order");
      previous = input;
    }
  }

  static CellGenotype genotype(const Architecture& arch, CellType type) {
    CellGenotype cell;
    for (int node = 1; node <= kNodes; ++node) {
      std::vector<CellEdge> edges;
      for (const auto& edge : arch.choices.at(decision_name(type, node))) {
        edges.push_back({edge[0].get<std::string>(), edge[1].get<int64_t>()});
      }
      cell.push_back(std::move(edges));
    }
    return cell;
  }

  const CellVariant& variant_;
  std::vector<int64_t> depths_;
  bool concat_output_;
};

// [[op, input], ...] from (op, input) pairs, for the named genotypes below.
nlohmann::json edges(std::initializer_list<std::pair<const char*, int>> list) {
  auto out = nlohmann::json::array();
  for (const auto& [op, input] : list) out.push_back(nlohmann::json::array({op, input}));
  return out;
}

}  // namespace

// Not in builtin.h yet: spaces with other depths or the last-node output (tests, presets such as
// the paper's 64x3 evaluation networks).
std::unique_ptr<SearchSpace> make_cell_space(const std::string& variant, std::vector<int64_t> depths,
                                             bool concat_output) {
  return std::make_unique<CellSpace>(variant, std::move(depths), concat_output);
}

std::vector<std::unique_ptr<SearchSpace>> make_cell_spaces() {
  // 16x3: the depths RL-DARTS trains its supernets with (Sec. 3.1, Table 3).
  std::vector<std::unique_ptr<SearchSpace>> out;
  out.push_back(make_cell_space("classic", {16, 16, 16}, /*concat_output=*/true));
  out.push_back(make_cell_space("micro", {16, 16, 16}, /*concat_output=*/true));
  out.push_back(make_cell_space("classic-linear", {16, 16, 16}, /*concat_output=*/true));
  return out;
}

std::vector<NamedArchitecture> cell_named_architectures() {
  std::vector<NamedArchitecture> out;
  {
    const auto space = make_cell_space("classic", {16, 16, 16}, true);
    nlohmann::json choices = {
        {"normal.node1", edges({{"conv3x3", 0}})},
        {"normal.node2", edges({{"skip", 0}, {"conv3x3", 1}})},
        {"normal.node3", edges({{"conv3x3", 1}, {"conv5x5", 2}})},
        {"normal.node4", edges({{"skip", 0}, {"dil_conv5x5", 3}})},
        {"reduction.node1", edges({{"max_pool3x3", 0}})},
        {"reduction.node2", edges({{"conv3x3_plain", 0}, {"skip", 1}})},
        {"reduction.node3", edges({{"avg_pool3x3", 0}, {"conv3x3_plain", 2}})},
        {"reduction.node4", edges({{"max_pool3x3", 0}, {"skip", 3}})},
    };
    out.push_back({"cell/classic/example",
                   "A plausible 'Classic' genotype in the spirit of RL-DARTS Fig. 8 (right): conv3x3 + ReLU residual "
                   "structure early in the normal cell and 5x5 kernels later in it. The paper prints its discovered "
                   "cells only as pictures, so this is not a transcription of one.",
                   space->make(std::move(choices))});
  }
  {
    const auto space = make_cell_space("micro", {16, 16, 16}, true);
    nlohmann::json choices = {
        {"normal.node1", edges({{"relu", 0}})},
        {"normal.node2", edges({{"skip", 0}, {"conv3x3_plain", 1}})},
        {"normal.node3", edges({{"relu", 0}, {"relu", 2}})},
        {"normal.node4", edges({{"skip", 2}, {"conv3x3_plain", 3}})},
    };
    out.push_back({"cell/micro/example",
                   "An IMPALA-like 'Micro' genotype: node2 = x + conv(relu(x)) as an IMPALA residual branch, node3 = "
                   "relu(x) + relu(node2), node4 = node2 + conv(node3): the Conv3x3 + ReLU residual structure "
                   "RL-DARTS's successful searches converge to (Fig. 5 right, "
                   "Fig. 7b). The paper prints its discovered cells only as pictures, so this is not a transcription "
                   "of one.",
                   space->make(std::move(choices))});
  }
  return out;
}

}  // namespace rlnas::space::detail
