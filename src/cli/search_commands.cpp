// `rlnas search` and the internal `rlnas run-trial DIR` that the search's child processes run.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "interrupt.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/log.h"
#include "rlnas/search/search.h"

namespace rlnas::cli {

void add_search_commands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand(
        "search", "search an architecture: strategy, then top-K retrained from scratch over seeds vs baselines");
    struct Args {
      std::string config, out, id_file;
      int64_t resume = 0;
      std::vector<std::string> env_opts, sets;
      bool quiet = false, as_json = false;
    };
    auto a = std::make_shared<Args>();
    // Which algorithms each strategy works with, from the strategy table.
    std::string algos, strategies;
    for (const auto& e : search::strategy_table()) {
      strategies += (strategies.empty() ? "" : " | ") + e.name;
      std::string list;
      for (const auto& x : e.algos) list += (list.empty() ? "" : " | ") + x;
      algos += (algos.empty() ? "" : "; ") + e.name + ": " + (list.empty() ? "any" : list);
    }
    auto flags = std::make_shared<KeyFlags>(std::vector<KeyFlag>{
        {"--workload", "workload",
         "what the trials train: rl (the default: an environment, --env) | supervised (image classification, "
         "--dataset) | synthetic (a known-answer score table for testing strategies; synthetic.* options)"},
        {"--env", "env", "environment (rlnas env list)"},
        {"--dataset", "supervised.dataset",
         "image classification instead of an environment: fashion-mnist | idx:DIR (supervised.* options)"},
        {"--epochs", "steps", "epochs of every retrain of a --dataset search (its steps)"},
        {"--algo", "algo", "algorithm (" + algos + ")"},
        {"--preset", "preset", "hyperparameter preset, e.g. ppo.nas-rl"},
        {"--space", "search.space", "search space (rlnas space list) [search.space]"},
        {"--strategy", "search.strategy", strategies + " [search.strategy]"},
        {"--steps", "steps", "environment steps of every retrain (one training's budget)"},
        {"--search-steps", "search.steps", "environment steps of the search phase (default: --steps)"},
        {"--seed", "seed", "first training seed of the retrains (seed, seed+1, ...)"},
        {"--search-seed", "search.seed", "seed of the search itself [search.seed]"},
        {"--top-k", "search.top_k", "candidates retrained [search.top_k]"},
        {"--seeds", "search.seeds", "seeds per retrain and baseline [search.seeds]"},
        {"--jobs", "search.jobs", "trainings at once (child processes) [search.jobs, default 2]", false, true,
         whole_number(1, 1024)},
        {"--baselines", "search.baselines", "auto | none | named:NAME,net:NAME [search.baselines]"},
    });
    cmd->add_option("--config", a->config, "YAML config: search.* keys for the search, the rest as in rlnas train");
    cmd->add_option("--env-opt", a->env_opts, "environment option KEY=VALUE (repeatable)")->take_all();
    flags->add_to(*cmd);
    cmd->add_option("--set", a->sets, "any option KEY=VALUE (repeatable): search.* or training keys")->take_all();
    cmd->add_option("--store", ctx.store, "experiment store file (as the global --store; default runs/rlnas.db)");
    cmd->add_option("--out", a->out, "folder of the trials' run directories (default: next to the store)");
    auto* resume_option = cmd->add_option("--resume", a->resume, "continue search experiment ID (rlnas runs list)");
    cmd->add_flag("--quiet", a->quiet, "no progress lines");
    cmd->add_flag(
        "--json", a->as_json,
        "print JSON lines: {\"experiment_id\": ...} as soon as the experiment exists, the summary at the end");
    cmd->add_option("--id-file", a->id_file, "write the experiment id to this file as soon as it is known");
    cmd->callback([&ctx, a, flags, resume_option] {
      if (ctx.store.empty()) throw Error("search: a search needs the experiment store; --store '' turns it off");
      search::SearchRunOptions options;
      options.out_dir = a->out;
      options.quiet = a->quiet;
      // Scripts learn the id before the search ends, without parsing progress text.
      options.on_start = [&ctx, a](int64_t id) {
        if (a->as_json) {
          std::cout << nlohmann::ordered_json{{"experiment_id", id}, {"store", ctx.store}}.dump() << std::endl;
        }
        if (!a->id_file.empty()) io::write_file_atomic(a->id_file, std::to_string(id) + "\n");
      };
      // A file the id cannot be written to is refused before any experiment exists.
      if (!a->id_file.empty()) {
        const auto folder = std::filesystem::absolute(a->id_file).parent_path();
        std::error_code ec;
        if (std::filesystem::is_directory(a->id_file, ec)) {
          throw CLI::ValidationError("--id-file", "'" + a->id_file + "' is a folder; expected a file name");
        }
        if (!std::filesystem::is_directory(folder, ec)) {
          throw CLI::ValidationError("--id-file", "the folder of '" + a->id_file + "' does not exist");
        }
      }
      const bool resuming = resume_option->count() > 0;
      if (resuming && a->resume <= 0) {
        throw CLI::ValidationError("--resume",
                                   "expected the id of a search experiment (a whole number from 1, "
                                   "rlnas runs list), found " +
                                       std::to_string(a->resume));
      }
      auto store = store::Store::open(ctx.store, {.create = !resuming});
      options.stop = catch_interrupt();
      search::SearchSummary summary;
      if (resuming) {
        auto refused = flags->given_against_resume();
        for (const auto& [given, flag] : std::vector<std::pair<bool, std::string>>{
                 {!a->config.empty(), "--config"}, {!a->sets.empty(), "--set"}, {!a->env_opts.empty(), "--env-opt"}}) {
          if (given) refused.push_back(flag);
        }
        if (!refused.empty()) {
          std::string list;
          for (const auto& f : refused) list += (list.empty() ? "" : ", ") + f;
          throw Error(
              "--resume continues a search with its stored configuration; give no other search options "
              "(found " +
              list + "; --jobs, --out, --id-file, --json and --quiet are allowed)");
        }
        const std::string id = std::to_string(a->resume);
        const auto e = store.experiment(a->resume);
        if (!e) {
          throw CLI::ValidationError(
              "--resume", "no experiment " + id + " in " + ctx.store + " (rlnas --store " + ctx.store + " runs list)");
        }
        if (e->kind != "search") {
          throw CLI::ValidationError("--resume", "experiment " + id + " is a " + e->kind +
                                                     " run, not a search; continue it with rlnas train --resume " +
                                                     e->name);
        }
        // An imported experiment is results, not work: its configuration and folders come from a
        // file, and nothing named there (a plugin, a Python module, a folder) is loaded or written.
        if (const auto imported = store.snapshots(a->resume, "import"); !imported.empty()) {
          throw Error("experiment " + id + " was imported (from " +
                      excerpt(imported.back().payload.value("source", std::string("a file")), 200) +
                      "): an imported experiment is results and cannot be resumed. To run it again, start a new "
                      "search with the same settings (rlnas runs show " +
                      id + " shows them); its finished trials are cache hits and are not trained again");
        }
        load_recorded_plugin(ctx, e->config, "experiment " + id);
        int64_t jobs = 2;
        if (const auto given = flags->value("search.jobs"); !given.empty()) {
          jobs = std::stoll(given);
        } else if (e->config.contains("search") && e->config["search"].contains("search.jobs")) {
          jobs = e->config["search"]["search.jobs"].get<int64_t>();
        }
        double timeout = 0;
        if (e->config.contains("search") && e->config["search"].contains("search.trial_timeout") &&
            e->config["search"]["search.trial_timeout"].is_number()) {
          timeout = e->config["search"]["search.trial_timeout"].get<double>();
        }
        search::LocalRunner runner(search::self_executable(), static_cast<size_t>(jobs), {}, timeout);
        summary = search::resume_search(a->resume, ctx.envs, store, runner, options);
      } else {
        search::SearchSources sources;
        if (!a->config.empty()) {
          load_config_file_plugins(ctx, a->config);
          sources.config_file = a->config;
        }
        check_unique_sets(a->sets);
        sources.sets = a->sets;
        sources.env_options = a->env_opts;
        sources.flags = flags->given();
        const auto config = search::resolve_search_config(sources, ctx.envs);
        search::LocalRunner runner(search::self_executable(), static_cast<size_t>(config.search.jobs), {},
                                   config.search.trial_timeout);
        summary = search::run_search(config, ctx.envs, store, runner, options);
      }
      release_interrupt();
      if (a->as_json) {
        std::cout << summary.to_json().dump() << "\n";
      } else {
        std::cout << "\n" << summary.table();
      }
      // With --json, stdout holds only the JSON; these lines go to stderr.
      std::FILE* note = a->as_json ? stderr : stdout;
      std::fflush(stdout);
      if (summary.status == "stopped") {
        std::fprintf(note, "stopped; continue with: rlnas --store %s search --resume %lld\n", ctx.store.c_str(),
                     static_cast<long long>(summary.experiment_id));
      } else {
        std::fprintf(note, "report (HTML with plots): rlnas --store %s report %lld\n", ctx.store.c_str(),
                     static_cast<long long>(summary.experiment_id));
        std::fprintf(note, "stored as experiment %lld in %s (rlnas --store %s runs show %lld)\n",
                     static_cast<long long>(summary.experiment_id), ctx.store.c_str(), ctx.store.c_str(),
                     static_cast<long long>(summary.experiment_id));
      }
      if (summary.status == "stopped") ctx.exit_code = kExitInterrupted;
      if (summary.status == "failed")
        throw Error("search " + std::to_string(summary.experiment_id) + " failed: " + summary.note);
    });
  }
  {
    // Internal: the child process of one trial (the search writes DIR/config.json and trial.json).
    auto* cmd = app.add_subcommand("run-trial", "internal: run the trial in DIR (started by rlnas search)");
    cmd->group("");  // hidden from --help
    auto dir = std::make_shared<std::string>();
    cmd->add_option("dir", *dir, "trial run directory")->required();
    cmd->callback([&ctx, dir] {
      load_run_dir_plugin(ctx, *dir);
      const bool interrupted = search::run_trial(*dir, ctx.envs, catch_interrupt());
      release_interrupt();
      if (interrupted) ctx.exit_code = kExitInterrupted;  // the search records it as stopped
    });
  }
}

}  // namespace rlnas::cli
