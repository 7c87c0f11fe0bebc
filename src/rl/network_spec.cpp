// The typed network spec (see rlnas/rl/network_spec.h).
#include "rlnas/rl/network_spec.h"

#include <type_traits>

#include "rlnas/core/options.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/space/mixed.h"
#include "rlnas/space/space.h"
#include "rlnas/space/supernet.h"

namespace rlnas::rl {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

struct KindName {
  SupernetKind kind;
  const char* text;
};
constexpr KindName kKinds[] = {
    {SupernetKind::single_path, "single_path"}, {SupernetKind::softmax, "softmax"}, {SupernetKind::gumbel, "gumbel"}};

SupernetKind parse_supernet_kind(const std::string& text) {
  for (const auto& k : kKinds) {
    if (text == k.text) return k.kind;
  }
  throw Error("supernet kind: expected single_path, softmax or gumbel, found '" + text + "'");
}

// The inverse of backbone_json; `every_knob`: each knob must be there (a spec's JSON), else the
// missing ones keep their defaults (a cache key's architecture holds only those that apply).
nn::NetOptions backbone_from_json(const json& b, bool every_knob) {
  nn::NetOptions o;
  o.name = b.at("name").get<std::string>();
  const auto read = [&](const char* key, auto& into) {
    if (every_knob || b.contains(key)) into = b.at(key).get<std::decay_t<decltype(into)>>();
  };
  read("mlp_hidden", o.mlp_hidden);
  read("activation", o.activation);
  read("impala_channels", o.impala_channels);
  read("resnet_depth", o.resnet_depth);
  read("resnet_features", o.resnet_features);
  return o;
}

ordered_json backbone_json(const nn::NetOptions& o) {
  return {{"name", o.name},
          {"mlp_hidden", o.mlp_hidden},
          {"activation", o.activation},
          {"impala_channels", o.impala_channels},
          {"resnet_depth", o.resnet_depth},
          {"resnet_features", o.resnet_features}};
}

// net.arch: an architecture's JSON text or @FILE; with net.space set, also that space's choices
// alone ({"layer1": "conv3x3", ...}), read as the architecture {"space", "version", "choices"}.
space::Architecture read_arch(const std::string& text, const std::string& space) {
  if (space.empty()) return space::read_architecture_arg(text);
  const bool from_file = text[0] == '@';
  const std::string raw = from_file ? io::read_file(text.substr(1), io::kMaxInputFileBytes) : text;
  const auto j = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.contains("choices") || j.contains("space")) return space::read_architecture_arg(text);
  return space::read_architecture_arg(R"({"space": )" + json(space).dump() + R"(, "version": )" +
                                      std::to_string(space::find_space(space).version()) + R"(, "choices": )" + raw +
                                      "}");
}

}  // namespace

void NetKeys::bind(OptionTable& t) {
  t.add("net.name", &backbone.name,
        "backbone (ignored when net.space is set); default: mlp for vector observations, minatar for images",
        nn::backbone_names())
      .add("net.space", &space, "search space of the network (rlnas space list); empty: the backbone net.name")
      .add("net.arch", &arch, "architecture in net.space: JSON text or @FILE (rlnas space sample); the space's choices alone will do")
      .add("net.named", &named, "named reference architecture (rlnas space list); sets net.space and net.arch")
      .add("net.supernet", &supernet,
           "train the single-path supernet of net.space (SPOS: one uniformly drawn path per iteration)")
      .add("net.mixed", &mixed,
           "train the differentiable supernet of net.space: softmax (RL-DARTS) or gumbel (A2D) mixing of every edge",
           {"none", "softmax", "gumbel"})
      .add("net.mlp_hidden", &backbone.mlp_hidden, "mlp: hidden layer widths", 1, 1e6)
      .add("net.activation", &backbone.activation, "mlp: activation", {"tanh", "relu"})
      .add("net.impala_channels", &backbone.impala_channels, "impala_cnn: channels per stage", 1, 4096)
      .add("net.resnet_depth", &backbone.resnet_depth, "resnet: depth (14, 20, 38 or 74)", 8, 1000)
      .add("net.resnet_features", &backbone.resnet_features, "resnet: output features", 1, 1e6);
}

const std::vector<std::string>& NetworkSpec::space_keys() {
  static const std::vector<std::string> keys = {"net.space", "net.arch", "net.named", "net.supernet", "net.mixed"};
  return keys;
}

NetworkSpec NetworkSpec::from_config(const json& resolved) {
  if (!resolved.is_object()) throw Error("a configuration must be a JSON object, found " + resolved.dump());
  if (!resolved.contains("net.name") && resolved.contains("train")) return from_config(resolved["train"]);
  NetKeys keys;
  keys.backbone.name.clear();
  OptionTable table;
  keys.bind(table);
  for (const auto& [k, v] : resolved.items()) {
    if (k.rfind("net.", 0) == 0) table.set(k, v.is_string() ? v.get<std::string>() : v.dump(), "configuration");
  }
  return from_keys(keys, "");
}

const char* to_string(SupernetKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.text;
  }
  return "?";
}

NetworkSpec NetworkSpec::backbone(nn::NetOptions options) {
  NetworkSpec s;
  s.kind_ = Kind::backbone;
  options.builder = nullptr;
  s.backbone_ = std::move(options);
  return s;
}

NetworkSpec NetworkSpec::architecture(space::Architecture arch, std::string named) {
  NetworkSpec s;
  s.kind_ = Kind::architecture;
  s.space_ = arch.space;
  s.arch_ = std::move(arch);
  s.named_ = std::move(named);
  return s;
}

NetworkSpec NetworkSpec::supernet(std::string space, SupernetKind kind) {
  NetworkSpec s;
  s.kind_ = Kind::supernet;
  s.space_ = std::move(space);
  s.supernet_ = kind;
  return s;
}

NetworkSpec NetworkSpec::from_keys(const NetKeys& k, const std::string& default_backbone) {
  if (k.mixed != "none" || k.supernet) {
    const std::string key = k.mixed != "none" ? "net.mixed" : "net.supernet";
    if (k.mixed != "none" && k.supernet) {
      throw Error("net.mixed and net.supernet are two kinds of supernet; set one of them");
    }
    if (!k.arch.empty() || !k.named.empty()) {
      throw Error(key + " trains every architecture of net.space at once; give no net.arch or net.named");
    }
    if (k.space.empty()) throw Error(key + " needs net.space: the space whose supernet to train");
    space::find_space(k.space);  // exists
    return supernet(k.space, k.supernet ? SupernetKind::single_path : parse_supernet_kind(k.mixed));
  }
  std::string space = k.space, arch_text = k.arch;
  if (!k.named.empty()) {
    const auto& named = space::find_named_architecture(k.named);
    if (!arch_text.empty() && space::read_architecture_arg(arch_text) != named.arch) {
      throw Error("net.named '" + k.named + "' and net.arch give different architectures; give one of them");
    }
    if (!space.empty() && space != named.arch.space) {
      throw Error("net.named '" + k.named + "' is an architecture of space '" + named.arch.space +
                  "', but net.space is '" + space + "'");
    }
    space = named.arch.space;
    arch_text = named.arch.canonical_json();
  }
  if (space.empty() && arch_text.empty()) {
    nn::NetOptions o = k.backbone;
    if (o.name.empty()) o.name = default_backbone;
    return backbone(std::move(o));
  }
  space::Architecture arch;
  try {
    arch = arch_text.empty() ? space::find_space(space).make(json::object()) : read_arch(arch_text, space);
  } catch (const Error& e) {
    throw Error(std::string("net.arch: ") + e.what());
  }
  if (space.empty()) space = arch.space;
  if (arch.space != space) {
    throw Error("net.arch is an architecture of space '" + arch.space + "', but net.space is '" + space + "'");
  }
  try {
    space::find_space(space).validate(arch);
  } catch (const Error& e) {
    throw Error(std::string("net.arch: ") + e.what());
  }
  return architecture(std::move(arch), k.named);
}

json NetworkSpec::keys() const {
  json k;
  if (kind_ == Kind::backbone) k["net.name"] = backbone_.name;
  k["net.space"] = space_;
  k["net.arch"] = kind_ == Kind::architecture ? arch_.canonical_json() : "";
  k["net.named"] = named_;
  k["net.supernet"] = is_single_path();
  k["net.mixed"] = is_mixed() ? to_string(supernet_) : "none";
  return k;
}

void NetworkSpec::write_keys(NetKeys& k) const {
  if (kind_ == Kind::backbone) k.backbone = backbone_;
  k.space = space_;
  k.arch = kind_ == Kind::architecture ? arch_.canonical_json() : "";
  k.named = named_;
  k.supernet = is_single_path();
  k.mixed = is_mixed() ? to_string(supernet_) : "none";
}

ordered_json NetworkSpec::to_json() const {
  switch (kind_) {
    case Kind::backbone:
      return {{"backbone", backbone_json(backbone_)}};
    case Kind::architecture: {
      ordered_json j = {{"architecture", json::parse(arch_.canonical_json())}};
      if (!named_.empty()) j["named"] = named_;
      return j;
    }
    case Kind::supernet:
      return {{"supernet", {{"space", space_}, {"kind", to_string(supernet_)}}}};
  }
  return nullptr;
}

NetworkSpec NetworkSpec::from_json(const json& j) {
  try {
    if (j.contains("backbone")) return backbone(backbone_from_json(j.at("backbone"), /*every_knob=*/true));
    if (j.contains("architecture")) {
      return architecture(space::Architecture::from_json(j.at("architecture")), j.value("named", std::string()));
    }
    if (j.contains("supernet")) {
      const auto& s = j.at("supernet");
      return supernet(s.at("space").get<std::string>(), parse_supernet_kind(s.at("kind").get<std::string>()));
    }
  } catch (const json::exception& e) {
    throw Error("network spec: " + std::string(e.what()) + " in " + j.dump());
  }
  throw Error("network spec: expected {\"backbone\": ...}, {\"architecture\": ...} or {\"supernet\": ...}, found " +
              j.dump());
}

nn::NetOptions NetworkSpec::net_options(const space::MixOptions& mix) const {
  if (kind_ == Kind::backbone) return backbone_;
  nn::NetOptions o;
  const space::SearchSpace* sp = &space::find_space(space_);
  if (kind_ == Kind::architecture) {
    o.builder = [sp, arch = arch_](const std::vector<int64_t>& obs_shape) { return sp->build(arch, obs_shape); };
  } else if (supernet_ == SupernetKind::single_path) {
    o.builder = [sp](const std::vector<int64_t>& obs_shape) {
      return std::static_pointer_cast<nn::BackboneImpl>(space::make_supernet(*sp, obs_shape));
    };
  } else {
    space::MixOptions m = mix;
    m.mode = to_string(supernet_);
    o.builder = [sp, m](const std::vector<int64_t>& obs_shape) {
      return std::static_pointer_cast<nn::BackboneImpl>(space::make_mixed_supernet(*sp, obs_shape, m));
    };
  }
  return o;
}

json NetworkSpec::cache_architecture(const json& mix_options) const {
  switch (kind_) {
    case Kind::backbone: {
      json net = {{"name", backbone_.name}};
      if (backbone_.name == "mlp") {
        net["mlp_hidden"] = backbone_.mlp_hidden;
        net["activation"] = backbone_.activation;
      } else if (backbone_.name == "impala_cnn") {
        net["impala_channels"] = backbone_.impala_channels;
      } else if (backbone_.name == "resnet") {
        net["resnet_depth"] = backbone_.resnet_depth;
        net["resnet_features"] = backbone_.resnet_features;
      }
      return {{"net", net}};
    }
    case Kind::architecture:
      return json::parse(arch_.canonical_json());
    case Kind::supernet:
      if (!is_mixed()) return {{"supernet", space_}};
      return {{"mixed", to_string(supernet_)}, {"space", space_}, {"options", mix_options}};
  }
  return nullptr;
}

NetworkSpec NetworkSpec::from_cache_architecture(const json& a) {
  try {
    // The cache key holds only the knobs that apply to the backbone (cache_architecture).
    if (a.contains("net")) return backbone(backbone_from_json(a.at("net"), /*every_knob=*/false));
    if (a.contains("supernet")) return supernet(a.at("supernet").get<std::string>(), SupernetKind::single_path);
    if (a.contains("mixed")) {
      return supernet(a.at("space").get<std::string>(), parse_supernet_kind(a.at("mixed").get<std::string>()));
    }
    if (a.contains("choices")) return architecture(space::Architecture::from_json(a));
  } catch (const json::exception& e) {
    throw Error("stored network: " + std::string(e.what()) + " in " + a.dump());
  }
  throw Error("stored network: expected {\"net\": ...}, an architecture, {\"supernet\": ...} or {\"mixed\": ...}, found " +
              a.dump());
}

std::string NetworkSpec::identity(bool hard) const {
  switch (kind_) {
    case Kind::backbone:
      return " net=" + json(backbone_json(backbone_)).dump();  // keys sorted, as checkpoints hold it
    case Kind::architecture:
      return " space=" + space_ + " arch=" + arch_.id();
    case Kind::supernet:
      return " space=" + space_ +
             (supernet_ == SupernetKind::single_path
                  ? std::string(" supernet")
                  : " mixed=" + std::string(to_string(supernet_)) + (hard ? "-hard" : ""));
  }
  return "";
}

std::string NetworkSpec::label() const {
  switch (kind_) {
    case Kind::backbone:
      return backbone_.name;
    case Kind::architecture:
      return space_ + " " + arch_.short_id();
    case Kind::supernet:
      return supernet_ == SupernetKind::single_path
                 ? space_ + " supernet"
                 : space_ + " mixed supernet (" + std::string(to_string(supernet_)) + ")";
  }
  return "";
}

}  // namespace rlnas::rl
