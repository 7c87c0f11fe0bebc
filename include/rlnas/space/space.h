// Search spaces: the decisions an architecture makes, how to sample, enumerate and mutate
// architectures, and how to build one as a network (an nn::Backbone that every algorithm's heads
// attach to). Spaces are stateless; `find_space` returns the registered ones.
//
// Registered spaces (docs/spaces.md): chain presets nas-rl/ss1, nas-rl/ss2, nas-rl/large,
// minatar/ss1, minatar/ss2; cells classic and micro; blocks (A2D); mlp; and one-point spaces
// fixed/<backbone> for the hand-designed networks of the training issue.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rlnas/core/rng.h"
#include "rlnas/nn/networks.h"
#include "rlnas/space/architecture.h"
#include "rlnas/space/ops.h"

namespace rlnas::space {

// One decision: its name, its options (any JSON values), and what it means.
struct Decision {
  std::string name;
  std::vector<nlohmann::json> options;
  std::string doc;
};

// One choice point of a network under construction: each option of the decision with the op it
// stands for. A space that builds through an OpChooser builds fixed networks (the chooser returns
// the chosen op) and weight-sharing supernets (it returns a ChoiceLayer holding every candidate)
// from the same code (supernet.h).
struct Candidate {
  nlohmann::json value;  // the decision's option
  std::string op;        // make_op name
  OpArgs args;
};
using OpChooser = std::function<Op(const std::string& decision, const std::vector<Candidate>& candidates)>;

// Differentiable (softmax- or Gumbel-mixed) supernets (mixed.h) give every edge a row of
// architecture variables alpha over its candidate ops. A space lays its alpha out in groups: one
// group per decision for the spaces built through an OpChooser (one row, the decision's options),
// or per cell type for the cells (one row per edge node_j <- node_i, the ops incl. "zero").
struct MixedGroup {
  std::string name;               // e.g. "normal", or a decision name
  std::vector<std::string> rows;  // e.g. "node2<-input"
  std::vector<std::string> ops;   // column labels
};
// Builds the mixed op of row `row` of group `group` from its candidates (one per column).
using EdgeMixer = std::function<Op(size_t group, size_t row, const std::vector<Candidate>& candidates)>;

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;
  virtual std::string name() const = 0;
  virtual int64_t version() const { return 1; }
  virtual std::string description() const = 0;  // one paragraph, with the paper reference
  // Hand-designed networks a search of this space is measured against besides its named
  // architectures (search.baselines auto, with the environment's): "net:NAME" or "named:NAME".
  virtual std::vector<std::string> baselines() const { return {}; }
  virtual std::vector<Decision> decisions() const = 0;
  // The input shape the space is defined for (e.g. {4, 84, 84}); build() checks the one it gets.
  virtual std::vector<int64_t> default_input_shape() const = 0;

  // Number of distinct architectures. Default: the product of the decisions' option counts.
  virtual uint64_t size() const;
  // Uniform over the space. Default: one uniform draw per decision, in order.
  virtual Architecture sample(Mt19937& rng) const;
  // Every architecture, in a fixed order; throws rlnas::Error when size() > limit.
  virtual std::vector<Architecture> enumerate(uint64_t limit = 100000) const;
  // A different architecture one step away. Default: one decision (uniform) redrawn to another
  // of its options. Throws when the space has a single architecture.
  virtual Architecture mutate(const Architecture& arch, Mt19937& rng) const;
  // Throws rlnas::Error saying what is wrong: another space or version, a missing or unknown
  // decision, a value that is not one of the options.
  virtual void validate(const Architecture& arch) const;
  // The same architecture with each decision's value written as its option's JSON (4.0 -> 4, also
  // inside nested values): values that compare equal to an option get one canonical JSON and so
  // one id. Values that match no option are left for validate() to report.
  Architecture normalize(const Architecture& arch) const;
  // The network for observations of `obs_shape`: validates the architecture, then builds.
  virtual nn::Backbone build(const Architecture& arch, const std::vector<int64_t>& obs_shape) const = 0;
  // The network with every choice point built by `choose` (see Candidate). Spaces whose choice
  // points keep the tensor shapes whatever is chosen implement it (chain spaces without channel
  // choices, blocks); the default throws, naming the space.
  virtual nn::Backbone build_with(const std::vector<int64_t>& obs_shape, const OpChooser& choose) const;
  // Differentiable supernets (mixed.h). Defaults: one group per decision over build_with(),
  // discretized by the most probable option of each decision. The cells override all three
  // (every edge of a cell mixed; RL-DARTS Algorithm 4 to discretize).
  virtual std::vector<MixedGroup> mixed_layout() const;
  virtual nn::Backbone build_mixed(const std::vector<int64_t>& obs_shape, const EdgeMixer& mix) const;
  // The architecture of op probabilities `probs` (one [rows, ops] tensor per group of the layout).
  virtual Architecture discretize(const std::vector<torch::Tensor>& probs) const;
  // One line per layer / node, for `rlnas space show` and training logs.
  virtual std::vector<std::string> describe(const Architecture& arch) const;
  // The architecture as a graph for diagrams, or null when describe()'s lines (a chain of layers)
  // say it all. Cell spaces: {"cells": [{"name", "nodes": [{"name", "live"}], "edges": [{"from",
  // "to", "op"}], "output": {"name", "op", "from": [...]}}]}; the first node is the cell input.
  virtual nlohmann::json graph(const Architecture& arch) const { return nullptr; }

  Architecture make(nlohmann::json choices) const;  // this space's name and version + choices
};

const SearchSpace& find_space(const std::string& name);  // throws, listing the valid names
// Adds a space beside the built-in ones (tests' planted-answer spaces; plugins). Throws when the name
// is taken. Not thread-safe: register before searching.
void register_space(std::unique_ptr<SearchSpace> space);
std::vector<std::string> space_names();

// Reference architectures by name (e.g. "minatar/ss1/nature", "nature_cnn").
struct NamedArchitecture {
  std::string name, description;
  Architecture arch;
};
const NamedArchitecture& find_named_architecture(const std::string& name);  // throws, listing names
const std::vector<NamedArchitecture>& named_architectures();

// An architecture given on the command line or in a config: JSON text, or @FILE holding it.
// Duplicate keys are an error; values are normalized by their space (when it exists).
Architecture read_architecture_arg(const std::string& text);

// Network size and cost of an architecture for `input_shape` (the space's default when empty).
std::string format_count(uint64_t n);  // 414720000000 -> "414,720,000,000"

}  // namespace rlnas::space
