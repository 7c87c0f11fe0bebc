// Environment registry: name -> factory with documented, validated options. Filled explicitly
// at start-up (register_builtin_envs); unknown names and options are errors that list the
// valid ones. Every entry has a `max_steps` option: its time limit (0 = none).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rlnas/env/env.h"

namespace rlnas::env {

// Raw option values as the user wrote them (from --env-opt KEY=VALUE or a config map).
using EnvOptions = std::map<std::string, std::string>;

struct EnvOption {
  std::string key;
  std::string default_value;
  std::string doc;  // one line, shown by `rlnas env list`
};

// Typed access to an environment's options; bad values throw rlnas::Error naming the
// environment, the key, what was expected and what was found.
class OptionReader {
 public:
  OptionReader(std::string env_name, EnvOptions values) : env_name_(std::move(env_name)), values_(std::move(values)) {}
  const std::string& raw(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t min, int64_t max) const;
  double get_double(const std::string& key, double min, double max) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices) const;

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;
  std::string env_name_;
  EnvOptions values_;
};

struct EnvEntry {
  std::string name;                // "suite/task", e.g. "minatar/breakout"
  std::string description;         // one line
  int64_t max_steps = 0;           // default time limit; 0 = none
  std::vector<EnvOption> options;  // env-specific; `max_steps` is added by the registry
  std::function<std::unique_ptr<Env>(const OptionReader&)> make;
  // Hand-designed networks a search on this environment is measured against (search.baselines
  // auto, with the space's): "net:NAME" backbones or "named:NAME" architectures.
  std::vector<std::string> baselines = {};
  // Set by load_plugin for the entries a plugin registers (include/rlnas/env/plugin.h); empty for
  // the built-ins. A run's configuration records both, and the hash enters its cache key.
  std::string plugin_path = {};
  std::string plugin_sha256 = {};
};

// What an environment is defined by, outside rlnas: the plugin (a shared object) or the Python
// module it comes from, and the SHA-256 of that file. Empty for the built-ins. A run records it
// (env_source) and its cache keys include the hash.
struct EnvSource {
  std::string path;
  std::string sha256;
  bool empty() const { return path.empty(); }
};

// Environments made on demand from a name PREFIX:REST (py:MODULE:CALLABLE, gym:ID): sources whose
// environments cannot be listed in advance. Any option is accepted and handed to `make` as given,
// except `max_steps`, the registry's time limit (default 0: none).
struct EnvFamily {
  std::string prefix;       // "py"
  std::string usage;        // "py:MODULE:CALLABLE", for messages and `rlnas env list`
  std::string description;  // one line
  // Options `make` reads itself (it must not pass them on), listed with max_steps by options().
  std::vector<EnvOption> options;
  std::function<std::unique_ptr<Env>(const std::string& rest, const EnvOptions& options)> make;
  std::function<EnvSource(const std::string& rest)> source;
};

// A plugin loaded into a registry.
struct PluginRecord {
  std::string path;               // absolute, as loaded
  std::string sha256;             // of the file's content when it was loaded
  std::string name;               // the plugin's own name (rlnas_plugin_info::name)
  std::vector<std::string> envs;  // the environments it registered
};

class EnvRegistry {
 public:
  // Throws if the name is taken or malformed.
  void add(EnvEntry entry);
  // Throws if the prefix is taken or malformed.
  void add_family(EnvFamily family);
  // A registered name, or a name of a registered family.
  bool contains(std::string_view name) const;
  // A registered environment (not a family's); throws rlnas::Error listing the valid names.
  const EnvEntry& entry(std::string_view name) const;
  std::vector<std::string> names() const;  // sorted; the registered environments
  const std::vector<EnvFamily>& families() const { return families_; }
  // The family whose prefix `name` starts with ("py:..."), or nullptr.
  const EnvFamily* family_of(std::string_view name) const;
  // Every declared option of an environment with its default, `max_steps` included (a family's
  // environments declare only max_steps: their options are whatever is given).
  std::vector<EnvOption> options(std::string_view name) const;
  // Builds an environment, wrapped in a TimeLimit when max_steps > 0.
  std::unique_ptr<Env> make(std::string_view name, const EnvOptions& options = {}) const;
  // Where the environment comes from (EnvSource): its plugin, its family's source, {} if built in.
  EnvSource source(std::string_view name) const;
  // The hand-designed networks a search on it is measured against (EnvEntry::baselines; none
  // for a family's).
  std::vector<std::string> baselines(std::string_view name) const;
  // The plugins loaded into this registry (load_plugin), in load order.
  const std::vector<PluginRecord>& plugins() const { return plugins_; }
  void add_plugin_record(PluginRecord record) { plugins_.push_back(std::move(record)); }

 private:
  std::map<std::string, EnvEntry, std::less<>> entries_;
  std::vector<EnvFamily> families_;
  std::vector<PluginRecord> plugins_;
};

// "KEY=VALUE" strings (e.g. repeated --env-opt) to options; `where` names the source in errors.
EnvOptions parse_env_options(const std::vector<std::string>& key_values, std::string_view where);

void register_classic_envs(EnvRegistry& registry);
void register_minatar_envs(EnvRegistry& registry);
// All built-in suites.
void register_builtin_envs(EnvRegistry& registry);

}  // namespace rlnas::env
