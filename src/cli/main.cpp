// The rlnas command-line tool: global options, runtime set-up, subcommands, error reporting.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.h"
#include "rlnas/core/error.h"
#include "rlnas/core/log.h"
#include "rlnas/core/runtime.h"

int main(int argc, char** argv) {
  using namespace rlnas;
  CLI::App app{"rlnas: neural architecture search for reinforcement-learning agents"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rlnas 0.1.0");
  int threads = 1;
  std::string log_level = "info";
  app.add_option("--threads", threads,
                 "torch intra-op threads (default 1: measured fastest for rlnas's small networks, "
                 "see docs/benchmarks.md)")
      ->check(CLI::PositiveNumber);
  app.add_option("--log-level", log_level, "debug, info, warning, error or off (messages go to stderr)")
      ->check(CLI::IsMember({"debug", "info", "warning", "error", "off"}));

  cli::Context ctx;
  app.add_option("--store", ctx.store, "experiment store file (SQLite); '' records nothing")
      ->envname("RLNAS_STORE")->capture_default_str();
  env::register_builtin_envs(ctx.envs);
  cli::add_env_commands(app, ctx);
  cli::add_train_commands(app, ctx);
  cli::add_space_commands(app, ctx);
  cli::add_search_commands(app, ctx);
  cli::add_runs_commands(app, ctx);
  cli::add_report_commands(app, ctx);
  cli::add_bench_commands(app, ctx);

  // Runtime settings apply before any subcommand callback runs.
  app.parse_complete_callback([&] {
    log::set_level(log::parse_level(log_level));
    init_runtime({.threads = threads});
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const rlnas::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 3;
  }
  return 0;
}
