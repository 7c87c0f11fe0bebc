// `rlnas env list|check|rollout|trace`.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "rlnas/core/config.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/env/checker.h"
#include "rlnas/env/minatar.h"
#include "rlnas/env/plugin.h"
#include "rlnas/env/rollout.h"
#include "rlnas/env/time_limit.h"

namespace rlnas::cli {

namespace minatar = env::minatar;

void EnvArgs::add_to(CLI::App& command) {
  command.add_option("--env", name, "environment name (see `rlnas env list`)")->required();
  command.add_option("--env-opt", options, "environment option KEY=VALUE (repeatable)")->take_all();
}

std::unique_ptr<env::Env> EnvArgs::make(const Context& ctx) const {
  return ctx.envs.make(name, env::parse_env_options(options, "--env-opt"));
}

namespace {

using nlohmann::json;

// An environment's (or a family's: "py:") options as [{key, default, doc}].
json options_json(const Context& ctx, const std::string& name) {
  json options = json::array();
  for (const auto& o : ctx.envs.options(name)) {
    options.push_back({{"key", o.key}, {"default", o.default_value}, {"doc", o.doc}});
  }
  return options;
}

void print_options(const json& options) {
  for (const auto& o : options) {
    std::printf("    %-10s %-8s %s\n", o["key"].get<std::string>().c_str(),
                ("=" + o["default"].get<std::string>()).c_str(), o["doc"].get<std::string>().c_str());
  }
}

void print_list(const Context& ctx, bool as_json) {
  json out = json::array();
  for (const auto& name : ctx.envs.names()) {
    const auto& entry = ctx.envs.entry(name);
    auto env = ctx.envs.make(name);
    out.push_back({{"name", name},
                   {"description", entry.description},
                   {"observation", env->observation_spec().to_string()},
                   {"action", env->action_spec().to_string()},
                   {"options", options_json(ctx, name)}});
    if (!entry.plugin_path.empty()) out.back()["plugin"] = entry.plugin_path;
  }
  // Families (py:, gym:) last, marked: their environments are made from the name.
  json families = json::array();
  for (const auto& f : ctx.envs.families()) {
    families.push_back({{"name", f.usage},
                        {"description", f.description},
                        {"family", true},
                        {"options", options_json(ctx, f.prefix + ":")}});
  }
  if (as_json) {
    for (const auto& f : families) out.push_back(f);
    std::cout << out.dump(2) << "\n";
    return;
  }
  for (const auto& e : out) {
    std::cout << e["name"].get<std::string>() << "\n"
              << "  " << e["description"].get<std::string>() << "\n"
              << "  observation: " << e["observation"].get<std::string>() << "\n"
              << "  action:      " << e["action"].get<std::string>() << "\n"
              << (e.contains("plugin") ? "  plugin:      " + e["plugin"].get<std::string>() + "\n" : "")
              << "  options:\n";
    print_options(e["options"]);
  }
  for (const auto& f : families) {
    std::cout << f["name"].get<std::string>() << "\n  " << f["description"].get<std::string>()
              << "\n  options: any --env-opt KEY=VALUE (a JSON value, else a string), except rlnas's own:\n";
    print_options(f["options"]);
  }
}

// Action digits from "0135..." or "@FILE" (whitespace ignored).
std::string read_actions(const std::string& spec) {
  std::string text = spec;
  std::string where = "--actions";
  if (!spec.empty() && spec[0] == '@') {
    try {
      text = io::read_file(spec.substr(1), io::kMaxInputFileBytes);
    } catch (const Error& e) {
      throw Error(std::string("--actions: ") + e.what());
    }
    where = "--actions file '" + spec.substr(1) + "'";
  }
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c < '0' || c >= '0' + minatar::kNumFullActions) {
      throw Error(where + ": expected full-set action digits 0-5, found '" + std::string(1, c) + "' at position " +
                  std::to_string(i));
    }
    digits += c;
  }
  if (digits.empty()) throw Error(where + ": no actions given");
  return digits;
}

void write_trace(const Context& ctx, const EnvArgs& env_args, uint32_t seed, const std::string& actions_spec,
                 int64_t max_steps, const std::string& out_path) {
  auto env = env_args.make(ctx);
  auto* game = dynamic_cast<minatar::MinAtarEnv*>(&env::unwrap(*env));
  if (!game) throw Error("env trace: only MinAtar environments can be traced, got '" + env_args.name + "'");
  const std::string digits = read_actions(actions_spec);
  // Map full-set digits to the env's own action indices (identity for the full set).
  const auto& set = game->action_set();
  std::vector<int64_t> to_index(minatar::kNumFullActions, -1);
  for (size_t i = 0; i < set.size(); ++i) to_index[static_cast<size_t>(set[i])] = static_cast<int64_t>(i);

  const int channels = game->num_channels();
  std::vector<float> obs(static_cast<size_t>(channels) * 100);
  env->seed(seed);
  env->reset();
  env->write_observation(obs.data());
  nlohmann::ordered_json trace = {
      {"game", std::string(game->game())},
      {"seed", seed},
      {"n_channels", channels},
      {"obs0", minatar::pack_observation_hex(obs.data(), channels)},
      {"steps_fields", {"agent_action", "executed_action", "reward", "terminal", "obs_hex"}}};
  json steps = json::array();
  double ret = 0;
  bool terminal = false;
  for (size_t t = 0; t < digits.size() && static_cast<int64_t>(t) < max_steps; ++t) {
    const int full = digits[t] - '0';
    if (to_index[static_cast<size_t>(full)] < 0) {
      throw Error("--actions: action " + std::to_string(full) + " at position " + std::to_string(t) +
                  " is not in this environment's action set (actions=minimal)");
    }
    const env::StepResult r = env->step(env::Action::discrete(to_index[static_cast<size_t>(full)]));
    env->write_observation(obs.data());
    steps.push_back({full, game->last_executed_action(), static_cast<int64_t>(r.reward), r.terminated ? 1 : 0,
                     minatar::pack_observation_hex(obs.data(), channels)});
    ret += r.reward;
    terminal = r.terminated;
    if (r.done()) break;
  }
  const auto length = steps.size();
  trace["steps"] = std::move(steps);
  // As in the reference files: truncated = the episode was cut before its terminal step.
  trace["truncated"] = !terminal;
  trace["ret"] = static_cast<int64_t>(ret);
  trace["length"] = length;
  nlohmann::ordered_json file;
  file["traces"] = nlohmann::ordered_json::array({trace});
  io::write_file_atomic(out_path, file.dump() + "\n");  // a device named by --out is written, never replaced
  std::cerr << "wrote " << length << " steps of " << env->name() << " (seed " << seed << ") to " << out_path << "\n";
}

}  // namespace

void add_env_commands(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("env", "environments: list, check, roll out, trace");
  group->require_subcommand(1);

  {
    auto* cmd = group->add_subcommand("list", "every registered environment with its specs and options");
    auto as_json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *as_json, "print JSON");
    cmd->callback([&ctx, as_json] { print_list(ctx, *as_json); });
  }
  {
    auto* cmd = group->add_subcommand("check", "step an environment and report broken promises (as SB3's check_env)");
    auto args = std::make_shared<EnvArgs>();
    auto options = std::make_shared<env::CheckOptions>();
    args->add_to(*cmd);
    cmd->add_option("--steps", options->steps,
                    "random steps to take (more, up to 100000 in all, until one episode has ended)")
        ->capture_default_str()
        ->check(whole_number(1, 1000000000000));
    cmd->add_option("--seed", options->seed, "seed for the environment and the random actions")->capture_default_str();
    cmd->callback([&ctx, args, options] {
      auto env = args->make(ctx);
      const auto report = env::check_env(*env, *options);
      std::cout << args->name << ": " << report.to_string() << "  observation: " << env->observation_spec().to_string()
                << "\n  action:      " << env->action_spec().to_string() << "\n";
      if (!report.ok())
        throw Error("env check: " + args->name + " failed " + std::to_string(report.errors.size()) + " check(s)");
    });
  }
  {
    auto* cmd =
        group->add_subcommand("rollout", "return and length statistics of a fixed policy (MinAtar reference protocol)");
    auto args = std::make_shared<EnvArgs>();
    auto options = std::make_shared<env::RolloutOptions>();
    auto policy = std::make_shared<std::string>("random");
    auto policy_seed = std::make_shared<int64_t>(-1);
    auto as_json = std::make_shared<bool>(false);
    args->add_to(*cmd);
    cmd->add_option("--episodes", options->episodes, "episodes to run")->required()->check(whole_number(1, 1000000000));
    cmd->add_option("--seed", options->seed, "seed of the environment (set once, never re-seeded)")->required();
    cmd->add_option("--policy", *policy, "random | const:A")->capture_default_str();
    cmd->add_option("--policy-seed", *policy_seed, "seed of the random policy's own MT19937 (default: seed + 1)")
        ->check(whole_number(0, 4294967295));
    cmd->add_option("--max-steps", options->max_steps, "cut episodes at this many steps (counted as truncated)")
        ->capture_default_str()
        ->check(whole_number(1, 1000000000000));
    cmd->add_flag("--json", *as_json, "print exactly {episodes, truncated, return{mean,std,min,max}, length{...}}");
    cmd->callback([&ctx, args, options, policy, policy_seed, as_json] {
      auto env = args->make(ctx);
      if (*policy_seed >= 0) options->policy_seed = static_cast<uint32_t>(*policy_seed);
      const auto result = env::rollout(*env, env::Policy::parse(*policy), *options);
      const auto r = result.return_summary(), l = result.length_summary();
      if (*as_json) {
        nlohmann::ordered_json out = {{"episodes", result.returns.size()},
                                      {"truncated", result.truncated},
                                      {"return", {{"mean", r.mean}, {"std", r.std}, {"min", r.min}, {"max", r.max}}},
                                      {"length", {{"mean", l.mean}, {"std", l.std}, {"min", l.min}, {"max", l.max}}}};
        std::cout << out.dump() << "\n";
      } else {
        std::printf("%s, %zu episodes (%d truncated), policy %s\n", args->name.c_str(), result.returns.size(),
                    result.truncated, policy->c_str());
        std::printf("  return: mean %.3f  std %.3f  min %.3f  max %.3f\n", r.mean, r.std, r.min, r.max);
        std::printf("  length: mean %.1f  std %.1f  min %.0f  max %.0f\n", l.mean, l.std, l.min, l.max);
      }
    });
  }
  {
    auto* cmd = group->add_subcommand("trace", "replay full-set action digits on a MinAtar game and write the trace");
    auto args = std::make_shared<EnvArgs>();
    auto seed = std::make_shared<uint32_t>(0);
    auto actions = std::make_shared<std::string>();
    auto max_steps = std::make_shared<int64_t>(10000);
    auto out = std::make_shared<std::string>();
    args->add_to(*cmd);
    cmd->add_option("--seed", *seed, "environment seed")->required();
    cmd->add_option("--actions", *actions, "action digits 0-5, one per step, or @FILE")->required();
    cmd->add_option("--max-steps", *max_steps, "stop after this many steps")
        ->capture_default_str()
        ->check(whole_number(1, 1000000000000));
    cmd->add_option("--out", *out, "output JSON file ({\"traces\": [...]}, format of reference_traces.json)")
        ->required();
    cmd->callback(
        [&ctx, args, seed, actions, max_steps, out] { write_trace(ctx, *args, *seed, *actions, *max_steps, *out); });
  }
}

void load_plugins(Context& ctx, const std::vector<std::string>& paths) {
  for (const auto& path : paths) env::load_plugin(ctx.envs, path);
}

void load_config_file_plugins(Context& ctx, const std::string& config_file) {
  for (const auto& e : read_config_file(config_file)) {
    if (e.key == "plugins") {
      try {
        load_plugins(ctx, env::parse_plugin_list(e.value));
      } catch (const Error& error) {
        throw Error(e.where + ": " + error.what());
      }
    }
  }
}

void load_recorded_plugin(Context& ctx, const nlohmann::json& config, const std::string& where) {
  if (!config.is_object()) return;
  if (config.contains("train")) return load_recorded_plugin(ctx, config["train"], where);
  if (!config.contains("env_source") || !config.contains("env") || !config["env"].is_string()) return;
  if (ctx.envs.contains(config["env"].get<std::string>())) return;  // checked against the record when resolved
  const auto& p = config["env_source"];
  if (!p.is_object() || !p.contains("path") || !p["path"].is_string()) {
    throw Error(where + ": env_source: expected {\"path\": ..., \"sha256\": ...}, found " + p.dump());
  }
  try {
    // The file's hash is checked before it is loaded: a changed (or swapped) library never runs.
    const auto path = p["path"].get<std::string>();
    const std::string recorded = p.contains("sha256") && p["sha256"].is_string() ? p["sha256"].get<std::string>() : "";
    if (recorded.empty()) {
      throw Error("the record names the plugin '" + path + "' without its sha256; load it yourself with --plugin");
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw Error("no such file '" + path + "'");
    if (const auto found = env::file_sha256(path); found != recorded) {
      throw Error("environment '" + config["env"].get<std::string>() + "' was configured with plugin '" + path +
                  "' (sha256 " + recorded.substr(0, 12) + "), but it now has sha256 " + found.substr(0, 12) +
                  " (checked before loading it): the plugin changed since this run was configured; restore the "
                  "original or start a new run");
    }
    env::load_plugin(ctx.envs, path);
  } catch (const Error& e) {
    throw Error(where + ": the plugin of environment '" + config["env"].get<std::string>() + "': " + e.what());
  }
}

void load_run_dir_plugin(Context& ctx, const std::string& run_dir) {
  const auto path = run_dir + "/config.json";
  std::ifstream in(path);
  if (!in) return;  // not a run directory: the command says so itself
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    return;  // reported, with its path, by the configuration's reader
  }
  load_recorded_plugin(ctx, j, path);
}

}  // namespace rlnas::cli
