// The rlnas command-line tool: global options, runtime set-up, subcommands, error reporting and
// the exit codes (0 done, 1 error, 2 usage, 3 internal, 130 interrupted; see commands.h).
#include <c10/util/Exception.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <thread>

#include "commands.h"
#include "interrupt.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/log.h"
#include "rlnas/core/runtime.h"
#include "rlnas/env/plugin.h"
#include "rlnas/env/python.h"

namespace rlnas::cli {

CLI::Validator whole_number(int64_t min, int64_t max) {
  const std::string range = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        int64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
          return "expected " + range + ", found '" + text + "'";
        }
        return "";
      },
      "INT in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
}

CLI::Validator number_in(double min, double max) {
  char range[96];
  std::snprintf(range, sizeof range, "a number from %g to %g", min, max);
  return CLI::Validator(
      [min, max, text_range = std::string(range)](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !(v >= min && v <= max)) {
          return "expected " + text_range + ", found '" + text + "'";
        }
        return "";
      },
      "NUMBER in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
}

std::string usage_message(const CLI::App* app, const CLI::Error& e) {
  std::string what = e.what();
  // "--steps: At Most 1 required but received 2"
  if (const auto at = what.find("At Most 1 required but received "); at != std::string::npos) {
    what = what.substr(0, at) + "given " + what.substr(at + 32) + " times; give it once";
  }
  // "Could not convert: --episodes = abc"
  if (what.rfind("Could not convert: ", 0) == 0) {
    const auto rest = what.substr(19);
    const auto eq = rest.find(" = ");
    if (eq != std::string::npos) {
      what = rest.substr(0, eq) + ": expected a number, found '" + rest.substr(eq + 3) + "'";
    }
  }
  std::string out = "error: " + what + "\n";
  (void)app;
  out += "(rlnas COMMAND --help lists the options)\n";
  return out;
}

namespace {

// The first word that is not an option (or a global option's value): the command's name.
std::string command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") return "";
    if (a.rfind("-", 0) == 0) {
      if (a == "--threads" || a == "--log-level" || a == "--store" || a == "--plugin") ++i;  // their value
      continue;
    }
    return a;
  }
  return "";
}

// Whether `word` names one of the app's commands (hidden ones included).
bool is_command(CLI::App& app, const std::string& word) {
  for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == word) return true;
  }
  return false;
}

int finish(int code) {
  if (const auto failure = io::close_stdout()) {
    std::fprintf(stderr, "error: %s\n", failure->c_str());
    return code == kExitDone ? kExitError : code;
  }
  return code;
}

}  // namespace
}  // namespace rlnas::cli

int main(int argc, char** argv) {
  using namespace rlnas;
  using namespace rlnas::cli;
  CLI::App app{"rlnas: neural architecture search for reinforcement-learning agents"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rlnas 0.1.0");
  app.failure_message(usage_message);
  int threads = 1;
  std::string log_level = "info";
  // More threads than this only slow training down (and 100000 takes minutes to create).
  const int64_t max_threads = 4 * std::max<int64_t>(1, std::thread::hardware_concurrency());
  app.add_option("--threads", threads,
                 "torch intra-op threads (default 1: measured fastest for rlnas's small networks, "
                 "see docs/benchmarks.md; at most 4 x the hardware threads, here " +
                     std::to_string(max_threads) + ")")
      ->check(whole_number(1, max_threads));
  app.add_option("--log-level", log_level, "debug, info, warning, error or off (messages go to stderr)")
      ->check(CLI::IsMember({"debug", "info", "warning", "error", "off"}));

  Context ctx;
  app.add_option("--store", ctx.store, "experiment store file (SQLite); '' records nothing")
      ->envname("RLNAS_STORE")
      ->capture_default_str();
  std::vector<std::string> plugins;
  app.add_option("--plugin", plugins,
                 "load the environments of a C++ plugin, FILE.so (repeatable; also RLNAS_PLUGINS=A.so:B.so and a "
                 "configuration's `plugins`; docs/adding_an_env.md)")
      ->type_name("FILE");
  env::register_builtin_envs(ctx.envs);
  env::register_python_envs(ctx.envs);
  add_env_commands(app, ctx);
  add_train_commands(app, ctx);
  add_space_commands(app, ctx);
  add_search_commands(app, ctx);
  add_runs_commands(app, ctx);
  add_report_commands(app, ctx);
  add_compare_commands(app, ctx);
  add_bench_commands(app, ctx);

  // Runtime settings apply before any subcommand callback runs.
  app.parse_complete_callback([&] {
    log::set_level(log::parse_level(log_level));
    init_runtime({.threads = threads});
    if (const char* list = std::getenv("RLNAS_PLUGINS")) {
      try {
        load_plugins(ctx, env::parse_plugin_list(list));
      } catch (const Error& e) {
        throw Error(std::string("RLNAS_PLUGINS: ") + e.what());
      }
    }
    load_plugins(ctx, plugins);
  });

  // The long commands take SIGINT/SIGTERM from the start, so that a signal during start-up stops
  // them cleanly (exit 130) instead of killing them.
  const std::string word = command_word(argc, argv);
  if (word == "train" || word == "search" || word == "run-trial") catch_interrupt();
  // CLI11 would only say "A subcommand is required" for a word that names no command.
  if (!word.empty() && !is_command(app, word)) {
    std::string names;
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      if (!sub->get_group().empty()) names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    std::fprintf(stderr, "error: unknown command '%s'; the commands are %s (rlnas --help)\n", word.c_str(),
                 names.c_str());
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, the version or the usage error
    return finish(code == 0 ? kExitDone : kExitUsage);
  } catch (const rlnas::UsageError& e) {  // a value the command line gave
    std::fprintf(stderr, "error: %s\n", e.what());
    return finish(kExitUsage);
  } catch (const rlnas::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return finish(kExitError);
  } catch (const std::filesystem::filesystem_error& e) {  // an I/O failure with its path and reason
    // "cannot use 'PATH': File name too long", not the library's "filesystem error: status: ...".
    std::fprintf(stderr, "error: cannot use '%s': %s\n", e.path1().c_str(), e.code().message().c_str());
    return finish(kExitError);
  } catch (const c10::Error& e) {  // LibTorch's: its message without the C++ backtrace
    std::fprintf(stderr, "internal error: %s\n", e.what_without_backtrace());
    return finish(kExitInternal);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory (std::bad_alloc): is an input much larger than intended?\n");
    return finish(kExitError);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return finish(kExitInternal);
  }
  return finish(ctx.exit_code);
}
