// Training runs: configuration resolution, the training loop, checkpoints and resume.
#include "rlnas/rl/trainer.h"
#include "rlnas/rl/workloads.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "rlnas/core/config.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/log.h"
#include "rlnas/core/sha256.h"
#include "rlnas/env/plugin.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/rl/tensors.h"
#include "rlnas/space/cost.h"
#include "rlnas/space/mixed.h"
#include "rlnas/space/space.h"
#include "rlnas/space/supernet.h"

namespace rlnas::rl {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

constexpr const char* kConfigFile = "config.json";
constexpr const char* kLockFile = "run.lock";
constexpr const char* kRunNonceKey = "run_nonce";  // in config.json: which run the folder's files belong to

// The `workload` key's help: each workload of the table with its flag and own options.
std::string workload_help() {
  std::string out = "what trials train:";
  for (const auto& w : workloads()) {
    out += (w.name == workloads().front().name ? " " : " | ") + w.name + " (" + w.flag +
           (w.option_prefix.empty() ? "" : ", " + w.option_prefix + "*") + ")";
  }
  return out;
}

// Binds every top-level and network option of `c` (algorithm options are bound by its factory).
void bind_common(TrainConfig& c, OptionTable& t) {
  c.arch.bind(t);
  c.rl.distill.bind(t);
  t.add("workload", &c.workload, workload_help(), workload_names())
      .add("synthetic.seed", &c.synthetic.seed, "synthetic workload: seed of the score table and its optimum", 0,
           4294967295.0)
      .add("synthetic.noise", &c.synthetic.noise, "synthetic workload: noise sigma (the optimum scores 1)", 0, 1e6)
      .add("synthetic.interaction", &c.synthetic.interaction, "synthetic workload: weight of pairwise interactions", 0,
           1e6)
      .add("synthetic.seconds", &c.synthetic.seconds, "synthetic workload: mean simulated seconds per trial", 0, 1e9)
      .add("supervised.dataset", &c.supervised.dataset,
           "supervised workload: fashion-mnist (Debian's dataset-fashion-mnist) or idx:DIR (your own IDX files)")
      .add("supervised.validation_images", &c.supervised.validation_images,
           "supervised workload: official training images held out for validation (selection)", 1, 1e9)
      .add("supervised.split_seed", &c.supervised.split_seed, "supervised workload: seed of the training/validation split",
           0, 4294967295.0)
      .add("supervised.train_images", &c.supervised.train_images,
           "supervised workload: training images used (0 = all of the split's; N: its first N, for short runs)", 0, 1e9)
      .add("supervised.batch_size", &c.supervised.batch_size, "supervised workload: minibatch size", 1, 1e6)
      .add("supervised.lr", &c.supervised.lr, "supervised workload: peak learning rate (cosine to 0 over the budget)",
           0, 1e3)
      .add("supervised.warmup", &c.supervised.warmup,
           "supervised workload: fraction of the minibatches over which the learning rate rises linearly from 0 "
           "(before the cosine decay takes over)",
           0, 1)
      .add("supervised.momentum", &c.supervised.momentum, "supervised workload: SGD momentum", 0, 1)
      .add("supervised.nesterov", &c.supervised.nesterov, "supervised workload: Nesterov momentum")
      .add("supervised.weight_decay", &c.supervised.weight_decay, "supervised workload: SGD weight decay", 0, 1)
      .add("supervised.grad_clip", &c.supervised.grad_clip,
           "supervised workload: clip the weights' gradient to this L2 norm per minibatch (0: none; -1: 5 for "
           "supernets, none for one network)",
           -1,
           1e6)
      .add("supervised.augment", &c.supervised.augment,
           "supervised workload: training augmentation: none | crop (random, padding 2) | flip (horizontal) | crop+flip",
           {"none", "crop", "flip", "crop+flip"})
      .add("supervised.checkpoint_batches", &c.supervised.checkpoint_batches,
           "supervised workload: minibatches between checkpoints inside an epoch (one at every epoch's end too)", 1,
           1e12)
      .add("env", &c.rl.env, "environment name (rlnas env list)")
      .add("algo", &c.rl.algo, "algorithm", algorithm_names())
      .add("preset", &c.rl.preset, "named preset applied before the config file (empty = none)")
      .add("steps", &c.steps, "budget: environment steps (rl), epochs (supervised)", 1, 1e13)
      .add("seed", &c.seed, "master seed", 0, 4294967295.0)
      .add("device", &c.device, "torch device: cpu, cuda or cuda:N")
      .add("eval.episodes", &c.rl.eval_episodes, "final evaluation episodes", 1, 1e7)
      .add("eval.greedy", &c.rl.eval_greedy, "greedy actions in the final evaluation")
      .add("checkpoint_every", &c.rl.checkpoint_every, "environment steps between checkpoints (0 = at the end only)", 0,
           1e13)
      .add("log_every", &c.rl.log_every,
           "environment steps between metrics.jsonl lines; each line averages the iterations since the last", 1, 1e13);
  c.net_keys.bind(t);
}

struct Setting {
  std::string key, value, where;
};

// The last value given for `key` (settings are in priority order), if any.
std::optional<std::string> last_value(const std::vector<Setting>& settings, const std::string& key) {
  std::optional<std::string> v;
  for (const auto& s : settings) {
    if (s.key == key) v = s.value;
  }
  return v;
}

std::string json_value_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

void require_loaded_plugin(const env::EnvRegistry& registry, const std::string& path, const std::string& where) {
  std::error_code ec;
  const auto absolute = fs::weakly_canonical(path, ec).string();
  for (const auto& p : registry.plugins()) {
    if (p.path == absolute) return;
  }
  throw Error(where + ": plugin '" + path +
              "' is not loaded; the rlnas command loads a configuration file's plugins (library code: "
              "env::load_plugin before resolving)");
}

// "plugin" or "module", for messages about an environment's source file.
std::string source_kind(const std::string& path) {
  return path.size() > 3 && path.substr(path.size() - 3) == ".so" ? "plugin" : "module";
}

// A stored configuration's env_source {"path", "sha256"}: the environment must come from that
// plugin or Python module, unchanged. Returns the environment's source as it is now.
env::EnvSource check_recorded_source(const env::EnvRegistry& registry, const std::string& env, const Setting& s) {
  std::string path, sha;
  try {
    const auto j = nlohmann::json::parse(s.value);
    path = j.at("path").get<std::string>();
    sha = j.at("sha256").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    throw Error(s.where + ": env_source: expected {\"path\": ..., \"sha256\": ...} (written by rlnas), found '" +
                s.value + "'");
  }
  const std::string kind = source_kind(path);
  if (!registry.contains(env)) {
    throw Error("environment '" + env + "' comes from " + kind + " '" + path + "', which is not loaded" +
                (kind == "plugin" ? " (rlnas --plugin " + path + ")" : ""));
  }
  const auto now = registry.source(env);
  if (now.sha256 != sha) {
    throw Error("environment '" + env + "' was configured with " + kind + " '" + path + "' (sha256 " +
                sha.substr(0, 12) + "), but " +
                (now.empty() ? std::string("it is now a built-in environment")
                             : "'" + now.path + "' now has sha256 " + now.sha256.substr(0, 12)) +
                ": the " + kind + " changed since this run was configured; restore the original or start a new run");
  }
  return now;
}


// Iteration metrics accumulated between two metrics.jsonl lines: each key's mean over the
// iterations where it was finite (null when it never was), keys in first-seen order. Saved in
// checkpoints, so a resumed run writes the same lines as an uninterrupted one.
class MetricWindow {
 public:
  void add(const Metrics& m) {
    for (const auto& [k, v] : m) {
      auto it = std::find_if(sums_.begin(), sums_.end(), [&](const auto& e) { return e.key == k; });
      if (it == sums_.end()) it = sums_.insert(sums_.end(), {k, 0.0, 0});
      if (std::isfinite(v)) {
        it->sum += v;
        ++it->count;
      }
    }
  }
  bool empty() const { return sums_.empty(); }
  void write_into(ordered_json& line) const {
    for (const auto& e : sums_) line[e.key] = e.count ? nlohmann::json(e.sum / static_cast<double>(e.count)) : nullptr;
  }
  void clear() { sums_.clear(); }
  std::string to_text() const {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& e : sums_) j.push_back({e.key, e.sum, e.count});
    return j.dump();
  }
  void from_text(const std::string& text) {
    sums_.clear();
    for (const auto& e : nlohmann::json::parse(text)) sums_.push_back({e[0], e[1], e[2]});
  }

 private:
  struct Entry {
    std::string key;
    double sum;
    int64_t count;
  };
  std::vector<Entry> sums_;
};

}  // namespace

namespace {

// The keys of a configuration of a workload without an environment: its own, the network's and the
// workload-neutral ones (an RL algorithm, its environment, evaluation episodes and step intervals
// mean nothing there).
bool neutral_or_own_key(const std::string& k, const WorkloadEntry& w, bool mixed) {
  for (const auto& prefix : {w.option_prefix, std::string("net.")}) {
    if (!prefix.empty() && k.rfind(prefix, 0) == 0) return true;
  }
  if (mixed && k.rfind("arch.", 0) == 0) return true;
  return k == "workload" || k == "steps" || k == "seed" || k == "device";
}

}  // namespace

ordered_json TrainConfig::to_json() const {
  auto& self = const_cast<TrainConfig&>(*this);
  net.write_keys(self.net_keys);
  OptionTable t;
  bind_common(self, t);
  rl.factory->bind(t);
  ordered_json out;
  const auto& w = workload_of(*this);
  if (w.has_environment) {
    out["env"] = rl.env;
    out["env_options"] = rl.env_options;
    if (!rl.env_source.empty()) out["env_source"] = {{"path", rl.env_source}, {"sha256", rl.env_source_sha256}};
  }
  const ordered_json values = t.to_json();  // keep alive: items() refers into it
  for (const auto& [k, v] : values.items()) {
    if (k == "env") continue;
    // Each workload's own options only where they mean something.
    bool other_workloads = false;
    for (const auto& other : workloads()) {
      if (other.kind != w.kind && !other.option_prefix.empty() && k.rfind(other.option_prefix, 0) == 0) {
        other_workloads = true;
      }
    }
    if (other_workloads) continue;
    if (!w.has_environment && !neutral_or_own_key(k, w, net.is_mixed())) continue;
    out[k] = v;
  }
  return out;
}

namespace {

// The algorithms with a capability, for messages ("ppo, a2c").
std::string algorithms_that(bool AlgorithmCapabilities::*capability) {
  std::string out;
  for (const auto& name : algorithm_names()) {
    if (make_algorithm_factory(name)->capabilities().*capability) out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

// What the algorithm must support for the network and distillation asked for.
void check_network_fits_algorithm(const TrainConfig& c) {
  const auto can = c.rl.factory->capabilities();
  if (c.rl.distill.enabled() && !can.actor_critic) {
    throw Error("distill.teacher: distillation is for the actor-critic algorithms (" +
                algorithms_that(&AlgorithmCapabilities::actor_critic) + "), not '" + c.rl.algo + "'");
  }
  if (c.net.is_mixed()) {
    if (!can.mixed_supernets) {
      throw Error("net.mixed: differentiable supernets are wired into " +
                  algorithms_that(&AlgorithmCapabilities::mixed_supernets) + ", not '" + c.rl.algo + "'");
    }
    if (c.arch.hard && c.net.supernet_kind() != SupernetKind::gumbel) throw Error("arch.hard needs net.mixed gumbel");
    if (c.arch.order == 2) {
      throw Error("arch.order 2: DARTS's second-order step is implemented for the supervised workload (--dataset); "
                  "the RL algorithms take arch.order 1");
    }
  } else if (c.net.is_supernet() && !can.on_policy) {
    throw Error("net.supernet: supernet training supports the on-policy algorithms (" +
                algorithms_that(&AlgorithmCapabilities::on_policy) + "), not '" + c.rl.algo +
                "' (a replay buffer would mix transitions of different paths)");
  }
}

}  // namespace

namespace {

// A supervised configuration: no environment and no RL algorithm (an option of theirs is an
// error naming where it was given); the network defaults to LeNet-5 and the budget to 10 epochs.
TrainConfig resolve_supervised(const std::vector<Setting>& settings, const env::EnvOptions& env_options,
                               const WorkloadEntry& workload) {
  if (!env_options.empty()) {
    throw Error("env_options: the supervised workload trains on a dataset, not an environment (found option '" +
                env_options.begin()->first + "')");
  }
  TrainConfig c;
  c.rl.factory = make_algorithm_factory(c.rl.algo);  // bound for the option table; unused
  c.net_keys.backbone.name.clear();
  c.steps = 10;
  OptionTable t;
  bind_common(c, t);
  for (const auto& s : settings) {
    if (!neutral_or_own_key(s.key, workload, true)) {
      throw Error(s.where + ": option '" + s.key +
                  "' is not one of the supervised workload (--dataset): its options are supervised.*, net.*, "
                  "steps (epochs), seed and device (rlnas train --dataset NAME --list-options)");
    }
    t.set(s.key, s.value, s.where);
  }
  const auto& d = c.supervised.dataset;
  if (d != "fashion-mnist" && (d.rfind("idx:", 0) != 0 || d.size() == 4)) {
    throw Error((last_value(settings, "supervised.dataset") ? std::string("supervised.dataset") : "dataset") +
                ": expected fashion-mnist or idx:DIR (a folder of IDX files), found '" + excerpt(d, 80) + "'");
  }
  if (c.net_keys.backbone.name.empty()) c.net_keys.backbone.name = "lenet";
  c.net = NetworkSpec::from_keys(c.net_keys, c.net_keys.backbone.name);
  // DARTS's original bi-level split (weights on training data, alpha on validation data) unless
  // arch.level says otherwise.
  // The papers' alpha optimizer on images (DARTS: Adam lr 3e-4, betas 0.5, 0.999, weight decay 1e-3; plain softmax;
  // GDAS: Gumbel temperature from 10 to 0.1, here exponentially) where the settings do not say.
  if (c.net.is_mixed()) {
    const auto unset = [&](const char* key) { return !last_value(settings, key); };
    if (unset("arch.level")) c.arch.level = "bi";
    if (unset("arch.lr")) c.arch.lr = 3e-4;
    if (unset("arch.beta1")) c.arch.beta1 = 0.5;
    if (unset("arch.weight_decay")) c.arch.weight_decay = 1e-3;
    if (unset("arch.temperature")) c.arch.temperature = c.net.supernet_kind() == SupernetKind::gumbel ? 10.0 : 1.0;
    if (c.arch.order == 2 && (c.arch.level != "bi" || c.net.supernet_kind() != SupernetKind::softmax)) {
      throw Error("arch.order 2: DARTS's second-order step needs arch.level bi and net.mixed softmax (found arch.level " +
                  c.arch.level + ", net.mixed " + to_string(c.net.supernet_kind()) +
                  "): a Gumbel sample differs between the step's four passes");
    }
  }
  if (c.arch.hard && !(c.net.is_mixed() && c.net.supernet_kind() == SupernetKind::gumbel)) {
    throw Error("arch.hard needs net.mixed gumbel");
  }
  parse_device(c.device);
  return c;
}

}  // namespace

TrainConfig resolve_train_config(const TrainSources& sources, const env::EnvRegistry& registry) {
  // Gather every setting in priority order (later wins).
  std::vector<Setting> settings;
  env::EnvOptions env_options;
  std::vector<ConfigEntry> entries;
  if (sources.config_file) entries = read_config_file(*sources.config_file);
  entries.insert(entries.end(), sources.entries.begin(), sources.entries.end());
  for (auto& e : entries) {
    if (e.key.rfind("env_options.", 0) == 0) {
      env_options[e.key.substr(12)] = e.value;
    } else {
      settings.push_back({e.key, e.value, e.where});
    }
  }
  for (const auto& s : sources.sets) {
    auto [k, v] = split_key_value(s, "--set");
    if (k.rfind("env_options.", 0) == 0) {
      env_options[k.substr(12)] = v;
    } else {
      settings.push_back({k, v, "--set " + s});
    }
  }
  for (const auto& [k, v] : sources.flags) settings.push_back({k, v, "--" + k});
  for (const auto& [k, v] : env::parse_env_options(sources.env_options, "--env-opt")) env_options[k] = v;
  // Plugins are loaded by whoever holds the registry (the command line: --plugin, RLNAS_PLUGINS, a
  // configuration file's `plugins`, a stored configuration's env_source); here they are checked.
  std::optional<Setting> recorded_source;
  for (auto it = settings.begin(); it != settings.end();) {
    if (it->key == "plugins") {
      for (const auto& path : env::parse_plugin_list(it->value)) require_loaded_plugin(registry, path, it->where);
    } else if (it->key == "env_source") {
      recorded_source = *it;
    } else {
      ++it;
      continue;
    }
    it = settings.erase(it);
  }

  // A key that says the workload (--dataset NAME, supervised.dataset) where `workload` is not set.
  for (const auto& w : workloads()) {
    if (!w.implied_by.empty() && last_value(settings, w.implied_by) && !last_value(settings, "workload")) {
      settings.insert(settings.begin(), {"workload", w.name, w.implied_by});
    }
  }
  if (const auto w = last_value(settings, "workload")) {
    if (const auto& workload = find_workload(*w); workload.kind == WorkloadKind::supervised) {
      return resolve_supervised(settings, env_options, workload);
    }
  }
  TrainConfig c;
  const auto preset_name = last_value(settings, "preset");
  const Preset* preset = preset_name && !preset_name->empty() ? &find_preset(*preset_name) : nullptr;
  const auto algo = last_value(settings, "algo");
  c.rl.algo = algo ? *algo : (preset ? preset->algo : "ppo");
  if (preset && preset->algo != c.rl.algo) {
    throw Error("preset '" + preset->name + "' is for algo '" + preset->algo + "', but algo is '" + c.rl.algo + "'");
  }
  c.rl.factory = make_algorithm_factory(c.rl.algo);
  c.net_keys.backbone.name.clear();  // unset: chosen by the observation's kind below
  OptionTable t;
  bind_common(c, t);
  c.rl.factory->bind(t);
  if (preset) {
    for (const auto& [k, v] : preset->values) t.set(k, v, "preset " + preset->name);
  }
  const auto algos = algorithm_names();
  for (const auto& s : settings) {
    const auto dot = s.key.find('.');
    if (dot != std::string::npos) {
      const std::string section = s.key.substr(0, dot);
      if (section != c.rl.algo && std::find(algos.begin(), algos.end(), section) != algos.end()) {
        throw Error(s.where + ": option '" + s.key + "' is for algo '" + section + "', but algo is '" + c.rl.algo + "'");
      }
    }
    t.set(s.key, s.value, s.where);
  }
  c.rl.env_options = env_options;
  // The source once (for gym: it makes an environment; for a plugin or module it hashes the file).
  std::optional<env::EnvSource> source;
  if (recorded_source) source = check_recorded_source(registry, c.rl.env, *recorded_source);
  // Validate the environment and its options, and that the algorithm fits its actions.
  auto env = registry.make(c.rl.env, c.rl.env_options);
  if (!source) source = registry.source(c.rl.env);
  c.rl.env_source = source->path;
  c.rl.env_source_sha256 = source->sha256;
  // No backbone named: the MLP for vector observations, the MinAtar net for images (the name is
  // stored resolved, so configs and cache keys that named one are unchanged).
  if (c.net_keys.backbone.name.empty()) {
    c.net_keys.backbone.name = env->observation_spec().shape.size() == 1 ? "mlp" : "minatar";
  }
  // The MLP's widths and activation, where neither a setting nor the preset gives them: the
  // algorithm's own (its reference implementation's network; AlgorithmCapabilities).
  if (c.net_keys.backbone.name == "mlp") {
    const auto given = [&](const std::string& key) {
      if (last_value(settings, key)) return true;
      return preset &&
             std::any_of(preset->values.begin(), preset->values.end(), [&](const auto& kv) { return kv.first == key; });
    };
    const auto caps = c.rl.factory->capabilities();
    if (!given("net.mlp_hidden")) c.net_keys.backbone.mlp_hidden = caps.mlp_hidden;
    if (!given("net.activation")) c.net_keys.backbone.activation = caps.activation;
  }
  c.net = NetworkSpec::from_keys(c.net_keys, c.net_keys.backbone.name);
  check_network_fits_algorithm(c);
  c.rl.factory->validate(env->action_spec());
  parse_device(c.device);
  return c;
}

TrainConfig config_from_json(const nlohmann::json& j, const env::EnvRegistry& registry) {
  if (!j.is_object()) throw Error("a training configuration must be a JSON object, found " + j.dump());
  TrainSources sources;
  for (const auto& [k, v] : j.items()) {
    if (k == "env_options") {
      for (const auto& [ok, ov] : v.items()) sources.env_options.push_back(ok + "=" + json_value_text(ov));
    } else {
      sources.flags.push_back({k, json_value_text(v)});
    }
  }
  return resolve_train_config(sources, registry);
}

namespace {

// A run folder's config.json as JSON, and its run nonce (taken out: it is no option).
std::pair<nlohmann::json, std::string> read_run_config_json(const std::string& run_dir) {
  const auto path = fs::path(run_dir) / kConfigFile;
  if (!fs::is_directory(run_dir)) throw Error("'" + run_dir + "' is not a run directory (no such folder)");
  if (!fs::exists(path)) throw Error("'" + run_dir + "' is not a run directory (no " + kConfigFile + ")");
  auto j = parse_json_input(io::read_file(path.string(), io::kMaxInputFileBytes), path.string());
  std::string nonce;
  if (j.is_object() && j.contains(kRunNonceKey)) {
    if (!j[kRunNonceKey].is_string()) {
      throw Error(path.string() + ": " + kRunNonceKey + ": expected a string (written by rlnas), found " +
                  json_excerpt(j[kRunNonceKey]));
    }
    nonce = j[kRunNonceKey].get<std::string>();
    j.erase(kRunNonceKey);
  }
  return {std::move(j), std::move(nonce)};
}

// "key: A -> B" for each top-level key whose value differs between `before` and `after` (JSON
// objects), at most 8 of them.
std::string config_differences(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<std::string> lines;
  std::set<std::string> keys;
  for (const auto& [k, v] : before.items()) keys.insert(k);
  for (const auto& [k, v] : after.items()) keys.insert(k);
  for (const auto& k : keys) {
    const auto a = before.contains(k) ? json_excerpt(before[k], 60) : std::string("(none)");
    const auto b = after.contains(k) ? json_excerpt(after[k], 60) : std::string("(none)");
    if (a != b) lines.push_back(k + ": " + a + " -> " + b);
  }
  std::string out;
  for (size_t i = 0; i < lines.size() && i < 8; ++i) out += "\n  " + lines[i];
  if (lines.size() > 8) out += "\n  ... (" + std::to_string(lines.size()) + " keys in all)";
  return out;
}

std::string new_run_nonce() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

}  // namespace

TrainConfig load_run_config(const std::string& run_dir, const env::EnvRegistry& registry) {
  const auto path = fs::path(run_dir) / kConfigFile;
  const auto j = read_run_config_json(run_dir).first;
  try {
    return config_from_json(j, registry);
  } catch (const Error& e) {
    throw Error(path.string() + ": " + e.what());
  }
}

std::string network_identity(const TrainConfig& config, const env::EnvRegistry& registry) {
  auto env = registry.make(config.rl.env, config.rl.env_options);
  return "algo=" + config.rl.algo + " env=" + config.rl.env + " obs=" + env->observation_spec().to_string() +
         " actions=" + env->action_spec().to_string() + config.net.identity(config.arch.hard);
}

namespace {

struct Run {
  std::unique_ptr<env::Env> probe;
  std::unique_ptr<Algorithm> algo;
  env::VectorEnv::Factory make_env;
  std::string identity;
};

Run build_run(const TrainConfig& config, const env::EnvRegistry& registry) {
  Run r;
  r.probe = registry.make(config.rl.env, config.rl.env_options);
  AlgorithmContext ctx;
  ctx.obs_spec = r.probe->observation_spec();
  ctx.action_spec = r.probe->action_spec();
  space::MixOptions mix;
  mix.hard = config.arch.hard;
  mix.freeze = config.arch.freeze;
  mix.seed = static_cast<uint64_t>(config.seed);
  ctx.net = config.net.net_options(mix);
  ctx.supernet = config.net.is_supernet();
  ctx.device = parse_device(config.device);
  ctx.seed = static_cast<uint64_t>(config.seed);
  ctx.total_steps = config.steps;
  ctx.arch = config.arch;
  ctx.distill = config.rl.distill;
  if (config.rl.distill.enabled()) {
    TrainConfig teacher;
    try {
      ctx.teacher = load_trained_algorithm(config.rl.distill.teacher, registry, &teacher);
    } catch (const Error& e) {
      throw Error("distill.teacher '" + config.rl.distill.teacher + "': " + e.what());
    }
    const auto teacher_env = registry.make(teacher.rl.env, teacher.rl.env_options);
    if (teacher_env->observation_spec().shape != ctx.obs_spec.shape ||
        teacher_env->action_spec().to_string() != ctx.action_spec.to_string()) {
      throw Error("distill.teacher '" + config.rl.distill.teacher + "' was trained on " + teacher.rl.env + " (observations " +
                  teacher_env->observation_spec().to_string() + ", actions " + teacher_env->action_spec().to_string() +
                  "); this run's " + config.rl.env + " has " + ctx.obs_spec.to_string() + ", " +
                  ctx.action_spec.to_string());
    }
    if (!teacher.rl.factory->capabilities().actor_critic) {
      throw Error("distill.teacher '" + config.rl.distill.teacher + "' is a " + teacher.rl.algo +
                  " run; the teacher must be a ppo or a2c run (an actor and a critic)");
    }
    if (teacher.to_json().value(teacher.rl.algo + ".norm_obs", false)) {
      throw Error("distill.teacher '" + config.rl.distill.teacher +
                  "' normalizes its observations (norm_obs); teachers must see raw observations");
    }
  }
  r.algo = config.rl.factory->create(ctx);
  r.make_env = [&registry, name = config.rl.env, options = config.rl.env_options] { return registry.make(name, options); };
  r.identity =
      network_identity(config, registry) + " params=" + std::to_string(nn::count_parameters(r.algo->network()));
  return r;
}

// A resume continues only its own run: the checkpoint must have been made with this configuration
// (a budget extension aside) and carry this run's nonce. Checkpoints of older rlnas versions carry
// neither and are not checked.
void check_checkpoint_belongs(const CheckpointHeader& header, const TrainConfig& config, const std::string& nonce,
                              const TrainOptions& options) {
  const std::string config_path = (fs::path(options.run_dir) / kConfigFile).string();
  if (!header.config.empty()) {
    auto made_with = nlohmann::json::parse(header.config);
    auto now = nlohmann::json::parse(config.to_json().dump());
    if (options.previous_steps) {
      made_with.erase("steps");
      now.erase("steps");
    }
    if (made_with != now) {
      throw RunRefused(config_path +
                       " does not match the configuration this run's checkpoint was made with (checkpoint -> " +
                       "config.json):" + config_differences(made_with, now) +
                       "\na run's configuration is fixed when it starts: restore config.json, or start a new run" +
                       (made_with.value("steps", nlohmann::json()) != now.value("steps", nlohmann::json())
                            ? "; to train longer: rlnas train --resume " + options.run_dir + " --steps N"
                            : ""));
    }
  }
  if (!header.run_nonce.empty() && header.run_nonce != nonce) {
    throw RunRefused("the checkpoint of '" + options.run_dir + "' belongs to another run (its run nonce " +
                     excerpt(header.run_nonce, 40) + ", this run's " + (nonce.empty() ? std::string("none") : nonce) +
                     " in " + config_path +
                     "): was it copied from another run folder? Restore this run's own checkpoint, or start "
                     "a new run");
  }
}

// The lines of a JSON-lines file that a resume from `step` keeps (io::truncate_jsonl_after): their
// count and the SHA-256 of their text; an empty hash when a complete line is damaged (the repair
// of the logs names it, with how to mend it).
std::pair<int64_t, std::string> lines_up_to(const std::string& path, int64_t step) {
  Sha256 hash;
  int64_t n = 0;
  bool damaged = false;
  std::error_code ec;
  if (fs::exists(path, ec)) {
    io::check_own_file(path);
    const auto text = io::read_file(path);
    size_t begin = 0;
    for (size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
      const std::string_view line(text.data() + begin, end - begin + 1);  // with its newline
      try {
        check_json_depth(line, path);
        const auto j = nlohmann::json::parse(line);
        if (!j.is_object() || !j.contains("step") || !j["step"].is_number_integer()) {
          damaged = true;
        } else if (j["step"].get<int64_t>() <= step) {
          ++n;
          hash.update(line);
        }
      } catch (const std::exception&) {
        damaged = true;
      }
    }
  }
  return {n, damaged ? std::string() : hash.hex_digest()};
}

uint32_t eval_seed(int64_t seed) { return static_cast<uint32_t>((seed * 7919 + 1000003) % 4294967296LL); }

}  // namespace

std::unique_ptr<Algorithm> load_trained_algorithm(const std::string& run_dir, const env::EnvRegistry& registry,
                                                  TrainConfig* config_out) {
  TrainConfig config = load_run_config(run_dir, registry);
  Run run = build_run(config, registry);
  const auto path = (fs::path(run_dir) / kCheckpointFile).string();
  const Checkpoint ckpt = read_checkpoint(path);
  check_identity(ckpt, run.identity, path);
  std::istringstream is(ckpt.payload);
  torch::serialize::InputArchive archive, algo_archive;
  archive.load_from(is);
  archive.read("algo", algo_archive);
  run.algo->load(algo_archive);
  if (config_out) *config_out = std::move(config);
  return std::move(run.algo);
}

TrainBenchmark benchmark_training(const TrainConfig& config, const env::EnvRegistry& registry, int64_t iterations) {
  Run run = build_run(config, registry);
  env::VectorEnv venv(run.make_env, static_cast<int>(run.algo->num_envs()), static_cast<uint32_t>(config.seed));
  run.algo->iterate(venv, 0);  // warm-up: allocations, first-touch of buffers
  TrainBenchmark b;
  b.parameters = nn::count_parameters(run.algo->network());
  b.forward_flops =
      static_cast<double>(space::measure_cost(
                              run.algo->network(), [&](const torch::Tensor& x) { return run.algo->act(x, true); },
                              run.probe->observation_spec().shape)
                              .flops());
  b.network = config.net.label();
  const int64_t start_steps = venv.total_steps();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) {
    for (const auto& [k, v] : run.algo->iterate(venv, venv.total_steps())) {
      if (k == "rollout_s") b.rollout_seconds += v;
      if (k == "update_s") b.update_seconds += v;
    }
  }
  b.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  b.steps = venv.total_steps() - start_steps;
  return b;
}

namespace {

// Single-path supernets (SPOS, ENAS): every iteration runs one path, the sampler's or one drawn
// uniformly from a generator seeded by (seed, iteration), so that a resumed run draws the same
// paths; the sampler learns from the mean return of the episodes that ended in the iteration.
class SupernetPaths final : public TrainObserver {
 public:
  SupernetPaths(std::vector<space::Supernet> supernets, PathSampler* sampler, int64_t seed)
      : supernets_(std::move(supernets)), sampler_(sampler), seed_(seed) {}
  void before_iteration(const Iteration& it) override {
    space::Architecture path;
    if (sampler_) {
      path = sampler_->next(it.index);
    } else {
      Mt19937 rng(static_cast<uint32_t>(seed_ * 1000003 + it.index));
      path = supernets_.front()->space().sample(rng);
    }
    for (const auto& s : supernets_) s->set_path(path);
  }
  void after_iteration(const Iteration& it) override {
    if (!sampler_) return;
    IterationReturns r;
    r.episodes = it.venv->total_episodes() - it.episodes_before;
    r.steps = it.venv->total_steps() - it.steps_before;
    if (r.episodes > 0) {
      r.episode_return =
          (it.venv->episode_return_sum() - it.episode_return_sum_before) / static_cast<double>(r.episodes);
    }
    r.rollout_return = (it.venv->reward_sum() - it.reward_sum_before) / static_cast<double>(it.venv->num_envs());
    sampler_->observe(supernets_.front()->path(), r, it.venv->total_steps());
  }
  void save(torch::serialize::OutputArchive& checkpoint) override {
    if (!sampler_) return;
    torch::serialize::OutputArchive archive;
    sampler_->save(archive);
    checkpoint.write("path_sampler", archive);
  }
  void load(torch::serialize::InputArchive& checkpoint) override {
    torch::serialize::InputArchive archive;
    if (sampler_ && checkpoint.try_read("path_sampler", archive)) sampler_->load(archive);
  }

 private:
  std::vector<space::Supernet> supernets_;
  PathSampler* sampler_;
  int64_t seed_;
};

// The returns of the episodes that end in the late window (the iterations that start at or after
// late_window_start), for TrainResult::late_mean_return; kept in the checkpoints ("late_returns").
class LateReturns final : public TrainObserver {
 public:
  explicit LateReturns(int64_t budget) : start_(late_window_start(budget)) {}
  void after_iteration(const Iteration& it) override {
    if (it.steps_before < start_) return;
    sum_ += it.venv->episode_return_sum() - it.episode_return_sum_before;
    count_ += it.venv->total_episodes() - it.episodes_before;
  }
  void save(torch::serialize::OutputArchive& checkpoint) override {
    checkpoint.write("late_returns", torch::tensor({sum_, static_cast<double>(count_)}, torch::kFloat64));
  }
  void load(torch::serialize::InputArchive& checkpoint) override {
    torch::Tensor t;
    if (!checkpoint.try_read("late_returns", t)) return;  // a checkpoint from before the late window
    sum_ = t[0].item<double>();
    count_ = static_cast<int64_t>(t[1].item<double>());
  }
  std::optional<double> mean() const {
    return count_ > 0 ? std::optional<double>(sum_ / static_cast<double>(count_)) : std::nullopt;
  }
  int64_t count() const { return count_; }

 private:
  int64_t start_;
  double sum_ = 0;
  int64_t count_ = 0;
};

// Mixed supernets: the op probabilities and the discretized architecture with every metrics line.
class AlphaLog final : public TrainObserver {
 public:
  AlphaLog(space::MixedSupernet supernet, const std::string& path) : supernet_(std::move(supernet)), file_(path) {}
  void after_metrics_line(int64_t step) override {
    ordered_json a = {{"step", step}};
    const auto snapshot = supernet_->snapshot();  // alive while items() refers into it
    for (const auto& [k, v] : snapshot.items()) a[k] = v;
    file_.write_line(a.dump());
  }
  void sync() override { file_.sync(); }
  void close() override { file_.close(); }

 private:
  space::MixedSupernet supernet_;
  io::AppendFile file_;
};

}  // namespace

void check_resume(const TrainConfig& config, const TrainOptions& options) {
  const fs::path dir(options.run_dir);
  const auto ckpt_path = (dir / kCheckpointFile).string();
  std::error_code ec;
  if (!options.resume || !fs::exists(fs::symlink_status(ckpt_path, ec))) return;
  try {
    const auto header = read_checkpoint_header(ckpt_path);
    check_checkpoint_belongs(header, config, read_run_config_json(options.run_dir).second, options);
    if (header.metrics_lines >= 0) {
      const auto [lines, sha] = lines_up_to((dir / kMetricsFile).string(), header.step);
      if (!sha.empty() &&
          (lines != header.metrics_lines || (!header.metrics_sha256.empty() && sha != header.metrics_sha256))) {
        throw RunRefused("'" + options.run_dir + "': " + kMetricsFile + " holds " + std::to_string(lines) +
                         " lines up to the checkpoint's step " + std::to_string(header.step) +
                         ", but the checkpoint was written after " + std::to_string(header.metrics_lines) +
                         " lines (or after other lines: their SHA-256 differs)" +
                         ": the metrics and the checkpoint are not of the same run (a file copied from another "
                         "run?); restore this run's own files, or start a new run");
      }
    }
  } catch (const RunRefused&) {
    throw;
  } catch (const Error& e) {
    throw RunRefused(e.what());
  }
}

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

torch::Device parse_device(const std::string& text) {
  try {
    torch::Device d(text);
    if (d.is_cuda() && !torch::cuda::is_available()) {
      throw Error("device '" + text + "' requested but CUDA is not available in this LibTorch build or machine");
    }
    return d;
  } catch (const c10::Error&) {
    throw Error("device: expected cpu, cuda or cuda:N, found '" + text + "'");
  }
}


void check_run_folder(const TrainConfig& config, const TrainOptions& options) {
  const fs::path dir(options.run_dir);
  if (!options.resume && (fs::exists(dir / kCheckpointFile) || fs::exists(dir / kMetricsFile))) {
    throw RunRefused("run directory '" + options.run_dir +
                     "' already holds a run; resume it with --resume, or choose another --out");
  }
  check_resume(config, options);
}

RunFolder open_run_folder(const TrainConfig& config, const TrainOptions& options, const std::vector<std::string>& logs) {
  const fs::path dir(options.run_dir);
  io::create_folders(options.run_dir, "run directory");
  // One process per run folder: a second train or resume of it is refused while this one runs.
  RunFolder folder{[&] {
                     try {
                       return io::FileLock::acquire((dir / kLockFile).string(), "run folder " + options.run_dir);
                     } catch (const Error& e) {
                       throw RunRefused(e.what());
                     }
                   }(),
                   "", options.resume};
  if (folder.resume && !fs::exists(dir / kCheckpointFile)) {
    // Killed before its first checkpoint (or never started): nothing to continue from, so start
    // at step 0, discarding partial lines.
    if (std::any_of(logs.begin(), logs.end(), [](const std::string& f) { return fs::exists(f); })) {
      log::warning("'" + options.run_dir + "' has no " + kCheckpointFile +
                   " yet (stopped before its first checkpoint); starting it again at step 0");
    }
    for (const auto& f : logs) fs::remove(f);
    fs::remove(dir / kEvalFile);
    folder.resume = false;
  }
  // The run's nonce ties its files together: config.json, every checkpoint (with the configuration
  // it was made with) and the count of metrics lines at each checkpoint; a resume checks them all.
  if (folder.resume) {
    folder.nonce = read_run_config_json(options.run_dir).second;
  } else {
    folder.nonce = new_run_nonce();
    auto j = config.to_json();
    j[kRunNonceKey] = folder.nonce;
    io::write_file_atomic((dir / kConfigFile).string(), j.dump(2) + "\n", io::Target::own);
  }
  return folder;
}

std::pair<int64_t, Sha256> cut_logs_to(const std::vector<std::string>& logs, int64_t step) {
  // Lines written after the checkpoint (and a line a kill cut short) are written again.
  for (const auto& f : logs) io::truncate_jsonl_after(f, step);
  // The repair left only whole lines up to the checkpoint's step: one read gives count and hash.
  std::pair<int64_t, Sha256> tally{0, Sha256()};
  if (std::error_code ec; !logs.empty() && fs::exists(logs.front(), ec)) {
    const auto text = io::read_file(logs.front());
    tally.first = std::count(text.begin(), text.end(), '\n');
    tally.second.update(text);
  }
  return tally;
}

TrainResult train(const TrainConfig& config, const env::EnvRegistry& registry, const TrainOptions& options) {
  if (workload_of(config).kind != WorkloadKind::rl) {
    throw Error("workload '" + config.workload +
                "': its trials are not trained by an agent; run it through rlnas "
                "search --workload " +
                config.workload);
  }
  const fs::path dir(options.run_dir);
  const fs::path ckpt_path = dir / kCheckpointFile;
  std::vector<std::string> logs = {(dir / kMetricsFile).string(), (dir / kAlphaFile).string()};
  for (const auto& f : options.step_logs) logs.push_back((dir / f).string());
  check_run_folder(config, options);
  Run run = build_run(config, registry);  // a network that cannot be built leaves no run folder
  const RunFolder folder = open_run_folder(config, options, logs);
  const bool resume = folder.resume;
  const std::string& nonce = folder.nonce;
  int64_t metrics_lines = 0;
  Sha256 metrics_hash;  // of metrics.jsonl's text, line by line as written

  env::VectorEnv venv(run.make_env, static_cast<int>(run.algo->num_envs()), static_cast<uint32_t>(config.seed));
  int64_t iterations = 0;
  double elapsed_before = 0;
  MetricWindow window;
  // The loop's observers (TrainObserver), then the caller's.
  std::vector<std::unique_ptr<TrainObserver>> own;
  auto late_owned = std::make_unique<LateReturns>(config.steps);
  LateReturns* late = late_owned.get();
  own.push_back(std::move(late_owned));
  if (config.net.is_single_path()) {
    if (const auto supernets = space::find_supernets(run.algo->network()); !supernets.empty()) {
      own.push_back(std::make_unique<SupernetPaths>(supernets, options.path_sampler, config.seed));
    }
  }
  std::vector<TrainObserver*> observers;
  for (const auto& o : own) observers.push_back(o.get());
  observers.insert(observers.end(), options.observers.begin(), options.observers.end());
  if (resume) {
    const Checkpoint ckpt = read_checkpoint(ckpt_path.string());
    check_identity(ckpt, run.identity, ckpt_path.string());
    std::istringstream is(ckpt.payload);
    torch::serialize::InputArchive archive, algo_archive;
    archive.load_from(is);
    archive.read("algo", algo_archive);
    run.algo->load(algo_archive);
    torch::Tensor venv_bytes, counters;
    archive.read("venv", venv_bytes);
    archive.read("counters", counters);
    venv.restore(tensor_bytes(venv_bytes));
    iterations = counters[0].item<int64_t>();
    elapsed_before = counters[1].item<double>();
    c10::IValue pending;
    if (archive.try_read("metric_window", pending)) window.from_text(pending.toStringRef());
    for (auto* o : observers) o->load(archive);
    std::tie(metrics_lines, metrics_hash) = cut_logs_to(logs, venv.total_steps());
    if (options.previous_steps) {
      // A longer budget (rlnas train --resume RUN --steps N): config.json says so from now on.
      auto j = config.to_json();
      j[kRunNonceKey] = nonce;
      io::write_file_atomic((dir / kConfigFile).string(), j.dump(2) + "\n", io::Target::own);
      log::info("budget of " + options.run_dir + " extended from " + std::to_string(*options.previous_steps) + " to " +
                std::to_string(config.steps) + " steps");
    }
    log::info("resuming " + options.run_dir + " at step " + std::to_string(venv.total_steps()));
  }

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  io::AppendFile metrics((dir / kMetricsFile).string());
  // Opened after a resume cut the logs back to the checkpoint's step.
  if (const auto mixed = space::find_mixed_supernets(run.algo->network()); !mixed.empty()) {
    own.push_back(std::make_unique<AlphaLog>(mixed.front(), (dir / kAlphaFile).string()));
    observers.insert(observers.begin() + static_cast<std::ptrdiff_t>(own.size() - 1), own.back().get());
  }
  auto save = [&] {
    // The lines up to the checkpoint's step are on disk before the checkpoint is.
    metrics.sync();
    for (auto* o : observers) o->sync();
    const double elapsed = elapsed_before + std::chrono::duration<double>(Clock::now() - start).count();
    torch::serialize::OutputArchive archive, algo_archive;
    run.algo->save(algo_archive);
    archive.write("algo", algo_archive);
    archive.write("venv", bytes_to_tensor(venv.snapshot()));
    archive.write("counters", torch::tensor({static_cast<double>(iterations), elapsed}, torch::kFloat64));
    archive.write("metric_window", c10::IValue(window.to_text()));
    for (auto* o : observers) o->save(archive);
    std::ostringstream os;
    archive.save_to(os);
    write_checkpoint(ckpt_path.string(),
                     {config.rl.algo, run.identity, venv.total_steps(), config.to_json().dump(), nonce, metrics_lines,
                      Sha256(metrics_hash).hex_digest()},
                     os.str());
  };

  const int64_t start_steps = venv.total_steps();
  auto last_progress = start;
  int64_t last_checkpoint = venv.total_steps();
  const int64_t budget = options.stop_after_steps ? std::min(config.steps, *options.stop_after_steps) : config.steps;
  TrainResult result;
  result.run_dir = options.run_dir;

  while (venv.total_steps() < budget) {
    if (options.stop && options.stop->load()) {
      result.interrupted = true;
      break;
    }
    const TrainObserver::Iteration it{
        iterations, &venv, venv.total_steps(), venv.total_episodes(), venv.reward_sum(), venv.episode_return_sum()};
    for (auto* o : observers) o->before_iteration(it);
    const int64_t steps_before = it.steps_before;
    window.add(run.algo->iterate(venv, steps_before));
    ++iterations;
    for (auto* o : observers) o->after_iteration(it);
    const double now = std::chrono::duration<double>(Clock::now() - start).count();
    const double sps = now > 0 ? static_cast<double>(venv.total_steps() - start_steps) / now : 0.0;
    // A line whenever the step count passes a multiple of log_every, and at the end of the budget.
    if (venv.total_steps() / config.rl.log_every > steps_before / config.rl.log_every || venv.total_steps() >= config.steps) {
      ordered_json line = {{"step", venv.total_steps()},
                           {"time", elapsed_before + now},
                           {"episodes", venv.total_episodes()},
                           {"return_mean", venv.recent_episodes().empty() ? nlohmann::json(nullptr)
                                                                          : nlohmann::json(venv.recent_mean_return())},
                           {"steps_per_s", sps}};
      window.write_into(line);
      window.clear();
      const std::string text = line.dump() + "\n";
      metrics.write(text);
      ++metrics_lines;
      metrics_hash.update(text);
      for (auto* o : observers) o->after_metrics_line(venv.total_steps());
    }
    if (!options.quiet &&
        std::chrono::duration<double>(Clock::now() - last_progress).count() >= options.progress_seconds) {
      last_progress = Clock::now();
      const double left = sps > 0 ? static_cast<double>(config.steps - venv.total_steps()) / sps : 0.0;
      char buf[256];
      std::snprintf(buf, sizeof buf, "%5.1f%%  step %lld/%lld  episodes %lld  return(100) %s  %.0f steps/s  eta %s",
                    100.0 * static_cast<double>(venv.total_steps()) / static_cast<double>(config.steps),
                    static_cast<long long>(venv.total_steps()), static_cast<long long>(config.steps),
                    static_cast<long long>(venv.total_episodes()),
                    venv.recent_episodes().empty() ? "-" : std::to_string(venv.recent_mean_return()).c_str(), sps,
                    format_duration(left).c_str());
      log::info(buf);
    }
    if (config.rl.checkpoint_every > 0 && venv.total_steps() - last_checkpoint >= config.rl.checkpoint_every) {
      save();
      last_checkpoint = venv.total_steps();
    }
  }
  if (venv.total_steps() < config.steps) result.interrupted = true;
  save();
  metrics.close();
  for (auto* o : observers) o->close();

  result.steps = venv.total_steps();
  result.episodes = venv.total_episodes();
  result.recent_mean_return = venv.recent_mean_return();
  result.late_mean_return = late->mean();
  result.late_episodes = late->count();
  if (result.interrupted) {
    log::info("stopped at step " + std::to_string(result.steps) + "; continue with: rlnas train --resume " +
              options.run_dir);
    return result;
  }
  EvalOptions eval;
  eval.episodes = config.rl.eval_episodes;
  eval.greedy = config.rl.eval_greedy;
  eval.seed = eval_seed(config.seed);
  result.eval =
      evaluate([&](const torch::Tensor& obs) { return run.algo->act(obs, config.rl.eval_greedy); }, run.make_env, eval);
  ordered_json e = {
      {"episodes", result.eval.returns.size()}, {"greedy", config.rl.eval_greedy},    {"seed", eval.seed},
      {"mean", result.eval.mean_return()},      {"std", result.eval.std_return()}, {"truncated", result.eval.truncated},
      {"returns", result.eval.returns},         {"lengths", result.eval.lengths}};
  io::write_file_atomic((dir / kEvalFile).string(), e.dump(2) + "\n", io::Target::own);
  return result;
}

}  // namespace rlnas::rl
