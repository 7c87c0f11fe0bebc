// `rlnas train` and `rlnas eval`.
#include <atomic>
#include <charconv>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "interrupt.h"
#include "rlnas/rl/workloads.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/log.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/space/space.h"
#include "rlnas/vision/classifier.h"
#include "train_record.h"

namespace rlnas::cli {

namespace {

std::string default_run_dir(const rl::TrainConfig& c) {
  std::string env = rl::subject_of(c);
  for (auto& ch : env) {
    if (ch == '/') ch = '-';
  }
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  for (auto& ch : env) {
    if (ch == ':') ch = '-';
  }
  return "runs/" + env + "-" + rl::trainer_of(c) + "-s" + std::to_string(c.seed) + "-" + stamp;
}

void print_result(const rl::TrainResult& r, bool greedy) {
  if (r.interrupted) {
    std::printf("interrupted at step %lld (checkpoint saved); continue with: rlnas train --resume %s\n",
                static_cast<long long>(r.steps), r.run_dir.c_str());
    return;
  }
  std::printf("done: %lld steps, %lld episodes, training return (last 100) %.3f\n", static_cast<long long>(r.steps),
              static_cast<long long>(r.episodes), r.recent_mean_return);
  std::printf("evaluation: %zu episodes (%s): return %.3f +- %.3f\n", r.eval.returns.size(),
              greedy ? "greedy" : "stochastic", r.eval.mean_return(), r.eval.std_return());
  std::printf("run directory: %s\n", r.run_dir.c_str());
}

int64_t parse_steps(const std::string& text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) {
    throw CLI::ValidationError("--steps",
                               "expected a whole number of environment steps >= 1, found '" + excerpt(text, 40) + "'");
  }
  return v;
}

// A folder of a search's trial is the search's to continue: the search knows the trial's sampler
// (trial.json), its result file and its record; `train --resume` of it would train it otherwise
// and record it as a run of its own.
void refuse_search_trial_folder(const Context& ctx, const std::string& run_dir) {
  if (!std::filesystem::exists(std::filesystem::path(run_dir) / "trial.json")) return;
  std::optional<store::TrialRecord> trial;
  try {
    if (!ctx.store.empty() && std::filesystem::exists(ctx.store)) {
      trial = store::Store::open(ctx.store, {.create = false, .read_only = true})
                  .find_trial_by_run_dir(normal_run_dir(run_dir));
    }
  } catch (const Error&) {  // no readable store: the message below still says what to do
  }
  if (trial) {
    throw Error("'" + run_dir + "' is a trial folder of search experiment " + std::to_string(trial->experiment_id) +
                " (trial " + std::to_string(trial->id) +
                "): only its search continues it, and updates only that trial: rlnas --store " + ctx.store +
                " search --resume " + std::to_string(trial->experiment_id));
  }
  throw Error("'" + run_dir +
              "' is a trial folder of a search (it holds trial.json): only its search continues it "
              "(rlnas search --resume ID, with the store that records it)");
}

// Runs `train` (a training that may be interrupted) with Ctrl-C caught, and on an exception
// updates the run's record: refused (nothing started: no "continue with") or failed (with the
// command that continues from the last checkpoint, where there is one).
template <typename Train>
auto recorded(TrainRecorder* recorder, const std::string& run_dir, Train&& train) -> decltype(train()) {
  try {
    auto result = train();
    release_interrupt();
    return result;
  } catch (const rl::RunRefused&) {
    release_interrupt();
    if (recorder) recorder->refused();
    throw;
  } catch (const std::exception& e) {
    release_interrupt();
    if (recorder) recorder->fail(e.what());
    if (std::filesystem::exists(std::filesystem::path(run_dir) / "checkpoint.ckpt")) {
      throw Error(std::string(e.what()) +
                  "\nthe run stopped; its last checkpoint is kept: once the cause is mended, continue with: rlnas "
                  "train --resume " +
                  run_dir);
    }
    throw;
  }
}

// `rlnas train --dataset NAME`: a classifier (vision/classifier.h), recorded in the store as any run.
void train_supervised(Context& ctx, const rl::TrainConfig& config, rl::TrainOptions options, bool no_store) {
  log::info("training a classifier on " + config.supervised.dataset + " (" + std::to_string(config.steps) +
            " epochs, network " + config.net.label() + ") -> " + options.run_dir);
  if (options.resume) rl::check_resume(config, options);
  const auto recorder =
      TrainRecorder::start(no_store ? "" : ctx.store, config, ctx.envs, options.run_dir, options.resume, std::nullopt);
  options.stop = catch_interrupt();
  const auto r = recorded(recorder.get(), options.run_dir, [&] { return vision::train_classifier(config, options); });
  nlohmann::ordered_json metrics;
  if (!r.interrupted) {
    metrics = {{"validation_accuracy", 100 * r.validation.accuracy}, {"validation_loss", r.validation.loss},
               {"test_accuracy", 100 * r.test.accuracy},             {"test_loss", r.test.loss},
               {"test_images", r.test.images},                       {"train_accuracy", 100 * r.train.accuracy},
               {"train_loss", r.train.loss}};
  }
  if (recorder) recorder->finish(r.interrupted, r.epochs, metrics);
  if (r.interrupted) {
    std::printf("interrupted at epoch %lld (checkpoint saved); continue with: rlnas train --resume %s\n",
                static_cast<long long>(r.epochs + 1), r.run_dir.c_str());
    ctx.exit_code = kExitInterrupted;
    return;
  }
  std::printf("done: %lld epochs in %.0f s; validation accuracy %.2f%% (%lld images, selection)\n",
              static_cast<long long>(r.epochs), r.seconds, 100 * r.validation.accuracy,
              static_cast<long long>(r.validation.images));
  if (r.test.images > 0) {
    std::printf("test accuracy %.2f%%, loss %.4f (%lld images of the official test set)\n", 100 * r.test.accuracy,
                r.test.loss, static_cast<long long>(r.test.images));
  } else {  // a supernet: many networks, none tested (validation: the mean over drawn paths)
    std::printf("no test figure: a supernet is many networks (its architectures are retrained and tested)\n");
  }
  std::printf("run directory: %s\n", r.run_dir.c_str());
}

}  // namespace

void add_train_commands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand(
        "train", "train an agent and write a run directory (config, metrics, checkpoint, evaluation)");
    struct Args {
      std::string config, out, resume;
      std::vector<std::string> env_opts, sets;
      bool list_options = false, quiet = false, no_store = false;
    };
    auto a = std::make_shared<Args>();
    std::string algos, nets;
    for (const auto& n : rl::algorithm_names()) algos += (algos.empty() ? "" : " | ") + n;
    for (const auto& n : nn::backbone_names()) nets += (nets.empty() ? "" : " | ") + n;
    // The flags that set configuration keys (the network's are spellings of net.*: NetworkSpec).
    auto flags = std::make_shared<KeyFlags>(std::vector<KeyFlag>{
        {"--workload", "workload",
         "what to train: rl (the default: an environment, --env) | supervised (image classification, --dataset)"},
        {"--env", "env", "environment (rlnas env list)"},
        {"--dataset", "supervised.dataset",
         "image classification instead of an environment: fashion-mnist | idx:DIR (your own IDX files); "
         "supervised.* options (--list-options)"},
        {"--epochs", "steps", "the budget of a --dataset run in epochs (its steps; default 10)"},
        {"--algo", "algo", algos},
        {"--net", "net.name", "backbone: " + nets},
        {"--space", "net.space", "search space of the network (rlnas space list); with --arch or --named"},
        {"--arch", "net.arch", "architecture in --space: JSON text or @FILE (rlnas space sample), or its choices alone"},
        {"--named", "net.named", "named reference architecture, e.g. minatar/ss1/nature (rlnas space list)"},
        {"--supernet", "net.supernet", "train the single-path supernet of --space (SPOS: a uniform path per iteration)",
         true},
        {"--mixed", "net.mixed",
         "train the differentiable supernet of --space: softmax (RL-DARTS) | gumbel (A2D); see arch.* options"},
        {"--preset", "preset", "named hyperparameter preset, e.g. ppo.nas-rl (see --list-options)"},
        {"--steps", "steps",
         "environment-step budget; with --resume, a longer budget for the run (recorded, with its own cache key)",
         false, true},
        {"--seed", "seed", "master seed"},
    });
    cmd->add_option("--env-opt", a->env_opts, "environment option KEY=VALUE (repeatable)")->take_all();
    flags->add_to(*cmd);
    cmd->add_option("--config", a->config, "YAML config file (strictly validated)");
    cmd->add_option("--set", a->sets, "override any option, KEY=VALUE (repeatable), e.g. --set ppo.lr=3e-4")
        ->take_all();
    cmd->add_option("--out", a->out, "run directory (default runs/<env>-<algo>-s<seed>-<time>)");
    cmd->add_option("--resume", a->resume, "continue the run in this directory from its last checkpoint");
    cmd->add_flag("--list-options", a->list_options, "print every option with its resolved value, and the presets");
    cmd->add_flag("--quiet", a->quiet, "no progress lines");
    cmd->add_flag("--no-store", a->no_store, "do not record this run in the experiment store (rlnas --store FILE)");
    cmd->callback([&ctx, a, flags] {
      rl::TrainOptions options;
      options.quiet = a->quiet;
      rl::TrainConfig config;
      if (!a->resume.empty()) {
        auto refused = flags->given_against_resume();
        for (const auto& [given, flag] : std::vector<std::pair<bool, std::string>>{{!a->config.empty(), "--config"},
                                                                                   {!a->sets.empty(), "--set"},
                                                                                   {!a->env_opts.empty(), "--env-opt"},
                                                                                   {!a->out.empty(), "--out"}}) {
          if (given) refused.push_back(flag);
        }
        if (!refused.empty()) {
          std::string list;
          for (const auto& f : refused) list += (list.empty() ? "" : ", ") + f;
          throw Error("--resume continues a run with its stored configuration; give no other training options (found " +
                      list + ")");
        }
        refuse_search_trial_folder(ctx, a->resume);
        load_run_dir_plugin(ctx, a->resume);
        config = rl::load_run_config(a->resume, ctx.envs);
        options.run_dir = a->resume;
        options.resume = true;
        if (const auto steps = flags->value("steps"); !steps.empty()) {
          const auto n = parse_steps(steps);
          if (n < config.steps) {
            throw CLI::ValidationError("--steps",
                                       "with --resume, --steps extends the run's budget: expected at least "
                                       "its " +
                                           std::to_string(config.steps) + " steps, found " + steps);
          }
          options.previous_steps = config.steps;
          config.steps = n;
        }
      } else {
        rl::TrainSources sources;
        if (!a->config.empty()) {
          load_config_file_plugins(ctx, a->config);
          sources.config_file = a->config;
        }
        check_unique_sets(a->sets);
        sources.sets = a->sets;
        sources.env_options = a->env_opts;
        sources.flags = flags->given();
        config = rl::resolve_train_config(sources, ctx.envs);
        options.run_dir = a->out.empty() ? default_run_dir(config) : a->out;
      }
      if (a->list_options) {
        OptionTable table;
        std::cout << config.to_json().dump(2) << "\n\npresets:\n";
        for (const auto& p : rl::presets()) std::cout << "  " << p.name << ": " << p.description << "\n";
        return;
      }
      if (rl::workload_of(config).kind == rl::WorkloadKind::supervised) {
        if (options.previous_steps) {
          throw Error("--steps with --resume: a supervised run's cosine learning rate is fixed by its budget of " +
                      std::to_string(config.steps) + " epochs; train a new run for a longer budget");
        }
        train_supervised(ctx, config, options, a->no_store);
        return;
      }
      log::info("training " + config.rl.algo + " on " + config.rl.env + " (" + std::to_string(config.steps) + " steps) -> " +
                options.run_dir);
      const auto& net = config.net;
      if (net.is_single_path()) {
        log::info("network: the single-path supernet of " + net.space() + " (one uniform path per iteration)");
      } else if (net.is_mixed()) {
        log::info("network: the " + std::string(rl::to_string(net.supernet_kind())) + "-mixed supernet of " +
                  net.space() + " (alpha per edge; op probabilities in alpha.jsonl)");
      } else if (net.kind() == rl::NetworkSpec::Kind::architecture) {
        const auto& arch = net.arch();
        log::info("network: " + arch.space + " " + arch.short_id() + " " + arch.choices.dump());
      }
      // A run folder that is not this run's (edited, copied files) is refused before the store
      // records anything; so is a new run into a folder that holds one.
      if (options.resume) rl::check_resume(config, options);
      const auto recorder = TrainRecorder::start(a->no_store ? "" : ctx.store, config, ctx.envs, options.run_dir,
                                                 options.resume, options.previous_steps);
      options.stop = catch_interrupt();
      const auto result = recorded(recorder.get(), options.run_dir, [&] { return rl::train(config, ctx.envs, options); });
      if (recorder) recorder->finish(result);
      print_result(result, config.rl.eval_greedy);
      if (result.interrupted) ctx.exit_code = kExitInterrupted;
    });
  }
  {
    auto* cmd = app.add_subcommand("eval", "evaluate the agent of a run directory (results appended to evals.jsonl)");
    auto run = std::make_shared<std::string>();
    auto episodes = std::make_shared<int64_t>(10);
    auto greedy = std::make_shared<bool>(false);
    auto seed = std::make_shared<int64_t>(12345);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("--run", *run, "run directory written by rlnas train")->required();
    cmd->add_option("--episodes", *episodes, "episodes")->capture_default_str()->check(whole_number(1, 10000000));
    cmd->add_flag("--greedy", *greedy, "greedy (mode) actions instead of sampling");
    cmd->add_option("--seed", *seed, "seed of the evaluation environments (env i gets seed + i)")
        ->capture_default_str()
        ->check(whole_number(0, 4294967295));
    cmd->add_flag("--json", *as_json, "print JSON");
    cmd->callback([&ctx, run, episodes, greedy, seed, as_json] {
      rl::TrainConfig config;
      load_run_dir_plugin(ctx, *run);
      config = rl::load_run_config(*run, ctx.envs);
      if (rl::workload_of(config).kind == rl::WorkloadKind::supervised) {
        const auto a = vision::evaluate_run(*run, config, "test");
        nlohmann::ordered_json out = {{"run", *run},       {"split", "test"},        {"images", a.images},
                                      {"accuracy", 100 * a.accuracy}, {"loss", a.loss}};
        io::append_line((std::filesystem::path(*run) / "evals.jsonl").string(), out.dump());  // checked
        if (*as_json) {
          std::cout << out.dump() << "\n";
        } else {
          std::printf("%s: test accuracy %.2f%%, loss %.4f (%lld images)\n", run->c_str(), 100 * a.accuracy, a.loss,
                      static_cast<long long>(a.images));
        }
        return;
      }
      auto algo = rl::load_trained_algorithm(*run, ctx.envs, &config);
      rl::EvalOptions o;
      o.episodes = *episodes;
      o.greedy = *greedy;
      o.seed = static_cast<uint32_t>(*seed);
      const auto r = rl::evaluate([&](const torch::Tensor& obs) { return algo->act(obs, *greedy); },
                                  [&] { return ctx.envs.make(config.rl.env, config.rl.env_options); }, o);
      nlohmann::ordered_json out = {{"run", *run},
                                    {"episodes", r.returns.size()},
                                    {"greedy", *greedy},
                                    {"seed", *seed},
                                    {"mean", r.mean_return()},
                                    {"std", r.std_return()},
                                    {"truncated", r.truncated},
                                    {"returns", r.returns}};
      io::append_line((std::filesystem::path(*run) / "evals.jsonl").string(), out.dump());  // checked
      if (*as_json) {
        std::cout << out.dump() << "\n";
      } else {
        std::printf("%s: %zu episodes (%s, seed %lld): return %.3f +- %.3f\n", run->c_str(), r.returns.size(),
                    *greedy ? "greedy" : "stochastic", static_cast<long long>(*seed), r.mean_return(), r.std_return());
      }
    });
  }
}

}  // namespace rlnas::cli
