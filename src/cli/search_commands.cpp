// `rlnas search` and the internal `rlnas run-trial DIR` that the search's child processes run.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "interrupt.h"
#include "rlnas/core/error.h"
#include "rlnas/core/log.h"
#include "rlnas/search/search.h"

namespace rlnas::cli {

void add_search_commands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand(
        "search", "search an architecture: strategy, then top-K retrained from scratch over seeds vs baselines");
    struct Args {
      std::string config, env, algo, preset, space, strategy, steps, search_steps, seed, search_seed, top_k, seeds,
          jobs, baselines, out;
      int64_t resume = 0;
      std::vector<std::string> env_opts, sets;
      bool quiet = false, as_json = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--config", a->config, "YAML config: search.* keys for the search, the rest as in rlnas train");
    cmd->add_option("--env", a->env, "environment (rlnas env list)");
    cmd->add_option("--env-opt", a->env_opts, "environment option KEY=VALUE (repeatable)")->take_all();
    cmd->add_option("--algo", a->algo, "ppo | a2c (spos, enas); ppo | a2c | dqn (darts, gdas); any algorithm for random and grid");
    cmd->add_option("--preset", a->preset, "hyperparameter preset, e.g. ppo.nas-rl");
    cmd->add_option("--space", a->space, "search space (rlnas space list) [search.space]");
    cmd->add_option("--strategy", a->strategy, "random | grid | spos | enas | darts | gdas [search.strategy]");
    cmd->add_option("--steps", a->steps, "environment steps of every retrain (one training's budget)");
    cmd->add_option("--search-steps", a->search_steps, "environment steps of the search phase (default: --steps)");
    cmd->add_option("--seed", a->seed, "first training seed of the retrains (seed, seed+1, ...)");
    cmd->add_option("--search-seed", a->search_seed, "seed of the search itself [search.seed]");
    cmd->add_option("--top-k", a->top_k, "candidates retrained [search.top_k]");
    cmd->add_option("--seeds", a->seeds, "seeds per retrain and baseline [search.seeds]");
    cmd->add_option("--jobs", a->jobs, "trainings at once (child processes) [search.jobs, default 2]")
        ->check(whole_number(1, 1024));
    cmd->add_option("--baselines", a->baselines, "auto | none | named:NAME,net:NAME [search.baselines]");
    cmd->add_option("--set", a->sets, "any option KEY=VALUE (repeatable): search.* or training keys")->take_all();
    cmd->add_option("--store", ctx.store, "experiment store file (as the global --store; default runs/rlnas.db)");
    cmd->add_option("--out", a->out, "folder of the trials' run directories (default: next to the store)");
    cmd->add_option("--resume", a->resume, "continue search experiment ID (rlnas runs list)");
    cmd->add_flag("--quiet", a->quiet, "no progress lines");
    cmd->add_flag("--json", a->as_json, "print the summary as JSON");
    cmd->callback([&ctx, a] {
      if (ctx.store.empty()) throw Error("search: a search needs the experiment store; --store '' turns it off");
      search::SearchRunOptions options;
      options.out_dir = a->out;
      options.quiet = a->quiet;
      auto store = store::Store::open(ctx.store);
      options.stop = catch_interrupt();
      search::SearchSummary summary;
      if (a->resume > 0) {
        if (!a->config.empty() || !a->env.empty() || !a->algo.empty() || !a->preset.empty() || !a->space.empty() ||
            !a->strategy.empty() || !a->steps.empty() || !a->search_steps.empty() || !a->seed.empty() ||
            !a->search_seed.empty() || !a->top_k.empty() || !a->seeds.empty() || !a->baselines.empty() ||
            !a->sets.empty() || !a->env_opts.empty()) {
          throw Error("--resume continues a search with its stored configuration; give no other search options "
                      "(--jobs, --out and --quiet are allowed)");
        }
        const auto e = store.experiment(a->resume);
        if (!e) throw Error("--resume " + std::to_string(a->resume) + ": no such experiment in " + ctx.store);
        int64_t jobs = 2;
        if (!a->jobs.empty()) {
          jobs = std::stoll(a->jobs);
        } else if (e->config.contains("search") && e->config["search"].contains("search.jobs")) {
          jobs = e->config["search"]["search.jobs"].get<int64_t>();
        }
        search::LocalRunner runner(search::self_executable(), static_cast<size_t>(jobs));
        summary = search::resume_search(a->resume, ctx.envs, store, runner, options);
      } else {
        search::SearchSources sources;
        if (!a->config.empty()) sources.config_file = a->config;
        sources.sets = a->sets;
        sources.env_options = a->env_opts;
        for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
                 {"env", a->env}, {"algo", a->algo}, {"preset", a->preset}, {"steps", a->steps}, {"seed", a->seed},
                 {"search.space", a->space}, {"search.strategy", a->strategy}, {"search.steps", a->search_steps},
                 {"search.seed", a->search_seed}, {"search.top_k", a->top_k}, {"search.seeds", a->seeds},
                 {"search.jobs", a->jobs}, {"search.baselines", a->baselines}}) {
          if (!value.empty()) sources.flags.push_back({key, value});
        }
        const auto config = search::resolve_search_config(sources, ctx.envs);
        search::LocalRunner runner(search::self_executable(), static_cast<size_t>(config.search.jobs));
        summary = search::run_search(config, ctx.envs, store, runner, options);
      }
      release_interrupt();
      if (a->as_json) {
        std::cout << summary.to_json().dump(2) << "\n";
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
      if (summary.status == "failed") throw Error("search " + std::to_string(summary.experiment_id) + " failed: " +
                                                  summary.note);
    });
  }
  {
    // Internal: the child process of one trial (the search writes DIR/config.json and trial.json).
    auto* cmd = app.add_subcommand("run-trial", "internal: run the trial in DIR (started by rlnas search)");
    cmd->group("");  // hidden from --help
    auto dir = std::make_shared<std::string>();
    cmd->add_option("dir", *dir, "trial run directory")->required();
    cmd->callback([&ctx, dir] {
      const bool interrupted = search::run_trial(*dir, ctx.envs, catch_interrupt());
      release_interrupt();
      if (interrupted) ctx.exit_code = kExitInterrupted;  // the search records it as stopped
    });
  }
}

}  // namespace rlnas::cli
