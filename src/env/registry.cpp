// Environment registry and option parsing.
#include "rlnas/env/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"
#include "rlnas/env/time_limit.h"

namespace rlnas::env {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

constexpr std::string_view kMaxStepsKey = "max_steps";

}  // namespace

const std::string& OptionReader::raw(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) {
    throw Error("env '" + env_name_ + "': option '" + key + "' has no value (internal: undeclared option)");
  }
  return it->second;
}

void OptionReader::fail(const std::string& key, const std::string& expected) const {
  throw Error("env '" + env_name_ + "': option '" + key + "' expects " + expected + ", found '" + raw(key) + "'");
}

bool OptionReader::get_bool(const std::string& key) const {
  const std::string& v = raw(key);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  fail(key, "a boolean (true/false)");
}

int64_t OptionReader::get_int(const std::string& key, int64_t min, int64_t max) const {
  const std::string& v = raw(key);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  const std::string range = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (ec != std::errc() || end != v.data() + v.size() || value < min || value > max) fail(key, range);
  return value;
}

double OptionReader::get_double(const std::string& key, double min, double max) const {
  const std::string& v = raw(key);
  std::ostringstream range;
  range << "a number in [" << min << ", " << max << "]";
  double value = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(value) || value < min || value > max) {
    fail(key, range.str());
  }
  return value;
}

std::string OptionReader::get_choice(const std::string& key, const std::vector<std::string>& choices) const {
  const std::string& v = raw(key);
  if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
    fail(key, "one of " + join(choices));
  }
  return v;
}

void EnvRegistry::add(EnvEntry entry) {
  if (entry.name.find('/') == std::string::npos) {
    throw Error("env registry: name must look like 'suite/task', got '" + entry.name + "'");
  }
  if (entries_.count(entry.name)) {
    throw Error("env registry: '" + entry.name + "' is already registered");
  }
  for (const auto& option : entry.options) {
    if (option.key == kMaxStepsKey) {
      throw Error("env registry: '" + entry.name + "' declares 'max_steps' itself; set EnvEntry::max_steps instead");
    }
  }
  if (!entry.make) throw Error("env registry: '" + entry.name + "' has no factory");
  std::string name = entry.name;
  entries_.emplace(std::move(name), std::move(entry));
}

void EnvRegistry::add_family(EnvFamily family) {
  if (family.prefix.empty() || family.prefix.find_first_of(":/") != std::string::npos) {
    throw Error("env registry: a family's prefix must be a word without ':' or '/', got '" + family.prefix + "'");
  }
  for (const auto& f : families_) {
    if (f.prefix == family.prefix) throw Error("env registry: family '" + family.prefix + ":' is already registered");
  }
  if (!family.make || !family.source) throw Error("env registry: family '" + family.prefix + ":' has no factory");
  families_.push_back(std::move(family));
}

const EnvFamily* EnvRegistry::family_of(std::string_view name) const {
  for (const auto& f : families_) {
    if (name.size() > f.prefix.size() && name.substr(0, f.prefix.size()) == f.prefix && name[f.prefix.size()] == ':') {
      return &f;
    }
  }
  return nullptr;
}

bool EnvRegistry::contains(std::string_view name) const {
  return entries_.find(name) != entries_.end() || family_of(name) != nullptr;
}

const EnvEntry& EnvRegistry::entry(std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string valid = join(names());
    for (const auto& f : families_) valid += ", " + f.usage;
    throw Error("unknown environment '" + excerpt(name, 80) + "'; valid environments: " + valid);
  }
  return it->second;
}

EnvSource EnvRegistry::source(std::string_view name) const {
  if (const auto* f = family_of(name)) return f->source(std::string(name.substr(f->prefix.size() + 1)));
  const auto& e = entry(name);
  return {e.plugin_path, e.plugin_sha256};
}

std::vector<std::string> EnvRegistry::baselines(std::string_view name) const {
  if (family_of(name)) return {};
  return entry(name).baselines;
}

std::vector<std::string> EnvRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

std::vector<EnvOption> EnvRegistry::options(std::string_view name) const {
  if (const auto* f = family_of(name)) {
    std::vector<EnvOption> out = f->options;
    out.push_back(
        {std::string(kMaxStepsKey), "0", "time limit in steps; reaching it truncates the episode (0 = none)"});
    return out;
  }
  const EnvEntry& e = entry(name);
  std::vector<EnvOption> out = e.options;
  out.push_back({std::string(kMaxStepsKey), std::to_string(e.max_steps),
                 "time limit in steps; reaching it truncates the episode (0 = none)"});
  return out;
}

std::unique_ptr<Env> EnvRegistry::make(std::string_view name, const EnvOptions& options) const {
  if (const auto* f = family_of(name)) {
    EnvOptions given = options;
    EnvOptions limit{{std::string(kMaxStepsKey), "0"}};
    if (const auto it = given.find(std::string(kMaxStepsKey)); it != given.end()) {
      limit[it->first] = it->second;
      given.erase(it);
    }
    const int64_t max_steps =
        OptionReader(std::string(name), limit).get_int(std::string(kMaxStepsKey), 0, int64_t{1} << 40);
    std::unique_ptr<Env> env = f->make(std::string(name.substr(f->prefix.size() + 1)), given);
    if (max_steps > 0) env = std::make_unique<TimeLimit>(std::move(env), max_steps);
    return env;
  }
  const EnvEntry& e = entry(name);
  EnvOptions values;
  std::vector<std::string> keys;
  for (const auto& option : this->options(name)) {
    values[option.key] = option.default_value;
    keys.push_back(option.key);
  }
  for (const auto& [key, value] : options) {
    if (!values.count(key)) {
      throw Error("env '" + e.name + "' has no option '" + key + "'; valid options: " + join(keys));
    }
    values[key] = value;
  }
  OptionReader reader(e.name, values);
  const int64_t max_steps = reader.get_int(std::string(kMaxStepsKey), 0, int64_t{1} << 40);
  std::unique_ptr<Env> env = e.make(reader);
  if (max_steps > 0) env = std::make_unique<TimeLimit>(std::move(env), max_steps);
  return env;
}

EnvOptions parse_env_options(const std::vector<std::string>& key_values, std::string_view where) {
  EnvOptions out;
  for (const auto& kv : key_values) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(std::string(where) + ": expected KEY=VALUE, found '" + kv + "'");
    }
    std::string key = kv.substr(0, eq);
    if (out.count(key)) {
      throw Error(std::string(where) + ": option '" + key + "' given twice");
    }
    out[key] = kv.substr(eq + 1);
  }
  return out;
}

void register_builtin_envs(EnvRegistry& registry) {
  register_classic_envs(registry);
  register_minatar_envs(registry);
}

}  // namespace rlnas::env
