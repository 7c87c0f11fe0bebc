// The network a training builds, as one typed value: exactly one of
//   - a fixed backbone (nn::make_backbone: its name and knobs),
//   - an architecture of a search space,
//   - a supernet of a space, of one kind: single-path (SPOS/ENAS), softmax-mixed (RL-DARTS) or
//     Gumbel-mixed (A2D/GDAS).
// with one validation (from_keys), one JSON form (to_json/from_json), one build (builder()), and
// the texts that name it (cache-key architecture, checkpoint identity, labels).
//
// Users spell it with the flat net.* keys (net.name and its knobs, net.space, net.arch, net.named,
// net.supernet, net.mixed) and the flags --net, --space --arch, --named, --space --supernet,
// --space --mixed; keys() gives back the complete set of net.* keys that spell a spec, so a
// configuration override replaces the network as a whole.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rlnas/nn/networks.h"
#include "rlnas/space/architecture.h"

namespace rlnas {
class OptionTable;
}
namespace rlnas::space {
struct MixOptions;
}

namespace rlnas::rl {

enum class SupernetKind { single_path, softmax, gumbel };
const char* to_string(SupernetKind kind);  // single_path | softmax | gumbel

// The flat net.* keys as given (bound to the option table).
struct NetKeys {
  nn::NetOptions backbone;  // net.name ("" = not given) and its knobs
  std::string space, arch, named;
  bool supernet = false;
  std::string mixed = "none";  // none | softmax | gumbel (the option's spelling; the spec's kind is typed)
  // Binds every net.* key to `table`: the one list of the network's keys and their help.
  void bind(OptionTable& table);
};

class NetworkSpec {
 public:
  enum class Kind { backbone, architecture, supernet };

  NetworkSpec() = default;  // the default backbone (net.name minatar)
  static NetworkSpec backbone(nn::NetOptions options);
  // `named`: the reference architecture's name it was given by (kept for config.json), or empty.
  static NetworkSpec architecture(space::Architecture arch, std::string named = "");
  static NetworkSpec supernet(std::string space, SupernetKind kind);

  // Validates the keys as one choice (conflicts are errors naming the keys) and resolves named
  // architectures and @FILE arguments. `default_backbone` is used when no key names a network.
  static NetworkSpec from_keys(const NetKeys& keys, const std::string& default_backbone);
  // The spec a resolved configuration spells (its net.* keys: config.json, a search's "train"
  // settings), validated as from_keys does. Throws rlnas::Error naming the key.
  static NetworkSpec from_config(const nlohmann::json& resolved);
  // The keys that choose a space's network (net.space, net.arch, net.named, net.supernet,
  // net.mixed): a search sets them per trial, so they are not a search's settings.
  static const std::vector<std::string>& space_keys();
  // The complete set of net.* keys spelling this spec; the backbone's knobs only for a backbone.
  nlohmann::json keys() const;
  // Overwrites `keys` with this spec (the knobs of a non-backbone spec are left as they are).
  void write_keys(NetKeys& keys) const;

  // {"backbone": {name, knobs}} | {"architecture": arch JSON, "named": ...} | {"supernet": {"space", "kind"}}
  nlohmann::ordered_json to_json() const;
  static NetworkSpec from_json(const nlohmann::json& j);

  Kind kind() const { return kind_; }
  bool is_supernet() const { return kind_ == Kind::supernet; }
  bool is_single_path() const { return kind_ == Kind::supernet && supernet_ == SupernetKind::single_path; }
  bool is_mixed() const { return kind_ == Kind::supernet && supernet_ != SupernetKind::single_path; }
  const nn::NetOptions& backbone_options() const { return backbone_; }
  const space::Architecture& arch() const { return arch_; }  // kind architecture
  const std::string& space() const { return space_; }        // empty for a backbone
  SupernetKind supernet_kind() const { return supernet_; }   // kind supernet
  const std::string& named() const { return named_; }

  // The options the algorithms' heads take: the backbone's, with the builder of a space's network
  // (a mixed supernet with `mix`'s hard/freeze/seed).
  nn::NetOptions net_options(const space::MixOptions& mix) const;
  // The trial cache key's architecture part (store/cache_key.h), as stores have held it: a
  // backbone's name and the knobs that apply to it ({"net": {...}}), an architecture's canonical
  // JSON, {"supernet": space}, or {"mixed": kind, "space": space, "options": mix_options} where
  // mix_options are the resolved arch.* keys.
  nlohmann::json cache_architecture(const nlohmann::json& mix_options) const;
  // The spec a trial record's architecture text holds (cache_architecture's forms: {"net": ...},
  // an architecture's canonical JSON, {"supernet": S}, {"mixed": kind, "space": S, ...}): the one
  // decoding of stored networks (`runs show`, trial labels). Throws rlnas::Error for other JSON.
  static NetworkSpec from_cache_architecture(const nlohmann::json& stored);
  // The network's part of the checkpoint identity: " net={...}", " space=S arch=ID",
  // " space=S supernet", " space=S mixed=softmax" / "mixed=gumbel" (+ "-hard").
  std::string identity(bool hard) const;
  // A few words for logs and benchmarks: "mlp", "minatar/ss1 1a2b3c4d5e6f", "minatar/ss1 supernet",
  // "minatar/ss1 mixed supernet (gumbel)".
  std::string label() const;

 private:
  Kind kind_ = Kind::backbone;
  nn::NetOptions backbone_;
  space::Architecture arch_;
  std::string space_, named_;
  SupernetKind supernet_ = SupernetKind::single_path;
};

}  // namespace rlnas::rl
