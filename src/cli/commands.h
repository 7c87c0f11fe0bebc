// Subcommand groups of the `rlnas` executable. Each add_* function declares its options and a
// callback; main() owns the App, the runtime set-up and error reporting.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlnas/env/registry.h"

namespace rlnas::cli {

// Exit codes of every rlnas command (docs/reliability.md).
enum ExitCode : int {
  kExitDone = 0,
  kExitError = 1,         // user input, configuration, files, I/O (a message says which)
  kExitUsage = 2,         // command-line usage
  kExitInternal = 3,      // a bug: an unexpected exception
  kExitInterrupted = 130  // SIGINT or SIGTERM; the work checkpointed and can be resumed
};

struct Context {
  env::EnvRegistry envs;
  std::string store = "runs/rlnas.db";  // experiment store (global --store / RLNAS_STORE); empty: none
  int exit_code = kExitDone;            // set by a command that ends otherwise than done (interrupted)
};

// Plugins (rlnas/env/plugin.h) that a command loads into ctx.envs before it resolves a
// configuration. The global --plugin and RLNAS_PLUGINS are loaded by main().
void load_plugins(Context& ctx, const std::vector<std::string>& paths);
// A configuration file's `plugins` key (a list of paths, or paths separated by ':').
void load_config_file_plugins(Context& ctx, const std::string& config_file);
// The plugin a stored configuration's environment comes from ("env_source", or the "train"
// configuration's of a search), unless that environment is registered already; a run directory's
// config.json.
void load_recorded_plugin(Context& ctx, const nlohmann::json& config, const std::string& where);
void load_run_dir_plugin(Context& ctx, const std::string& run_dir);

// Validators for whole-number options whose messages name the range in plain digits.
CLI::Validator whole_number(int64_t min, int64_t max);
CLI::Validator number_in(double min, double max);

// CLI11's own messages, in rlnas's words ("--steps: given 2 times; give it once"): the failure
// message of the app and of every command.
std::string usage_message(const CLI::App* app, const CLI::Error& e);

// Options every command that takes --env shares.
struct EnvArgs {
  std::string name;
  std::vector<std::string> options;  // KEY=VALUE
  void add_to(CLI::App& command);
  std::unique_ptr<env::Env> make(const Context& ctx) const;
};

// The options of a command that set configuration keys, from one table: each flag, the key it
// sets and its help. The same table adds the options, gives the (key, value) pairs of the flags
// given to the configuration resolution, and names the ones given where --resume refuses them.
struct KeyFlag {
  std::string flag;  // "--top-k"
  std::string key;   // "search.top_k"
  std::string help;
  bool is_switch = false;                              // a flag without a value that sets the key to true
  bool with_resume = false;                            // allowed with --resume
  std::optional<CLI::Validator> check = std::nullopt;  // an extra check of the value
};

class KeyFlags {
 public:
  explicit KeyFlags(std::vector<KeyFlag> table);
  void add_to(CLI::App& command);
  // (key, value) of every flag given, in table order.
  std::vector<std::pair<std::string, std::string>> given() const;
  // The flags given that --resume does not allow.
  std::vector<std::string> given_against_resume() const;
  // The value given for `key`, empty when not given.
  std::string value(const std::string& key) const;

 private:
  std::vector<KeyFlag> table_;
  std::shared_ptr<std::vector<std::string>> values_;  // per flag, empty when not given
};

// Refuses a key given twice among --set KEY=VALUE (as --env-opt does): a usage error naming both.
void check_unique_sets(const std::vector<std::string>& sets);

void add_env_commands(CLI::App& app, Context& ctx);
void add_bench_commands(CLI::App& app, Context& ctx);
void add_train_commands(CLI::App& app, Context& ctx);
void add_space_commands(CLI::App& app, Context& ctx);
void add_runs_commands(CLI::App& app, Context& ctx);
void add_search_commands(CLI::App& app, Context& ctx);
void add_report_commands(CLI::App& app, Context& ctx);
void add_compare_commands(CLI::App& app, Context& ctx);

}  // namespace rlnas::cli
