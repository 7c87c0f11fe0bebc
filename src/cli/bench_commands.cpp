// `rlnas bench env` (environment throughput) and `rlnas bench matmul` (BLAS throughput).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/env/vector_env.h"
#include "rlnas/rl/trainer.h"

namespace rlnas::cli {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kActionPool = 4096;  // pre-drawn random actions, cycled, so RNG cost is not timed

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Pre-drawn actions: kActionPool x width values (index for discrete, floats for boxes).
struct ActionPool {
  std::vector<int64_t> indices;
  std::vector<float> values;
  ActionPool(const env::ActionSpec& spec, int width) {
    Mt19937 rng(1);
    const auto n = static_cast<size_t>(kActionPool) * static_cast<size_t>(width);
    if (spec.is_discrete()) {
      for (size_t i = 0; i < n; ++i) indices.push_back(rng.randint(0, spec.n));
    } else {
      for (size_t i = 0; i < n * static_cast<size_t>(spec.dim()); ++i) {
        const auto d = static_cast<int64_t>(i) % spec.dim();
        values.push_back(static_cast<float>(rng.uniform(spec.box.low_at(d), spec.box.high_at(d))));
      }
    }
  }
};

double raw_steps_per_s(env::Env& env, int64_t steps) {
  const auto& spec = env.action_spec();
  ActionPool pool(spec, 1);
  const auto dim = static_cast<size_t>(spec.dim());
  env.seed(0);
  env.reset();
  auto run = [&](int64_t n) {
    for (int64_t t = 0; t < n; ++t) {
      const auto k = static_cast<size_t>(t % kActionPool);
      const env::Action a = spec.is_discrete() ? env::Action::discrete(pool.indices[k])
                                               : env::Action::continuous({pool.values.data() + k * dim, dim});
      if (env.step(a).done()) env.reset();
    }
  };
  run(steps / 10);  // warm-up
  const auto start = Clock::now();
  run(steps);
  return static_cast<double>(steps) / seconds_since(start);
}

double vector_steps_per_s(env::VectorEnv& venv, int64_t steps) {
  const auto& spec = venv.action_spec();
  const int n = venv.num_envs();
  ActionPool pool(spec, n);
  const auto dim = static_cast<size_t>(spec.dim());
  auto run = [&](int64_t iterations) {
    for (int64_t t = 0; t < iterations; ++t) {
      const auto k = static_cast<size_t>(t % kActionPool) * static_cast<size_t>(n);
      if (spec.is_discrete()) {
        venv.step_discrete({pool.indices.data() + k, static_cast<size_t>(n)});
      } else {
        venv.step_continuous({pool.values.data() + k * dim, static_cast<size_t>(n) * dim});
      }
    }
  };
  const int64_t iterations = std::max<int64_t>(1, steps / n);
  run(iterations / 10);
  const auto start = Clock::now();
  run(iterations);
  return static_cast<double>(iterations * n) / seconds_since(start);
}

}  // namespace

void add_bench_commands(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("bench", "throughput benchmarks (see docs/benchmarks.md)");
  group->require_subcommand(1);
  {
    auto* cmd = group->add_subcommand("env", "environment steps per second on one thread: raw and through VectorEnv");
    auto args = std::make_shared<EnvArgs>();
    auto num_envs = std::make_shared<int>(8);
    auto steps = std::make_shared<int64_t>(2'000'000);
    auto repeats = std::make_shared<int>(3);
    auto as_json = std::make_shared<bool>(false);
    args->add_to(*cmd);
    cmd->add_option("--num-envs", *num_envs, "environments in the VectorEnv")
        ->capture_default_str()
        ->check(whole_number(1, 65536));
    cmd->add_option("--steps", *steps, "environment steps per measurement")
        ->capture_default_str()
        ->check(whole_number(1, 1000000000000));
    cmd->add_option("--repeats", *repeats, "measurements; the median is reported")
        ->capture_default_str()
        ->check(whole_number(1, 1000));
    cmd->add_flag("--json", *as_json, "print {\"raw_steps_per_s\": X, \"vector_steps_per_s\": Y, ...}");
    cmd->callback([&ctx, args, num_envs, steps, repeats, as_json] {
      auto env = args->make(ctx);
      std::vector<double> raw, vec;
      env::VectorEnv venv([&] { return args->make(ctx); }, *num_envs, /*seed=*/0);
      for (int r = 0; r < *repeats; ++r) {
        raw.push_back(raw_steps_per_s(*env, *steps));
        vec.push_back(vector_steps_per_s(venv, *steps));
      }
      const json out = {{"env", args->name},
                        {"raw_steps_per_s", median(raw)},
                        {"vector_steps_per_s", median(vec)},
                        {"num_envs", *num_envs},
                        {"steps", *steps},
                        {"repeats", *repeats},
                        {"observation_floats", env->observation_spec().numel()}};
      if (*as_json) {
        std::cout << out.dump() << "\n";
      } else {
        std::printf("%s: raw %.2fM steps/s, VectorEnv(%d) %.2fM steps/s (median of %d x %lld steps, one thread)\n",
                    args->name.c_str(), median(raw) / 1e6, *num_envs, median(vec) / 1e6, *repeats,
                    static_cast<long long>(*steps));
      }
    });
  }
  {
    auto* cmd = group->add_subcommand("train", "whole training loop (rollout + update) steps per second, one process");
    auto args = std::make_shared<EnvArgs>();
    struct Opts {
      std::string algo = "ppo", net = "minatar", preset;
      std::vector<std::string> sets;
      int64_t iterations = 10;
      bool json = false;
    };
    auto o = std::make_shared<Opts>();
    args->add_to(*cmd);
    cmd->add_option("--algo", o->algo, "ppo | a2c | dqn | sac")->capture_default_str();
    cmd->add_option("--net", o->net, "backbone")->capture_default_str();
    cmd->add_option("--preset", o->preset, "hyperparameter preset");
    cmd->add_option("--set", o->sets, "KEY=VALUE option override (repeatable)")->take_all();
    cmd->add_option("--iterations", o->iterations, "timed iterations after one warm-up iteration")
        ->capture_default_str()
        ->check(whole_number(1, 1000000000000));
    cmd->add_flag("--json", o->json, "print {\"steps_per_s\": X, ...}");
    cmd->callback([&ctx, args, o] {
      rl::TrainSources sources;
      sources.env_options = args->options;
      check_unique_sets(o->sets);
      sources.sets = o->sets;
      sources.flags = {{"env", args->name}, {"algo", o->algo}, {"net.name", o->net}};
      if (!o->preset.empty()) sources.flags.push_back({"preset", o->preset});
      const auto config = rl::resolve_train_config(sources, ctx.envs);
      const auto b = rl::benchmark_training(config, ctx.envs, o->iterations);
      json out = {{"env", args->name},
                  {"algo", o->algo},
                  {"net", b.network},
                  {"threads", at::get_num_threads()},
                  {"steps", b.steps},
                  {"seconds", b.seconds},
                  {"steps_per_s", b.steps_per_s()},
                  {"parameters", b.parameters}};
      if (const auto c = config.to_json(); c.contains(o->algo + ".epochs")) {  // the actor-critic algorithms
        // Update FLOPs: epochs x samples x (forward + backward ~ 3 forwards).
        const double samples = static_cast<double>(b.steps) * c[o->algo + ".epochs"].get<double>();
        out["rollout_s"] = b.rollout_seconds;
        out["update_s"] = b.update_seconds;
        out["forward_flops_per_sample"] = b.forward_flops;
        if (b.update_seconds > 0) out["update_gflops"] = 3.0 * b.forward_flops * samples / b.update_seconds / 1e9;
      }
      if (o->json) {
        std::cout << out.dump() << "\n";
      } else {
        std::printf("%s %s/%s: %.0f steps/s (%lld steps in %.2f s, %d thread(s))\n", o->algo.c_str(),
                    args->name.c_str(), b.network.c_str(), b.steps_per_s(), static_cast<long long>(b.steps), b.seconds,
                    at::get_num_threads());
        if (out.contains("update_gflops")) {
          std::printf("  rollout %.2f s, update %.2f s, update %.1f GFLOP/s (%.0f forward FLOPs/sample)\n",
                      b.rollout_seconds, b.update_seconds, out["update_gflops"].get<double>(),
                      out["forward_flops_per_sample"].get<double>());
        }
      }
    });
  }
  {
    auto* cmd = group->add_subcommand("matmul", "single-precision matrix-multiply GFLOP/s at the current --threads");
    auto size = std::make_shared<int64_t>(1024);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("--size", *size, "square matrix size")->capture_default_str()->check(whole_number(1, 100000));
    cmd->add_flag("--json", *as_json, "print JSON");
    cmd->callback([size, as_json] {
      const int64_t n = *size;
      auto a = at::randn({n, n}), b = at::randn({n, n}), c = at::empty({n, n});
      const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
      const int iterations = static_cast<int>(std::clamp(2e10 / flops, 3.0, 20000.0));
      for (int i = 0; i < 3; ++i) at::mm_out(c, a, b);
      std::vector<double> gflops;
      for (int r = 0; r < 5; ++r) {
        const auto start = Clock::now();
        for (int i = 0; i < iterations; ++i) at::mm_out(c, a, b);
        gflops.push_back(flops * iterations / seconds_since(start) / 1e9);
      }
      const json out = {{"size", n}, {"threads", at::get_num_threads()}, {"gflops", median(gflops)}};
      if (*as_json) {
        std::cout << out.dump() << "\n";
      } else {
        std::printf("matmul %lldx%lld, %d thread(s): %.1f GFLOP/s (median of 5)\n", static_cast<long long>(n),
                    static_cast<long long>(n), at::get_num_threads(), median(gflops));
      }
    });
  }
}

}  // namespace rlnas::cli
