// SearchSpace defaults (decision-wise sampling, enumeration, mutation, validation), the space
// registry, named architectures and the helpers shared by built networks.
#include "rlnas/space/space.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"

namespace rlnas::space {

uint64_t SearchSpace::size() const {
  uint64_t n = 1;
  for (const auto& d : decisions()) {
    const uint64_t k = d.options.size();
    if (k != 0 && n > std::numeric_limits<uint64_t>::max() / k) throw Error(name() + ": size exceeds 2^64");
    n *= k;
  }
  return n;
}

Architecture SearchSpace::make(nlohmann::json choices) const {
  Architecture a;
  a.space = name();
  a.version = version();
  a.choices = std::move(choices);
  return a;
}

Architecture SearchSpace::sample(Mt19937& rng) const {
  nlohmann::json choices = nlohmann::json::object();
  for (const auto& d : decisions()) {
    choices[d.name] = d.options[static_cast<size_t>(rng.randint(0, static_cast<int64_t>(d.options.size())))];
  }
  return make(std::move(choices));
}

std::vector<Architecture> SearchSpace::enumerate(uint64_t limit) const {
  const uint64_t n = size();
  if (n > limit) {
    throw Error(name() + " holds " + format_count(n) + " architectures, more than the enumeration limit of " +
                format_count(limit) + "; sample it instead");
  }
  const auto ds = decisions();
  std::vector<Architecture> out;
  out.reserve(n);
  std::vector<size_t> index(ds.size(), 0);
  for (uint64_t i = 0; i < n; ++i) {
    nlohmann::json choices = nlohmann::json::object();
    for (size_t j = 0; j < ds.size(); ++j) choices[ds[j].name] = ds[j].options[index[j]];
    out.push_back(make(std::move(choices)));
    // odometer: the last decision changes fastest
    for (size_t j = ds.size(); j-- > 0;) {
      if (++index[j] < ds[j].options.size()) break;
      index[j] = 0;
    }
  }
  return out;
}

Architecture SearchSpace::mutate(const Architecture& arch, Mt19937& rng) const {
  validate(arch);
  std::vector<Decision> open;
  for (auto& d : decisions()) {
    if (d.options.size() > 1) open.push_back(std::move(d));
  }
  if (open.empty()) throw Error(name() + " holds a single architecture: there is nothing to mutate");
  const auto& d = open[static_cast<size_t>(rng.randint(0, static_cast<int64_t>(open.size())))];
  const auto& current = arch.choices.at(d.name);
  std::vector<const nlohmann::json*> others;
  for (const auto& o : d.options) {
    if (o != current) others.push_back(&o);
  }
  Architecture out = arch;
  out.choices[d.name] = *others[static_cast<size_t>(rng.randint(0, static_cast<int64_t>(others.size())))];
  return out;
}

void SearchSpace::validate(const Architecture& arch) const {
  if (arch.space != name()) {
    throw Error("architecture of space '" + excerpt(arch.space, 80) + "' given to space '" + name() + "'");
  }
  if (arch.version != version()) {
    throw Error("architecture of " + name() + " version " + std::to_string(arch.version) + "; this rlnas has version " +
                std::to_string(version()));
  }
  if (!arch.choices.is_object())
    throw Error(name() + ": choices must be an object, found " + json_excerpt(arch.choices));
  const auto ds = decisions();
  for (const auto& d : ds) {
    if (!arch.choices.contains(d.name)) {
      throw Error(name() + ": the architecture has no value for decision '" + d.name + "'");
    }
    const auto& v = arch.choices[d.name];
    if (std::find(d.options.begin(), d.options.end(), v) == d.options.end()) {
      std::string valid;
      for (size_t i = 0; i < d.options.size() && i < 12; ++i) valid += (i ? ", " : "") + d.options[i].dump();
      if (d.options.size() > 12) valid += ", ... (" + std::to_string(d.options.size()) + " options)";
      throw Error(name() + ": decision '" + d.name + "' = " + json_excerpt(v) + " is not one of its options: " + valid);
    }
  }
  for (const auto& [key, value] : arch.choices.items()) {
    if (std::none_of(ds.begin(), ds.end(), [&](const Decision& d) { return d.name == key; })) {
      std::string valid;
      for (const auto& d : ds) valid += (valid.empty() ? "" : ", ") + d.name;
      throw Error(name() + ": unknown decision '" + excerpt(key, 80) + "'" +
                  (valid.empty() ? " (this space has none)" : "; decisions: " + valid));
    }
  }
}

Architecture SearchSpace::normalize(const Architecture& arch) const {
  Architecture out = arch;
  if (!out.choices.is_object()) return out;
  for (const auto& d : decisions()) {
    if (!out.choices.contains(d.name)) continue;
    auto& v = out.choices[d.name];
    const auto it = std::find(d.options.begin(), d.options.end(), v);  // json == compares 4.0 and 4 equal
    if (it != d.options.end()) v = *it;
  }
  return out;
}

nn::Backbone SearchSpace::build_with(const std::vector<int64_t>&, const OpChooser&) const {
  throw Error(name() +
              " has no weight-sharing builder: single-path supernets exist for the chain spaces without "
              "channel choices and for blocks");
}

namespace {
std::string option_label(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }
}  // namespace

std::vector<MixedGroup> SearchSpace::mixed_layout() const {
  std::vector<MixedGroup> out;
  for (const auto& d : decisions()) {
    MixedGroup g{d.name, {d.name}, {}};
    for (const auto& o : d.options) g.ops.push_back(option_label(o));
    out.push_back(std::move(g));
  }
  return out;
}

nn::Backbone SearchSpace::build_mixed(const std::vector<int64_t>& obs_shape, const EdgeMixer& mix) const {
  const auto ds = decisions();
  return build_with(obs_shape, [&](const std::string& decision, const std::vector<Candidate>& candidates) -> Op {
    const auto it = std::find_if(ds.begin(), ds.end(), [&](const Decision& d) { return d.name == decision; });
    if (it == ds.end()) throw Error(name() + ": choice point '" + decision + "' is not a decision of the space");
    if (candidates.size() != it->options.size()) {
      throw Error(name() + ": choice point '" + decision + "' has " + std::to_string(candidates.size()) +
                  " candidates for " + std::to_string(it->options.size()) + " options");
    }
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i].value != it->options[i]) {
        throw Error(name() + ": the candidates of '" + decision + "' are not in the order of its options");
      }
    }
    return mix(static_cast<size_t>(it - ds.begin()), 0, candidates);
  });
}

Architecture SearchSpace::discretize(const std::vector<torch::Tensor>& probs) const {
  const auto ds = decisions();
  if (probs.size() != ds.size()) {
    throw Error(name() + ": discretize expects " + std::to_string(ds.size()) + " probability rows, got " +
                std::to_string(probs.size()));
  }
  nlohmann::json choices = nlohmann::json::object();
  for (size_t i = 0; i < ds.size(); ++i) {
    const auto row = probs[i].reshape({-1});
    if (row.numel() != static_cast<int64_t>(ds[i].options.size())) {
      throw Error(name() + ": decision '" + ds[i].name + "' has " + std::to_string(ds[i].options.size()) +
                  " options, got " + std::to_string(row.numel()) + " probabilities");
    }
    choices[ds[i].name] = ds[i].options[static_cast<size_t>(row.argmax().item<int64_t>())];
  }
  return make(std::move(choices));
}

std::vector<std::string> SearchSpace::describe(const Architecture& arch) const {
  std::vector<std::string> lines;
  for (const auto& d : decisions())
    lines.push_back(d.name + " = " + arch.choices.value(d.name, nlohmann::json()).dump());
  return lines;
}

namespace {

struct Registry {
  std::vector<std::unique_ptr<SearchSpace>> spaces;
  std::vector<NamedArchitecture> named;
};

Registry& registry() {
  static Registry r = [] {
    Registry r;
    auto add_all = [&](std::vector<std::unique_ptr<SearchSpace>> v) {
      for (auto& s : v) r.spaces.push_back(std::move(s));
    };
    add_all(detail::make_chain_spaces());
    add_all(detail::make_cell_spaces());
    r.spaces.push_back(detail::make_blocks_space());
    r.spaces.push_back(detail::make_mlp_space());
    r.spaces.push_back(detail::make_image_space());
    add_all(detail::make_fixed_spaces());
    for (auto list :
         {detail::fixed_named_architectures(), detail::chain_named_architectures(), detail::cell_named_architectures(),
          detail::blocks_named_architectures(), detail::mlp_named_architectures()}) {
      for (auto& n : list) r.named.push_back(std::move(n));
    }
    return r;
  }();
  return r;
}

}  // namespace

void register_space(std::unique_ptr<SearchSpace> space) {
  if (!space) throw Error("register_space: no space given");
  const auto names = space_names();
  if (std::find(names.begin(), names.end(), space->name()) != names.end()) {
    throw Error("register_space: a space named '" + space->name() + "' is already registered");
  }
  registry().spaces.push_back(std::move(space));
}

const SearchSpace& find_space(const std::string& name) {
  for (const auto& s : registry().spaces) {
    if (s->name() == name) return *s;
  }
  std::string valid;
  for (const auto& n : space_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown search space '" + excerpt(name, 80) + "'; valid: " + valid);
}

std::vector<std::string> space_names() {
  std::vector<std::string> names;
  for (const auto& s : registry().spaces) names.push_back(s->name());
  return names;
}

const NamedArchitecture& find_named_architecture(const std::string& name) {
  for (const auto& n : registry().named) {
    if (n.name == name) return n;
  }
  std::string valid;
  for (const auto& n : registry().named) valid += (valid.empty() ? "" : ", ") + n.name;
  throw Error("unknown named architecture '" + excerpt(name, 80) + "'; valid: " + valid);
}

const std::vector<NamedArchitecture>& named_architectures() { return registry().named; }

Architecture read_architecture_arg(const std::string& text) {
  Architecture arch;
  if (!text.empty() && text[0] == '@') {
    const std::string path = text.substr(1);
    try {
      arch = Architecture::parse(io::read_file(path, io::kMaxInputFileBytes));
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
  } else {
    arch = Architecture::parse(text);
  }
  const auto names = space_names();
  if (std::find(names.begin(), names.end(), arch.space) != names.end()) arch = find_space(arch.space).normalize(arch);
  return arch;
}

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace detail {

std::string shape_text(c10::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

void require_image(const std::string& what, const std::vector<int64_t>& obs_shape) {
  if (obs_shape.size() != 3) {
    throw Error(what + ": expected an image observation [C, H, W], got " + shape_text(obs_shape) +
                (obs_shape.size() == 1 ? " (a vector observation: use the mlp space)" : ""));
  }
}

SpaceBackbone::SpaceBackbone(const Architecture& arch, std::vector<int64_t> obs_shape)
    : label_(arch.space + ", " + arch.short_id()), obs_shape_(std::move(obs_shape)) {}

void SpaceBackbone::check_batch(const torch::Tensor& obs) const {
  const auto sizes = obs.sizes();
  if (sizes.size() == obs_shape_.size() + 1 && sizes.slice(1) == c10::IntArrayRef(obs_shape_)) return;
  throw Error(label_ + ": expected an observation batch [B, " + shape_text(obs_shape_).substr(1) + ", got " +
              shape_text(sizes));
}

void SpaceBackbone::pretty_print(std::ostream& stream) const {
  stream << "rlnas::space::Network(" << label_ << ", obs=" << shape_text(obs_shape_) << ", features=" << feature_dim_
         << ")";
}

void init_weights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  const double gain = std::sqrt(2.0);
  for (auto& child : module.modules(/*include_self=*/false)) {
    torch::Tensor w, b;
    bool grouped = false;
    if (auto* linear = child->as<torch::nn::Linear>()) {
      w = linear->weight;
      b = linear->bias;
    } else if (auto* conv = child->as<torch::nn::Conv2d>()) {
      w = conv->weight;
      b = conv->bias;
      grouped = conv->options.groups() > 1;
    } else {
      continue;
    }
    if (grouped) {
      const double fan_in = static_cast<double>(w.numel() / w.size(0));
      torch::nn::init::normal_(w, 0.0, gain / std::sqrt(fan_in));
    } else {
      torch::nn::init::orthogonal_(w, gain);
    }
    if (b.defined()) b.zero_();
  }
}

}  // namespace detail
}  // namespace rlnas::space
