// Training runs: configuration resolution, the training loop, checkpoints and resume.
#include "rlnas/rl/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "rlnas/core/config.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/log.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/space/cost.h"
#include "rlnas/space/space.h"
#include "rlnas/space/mixed.h"
#include "rlnas/space/supernet.h"

namespace rlnas::rl {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

constexpr const char* kConfigFile = "config.json";
constexpr const char* kMetricsFile = "metrics.jsonl";
constexpr const char* kCheckpointFile = "checkpoint.ckpt";
constexpr const char* kEvalFile = "eval.json";
constexpr const char* kAlphaFile = "alpha.jsonl";
constexpr const char* kLockFile = "run.lock";

// Binds every top-level and network option of `c` (algorithm options are bound by its factory).
void bind_common(TrainConfig& c, OptionTable& t) {
  c.arch.bind(t);
  c.distill.bind(t);
  t.add("env", &c.env, "environment name (rlnas env list)")
      .add("algo", &c.algo, "algorithm", algorithm_names())
      .add("preset", &c.preset, "named preset applied before the config file (empty = none)")
      .add("steps", &c.steps, "environment-step budget", 1, 1e13)
      .add("seed", &c.seed, "master seed", 0, 4294967295.0)
      .add("device", &c.device, "torch device: cpu, cuda or cuda:N")
      .add("eval.episodes", &c.eval_episodes, "final evaluation episodes", 1, 1e7)
      .add("eval.greedy", &c.eval_greedy, "greedy actions in the final evaluation")
      .add("checkpoint_every", &c.checkpoint_every, "environment steps between checkpoints (0 = at the end only)", 0,
           1e13)
      .add("log_every", &c.log_every,
           "environment steps between metrics.jsonl lines; each line averages the iterations since the last", 1,
           1e13)
      .add("net.name", &c.net.name,
           "backbone (ignored when net.space is set); default: mlp for vector observations, minatar for images",
           nn::backbone_names())
      .add("net.space", &c.net_space, "search space of the network (rlnas space list); empty: the backbone net.name")
      .add("net.arch", &c.net_arch, "architecture in net.space: JSON text or @FILE (rlnas space sample)")
      .add("net.named", &c.net_named, "named reference architecture (rlnas space list); sets net.space and net.arch")
      .add("net.supernet", &c.net_supernet,
           "train the single-path supernet of net.space (SPOS: one uniformly drawn path per iteration)")
      .add("net.mixed", &c.net_mixed,
           "train the differentiable supernet of net.space: softmax (RL-DARTS) or gumbel (A2D) mixing of every edge",
           {"none", "softmax", "gumbel"})
      .add("net.mlp_hidden", &c.net.mlp_hidden, "mlp: hidden layer widths", 1, 1e6)
      .add("net.activation", &c.net.activation, "mlp: activation", {"tanh", "relu"})
      .add("net.impala_channels", &c.net.impala_channels, "impala_cnn: channels per stage", 1, 4096)
      .add("net.resnet_depth", &c.net.resnet_depth, "resnet: depth (14, 20, 38 or 74)", 8, 1000)
      .add("net.resnet_features", &c.net.resnet_features, "resnet: output features", 1, 1e6);
}

struct Setting {
  std::string key, value, where;
};

// The last value given for `key` (settings are in priority order), if any.
std::optional<std::string> last_value(const std::vector<Setting>& settings, const std::string& key) {
  std::optional<std::string> v;
  for (const auto& s : settings) {
    if (s.key == key) v = s.value;
  }
  return v;
}

std::string json_value_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

torch::Device parse_device(const std::string& text) {
  try {
    torch::Device d(text);
    if (d.is_cuda() && !torch::cuda::is_available()) {
      throw Error("device '" + text + "' requested but CUDA is not available in this LibTorch build or machine");
    }
    return d;
  } catch (const c10::Error&) {
    throw Error("device: expected cpu, cuda or cuda:N, found '" + text + "'");
  }
}

std::string to_bytes(const torch::Tensor& t) {
  const auto c = t.contiguous();
  return std::string(static_cast<const char*>(c.data_ptr()), static_cast<size_t>(c.numel()));
}

torch::Tensor from_bytes(const std::string& s) {
  return torch::from_blob(const_cast<char*>(s.data()), {static_cast<int64_t>(s.size())}, torch::kUInt8).clone();
}

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

// Iteration metrics accumulated between two metrics.jsonl lines: each key's mean over the
// iterations where it was finite (null when it never was), keys in first-seen order. Saved in
// checkpoints, so a resumed run writes the same lines as an uninterrupted one.
class MetricWindow {
 public:
  void add(const Metrics& m) {
    for (const auto& [k, v] : m) {
      auto it = std::find_if(sums_.begin(), sums_.end(), [&](const auto& e) { return e.key == k; });
      if (it == sums_.end()) it = sums_.insert(sums_.end(), {k, 0.0, 0});
      if (std::isfinite(v)) {
        it->sum += v;
        ++it->count;
      }
    }
  }
  bool empty() const { return sums_.empty(); }
  void write_into(ordered_json& line) const {
    for (const auto& e : sums_) line[e.key] = e.count ? nlohmann::json(e.sum / static_cast<double>(e.count)) : nullptr;
  }
  void clear() { sums_.clear(); }
  std::string to_text() const {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& e : sums_) j.push_back({e.key, e.sum, e.count});
    return j.dump();
  }
  void from_text(const std::string& text) {
    sums_.clear();
    for (const auto& e : nlohmann::json::parse(text)) sums_.push_back({e[0], e[1], e[2]});
  }

 private:
  struct Entry {
    std::string key;
    double sum;
    int64_t count;
  };
  std::vector<Entry> sums_;
};

}  // namespace

ordered_json TrainConfig::to_json() const {
  auto& self = const_cast<TrainConfig&>(*this);
  OptionTable t;
  bind_common(self, t);
  factory->bind(t);
  ordered_json out;
  out["env"] = env;
  out["env_options"] = env_options;
  const ordered_json values = t.to_json();  // keep alive: items() refers into it
  for (const auto& [k, v] : values.items()) {
    if (k != "env") out[k] = v;
  }
  return out;
}

namespace {

// net.named / net.space / net.arch -> a validated architecture, stored as canonical JSON so that
// config.json holds the architecture itself (not a file name or a name).
void resolve_network(TrainConfig& c) {
  if (c.distill.enabled() && c.algo != "ppo" && c.algo != "a2c") {
    throw Error("distill.teacher: distillation is for the actor-critic algorithms ppo and a2c, not '" + c.algo + "'");
  }
  if (c.net_mixed != "none") {
    if (c.net_supernet) throw Error("net.mixed and net.supernet are two kinds of supernet; set one of them");
    if (!c.net_arch.empty() || !c.net_named.empty()) {
      throw Error("net.mixed trains every architecture of net.space at once; give no net.arch or net.named");
    }
    if (c.net_space.empty()) throw Error("net.mixed needs net.space: the space whose supernet to train");
    if (c.algo != "ppo" && c.algo != "a2c" && c.algo != "dqn") {
      throw Error("net.mixed: differentiable supernets are wired into ppo, a2c and dqn, not '" + c.algo + "'");
    }
    if (c.arch.hard && c.net_mixed != "gumbel") throw Error("arch.hard needs net.mixed gumbel");
    space::find_space(c.net_space);  // exists
    return;
  }
  if (c.net_supernet) {
    if (!c.net_arch.empty() || !c.net_named.empty()) {
      throw Error("net.supernet trains every architecture of net.space at once; give no net.arch or net.named");
    }
    if (c.net_space.empty()) throw Error("net.supernet needs net.space: the space whose supernet to train");
    if (c.algo != "ppo" && c.algo != "a2c") {
      throw Error("net.supernet: supernet training supports the on-policy algorithms ppo and a2c, not '" + c.algo +
                  "' (a replay buffer would mix transitions of different paths)");
    }
    space::find_space(c.net_space);  // exists
    return;
  }
  if (!c.net_named.empty()) {
    const auto& named = space::find_named_architecture(c.net_named);
    if (!c.net_arch.empty() && space::read_architecture_arg(c.net_arch) != named.arch) {
      throw Error("net.named '" + c.net_named + "' and net.arch give different architectures; give one of them");
    }
    if (!c.net_space.empty() && c.net_space != named.arch.space) {
      throw Error("net.named '" + c.net_named + "' is an architecture of space '" + named.arch.space +
                  "', but net.space is '" + c.net_space + "'");
    }
    c.net_space = named.arch.space;
    c.net_arch = named.arch.canonical_json();
  }
  if (c.net_space.empty() && c.net_arch.empty()) return;
  space::Architecture arch;
  try {
    arch = c.net_arch.empty() ? space::find_space(c.net_space).make(nlohmann::json::object())
                              : space::read_architecture_arg(c.net_arch);
  } catch (const Error& e) {
    throw Error(std::string("net.arch: ") + e.what());
  }
  if (c.net_space.empty()) c.net_space = arch.space;
  if (arch.space != c.net_space) {
    throw Error("net.arch is an architecture of space '" + arch.space + "', but net.space is '" + c.net_space + "'");
  }
  try {
    space::find_space(c.net_space).validate(arch);
  } catch (const Error& e) {
    throw Error(std::string("net.arch: ") + e.what());
  }
  c.net_arch = arch.canonical_json();
}

}  // namespace

TrainConfig resolve_train_config(const TrainSources& sources, const env::EnvRegistry& registry) {
  // Gather every setting in priority order (later wins).
  std::vector<Setting> settings;
  env::EnvOptions env_options;
  std::vector<ConfigEntry> entries;
  if (sources.config_file) entries = read_config_file(*sources.config_file);
  entries.insert(entries.end(), sources.entries.begin(), sources.entries.end());
  for (auto& e : entries) {
    if (e.key.rfind("env_options.", 0) == 0) {
      env_options[e.key.substr(12)] = e.value;
    } else {
      settings.push_back({e.key, e.value, e.where});
    }
  }
  for (const auto& s : sources.sets) {
    auto [k, v] = split_key_value(s, "--set");
    if (k.rfind("env_options.", 0) == 0) {
      env_options[k.substr(12)] = v;
    } else {
      settings.push_back({k, v, "--set " + s});
    }
  }
  for (const auto& [k, v] : sources.flags) settings.push_back({k, v, "--" + k});
  for (const auto& [k, v] : env::parse_env_options(sources.env_options, "--env-opt")) env_options[k] = v;

  TrainConfig c;
  const auto preset_name = last_value(settings, "preset");
  const Preset* preset = preset_name && !preset_name->empty() ? &find_preset(*preset_name) : nullptr;
  const auto algo = last_value(settings, "algo");
  c.algo = algo ? *algo : (preset ? preset->algo : "ppo");
  if (preset && preset->algo != c.algo) {
    throw Error("preset '" + preset->name + "' is for algo '" + preset->algo + "', but algo is '" + c.algo + "'");
  }
  c.factory = make_algorithm_factory(c.algo);
  c.net.name.clear();  // unset: chosen by the observation's kind below
  OptionTable t;
  bind_common(c, t);
  c.factory->bind(t);
  if (preset) {
    for (const auto& [k, v] : preset->values) t.set(k, v, "preset " + preset->name);
  }
  const auto algos = algorithm_names();
  for (const auto& s : settings) {
    const auto dot = s.key.find('.');
    if (dot != std::string::npos) {
      const std::string section = s.key.substr(0, dot);
      if (section != c.algo && std::find(algos.begin(), algos.end(), section) != algos.end()) {
        throw Error(s.where + ": option '" + s.key + "' is for algo '" + section + "', but algo is '" + c.algo + "'");
      }
    }
    t.set(s.key, s.value, s.where);
  }
  c.env_options = env_options;
  resolve_network(c);
  // Validate the environment and its options, and that the algorithm fits its actions.
  auto env = registry.make(c.env, c.env_options);
  // No backbone named: the MLP for vector observations, the MinAtar net for images (the name is
  // stored resolved, so configs and cache keys that named one are unchanged).
  if (c.net.name.empty()) c.net.name = env->observation_spec().shape.size() == 1 ? "mlp" : "minatar";
  c.factory->validate(env->action_spec());
  parse_device(c.device);
  return c;
}

TrainConfig config_from_json(const nlohmann::json& j, const env::EnvRegistry& registry) {
  if (!j.is_object()) throw Error("a training configuration must be a JSON object, found " + j.dump());
  TrainSources sources;
  for (const auto& [k, v] : j.items()) {
    if (k == "env_options") {
      for (const auto& [ok, ov] : v.items()) sources.env_options.push_back(ok + "=" + json_value_text(ov));
    } else {
      sources.flags.push_back({k, json_value_text(v)});
    }
  }
  return resolve_train_config(sources, registry);
}

TrainConfig load_run_config(const std::string& run_dir, const env::EnvRegistry& registry) {
  const auto path = fs::path(run_dir) / kConfigFile;
  if (!fs::is_directory(run_dir)) throw Error("'" + run_dir + "' is not a run directory (no such folder)");
  if (!fs::exists(path)) throw Error("'" + run_dir + "' is not a run directory (no " + kConfigFile + ")");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(io::read_file(path.string()));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": not valid JSON (" + plain_error_text(e) + ")");
  }
  try {
    return config_from_json(j, registry);
  } catch (const Error& e) {
    throw Error(path.string() + ": " + e.what());
  }
}

std::string network_identity(const TrainConfig& config, const env::EnvRegistry& registry) {
  auto env = registry.make(config.env, config.env_options);
  if (!config.net_space.empty()) {
    return "algo=" + config.algo + " env=" + config.env + " obs=" + env->observation_spec().to_string() +
           " actions=" + env->action_spec().to_string() + " space=" + config.net_space +
           (config.net_supernet       ? " supernet"
            : config.net_mixed != "none" ? " mixed=" + config.net_mixed + (config.arch.hard ? "-hard" : "")
                                         : " arch=" + space::Architecture::parse(config.net_arch).id());
  }
  nlohmann::json net = {{"name", config.net.name},
                        {"mlp_hidden", config.net.mlp_hidden},
                        {"activation", config.net.activation},
                        {"impala_channels", config.net.impala_channels},
                        {"resnet_depth", config.net.resnet_depth},
                        {"resnet_features", config.net.resnet_features}};
  return "algo=" + config.algo + " env=" + config.env + " obs=" + env->observation_spec().to_string() +
         " actions=" + env->action_spec().to_string() + " net=" + net.dump();
}

namespace {

struct Run {
  std::unique_ptr<env::Env> probe;
  std::unique_ptr<Algorithm> algo;
  env::VectorEnv::Factory make_env;
  std::string identity;
};

Run build_run(const TrainConfig& config, const env::EnvRegistry& registry) {
  Run r;
  r.probe = registry.make(config.env, config.env_options);
  AlgorithmContext ctx;
  ctx.obs_spec = r.probe->observation_spec();
  ctx.action_spec = r.probe->action_spec();
  ctx.net = config.net;
  if (config.net_supernet) {
    ctx.net.builder = [space = &space::find_space(config.net_space)](const std::vector<int64_t>& obs_shape) {
      return std::static_pointer_cast<nn::BackboneImpl>(space::make_supernet(*space, obs_shape));
    };
  } else if (config.net_mixed != "none") {
    space::MixOptions mix;
    mix.mode = config.net_mixed;
    mix.hard = config.arch.hard;
    mix.freeze = config.arch.freeze;
    mix.seed = static_cast<uint64_t>(config.seed);
    ctx.net.builder = [space = &space::find_space(config.net_space), mix](const std::vector<int64_t>& obs_shape) {
      return std::static_pointer_cast<nn::BackboneImpl>(space::make_mixed_supernet(*space, obs_shape, mix));
    };
  } else if (!config.net_space.empty()) {
    ctx.net.builder = [space = &space::find_space(config.net_space),
                       arch = space::Architecture::parse(config.net_arch)](const std::vector<int64_t>& obs_shape) {
      return space->build(arch, obs_shape);
    };
  }
  ctx.device = parse_device(config.device);
  ctx.seed = static_cast<uint64_t>(config.seed);
  ctx.total_steps = config.steps;
  ctx.arch = config.arch;
  ctx.distill = config.distill;
  if (config.distill.enabled()) {
    TrainConfig teacher;
    try {
      ctx.teacher = load_trained_algorithm(config.distill.teacher, registry, &teacher);
    } catch (const Error& e) {
      throw Error("distill.teacher '" + config.distill.teacher + "': " + e.what());
    }
    const auto teacher_env = registry.make(teacher.env, teacher.env_options);
    if (teacher_env->observation_spec().shape != ctx.obs_spec.shape ||
        teacher_env->action_spec().to_string() != ctx.action_spec.to_string()) {
      throw Error("distill.teacher '" + config.distill.teacher + "' was trained on " + teacher.env + " (observations " +
                  teacher_env->observation_spec().to_string() + ", actions " + teacher_env->action_spec().to_string() +
                  "); this run's " + config.env + " has " + ctx.obs_spec.to_string() + ", " +
                  ctx.action_spec.to_string());
    }
    if (teacher.algo != "ppo" && teacher.algo != "a2c") {
      throw Error("distill.teacher '" + config.distill.teacher + "' is a " + teacher.algo +
                  " run; the teacher must be a ppo or a2c run (an actor and a critic)");
    }
    if (teacher.to_json().value(teacher.algo + ".norm_obs", false)) {
      throw Error("distill.teacher '" + config.distill.teacher +
                  "' normalizes its observations (norm_obs); teachers must see raw observations");
    }
  }
  r.algo = config.factory->create(ctx);
  r.make_env = [&registry, name = config.env, options = config.env_options] { return registry.make(name, options); };
  r.identity = network_identity(config, registry) + " params=" + std::to_string(nn::count_parameters(r.algo->network()));
  return r;
}

uint32_t eval_seed(int64_t seed) { return static_cast<uint32_t>((seed * 7919 + 1000003) % 4294967296LL); }

}  // namespace

std::unique_ptr<Algorithm> load_trained_algorithm(const std::string& run_dir, const env::EnvRegistry& registry,
                                                  TrainConfig* config_out) {
  TrainConfig config = load_run_config(run_dir, registry);
  Run run = build_run(config, registry);
  const auto path = (fs::path(run_dir) / kCheckpointFile).string();
  const Checkpoint ckpt = read_checkpoint(path);
  check_identity(ckpt, run.identity, path);
  std::istringstream is(ckpt.payload);
  torch::serialize::InputArchive archive, algo_archive;
  archive.load_from(is);
  archive.read("algo", algo_archive);
  run.algo->load(algo_archive);
  if (config_out) *config_out = std::move(config);
  return std::move(run.algo);
}

TrainBenchmark benchmark_training(const TrainConfig& config, const env::EnvRegistry& registry, int64_t iterations) {
  Run run = build_run(config, registry);
  env::VectorEnv venv(run.make_env, static_cast<int>(run.algo->num_envs()), static_cast<uint32_t>(config.seed));
  run.algo->iterate(venv, 0);  // warm-up: allocations, first-touch of buffers
  TrainBenchmark b;
  b.parameters = nn::count_parameters(run.algo->network());
  b.forward_flops = static_cast<double>(
      space::measure_cost(run.algo->network(), [&](const torch::Tensor& x) { return run.algo->act(x, true); },
                          run.probe->observation_spec().shape)
          .flops());
  b.network = config.net_space.empty() ? config.net.name
              : config.net_supernet   ? config.net_space + " supernet"
              : config.net_mixed != "none" ? config.net_space + " mixed supernet (" + config.net_mixed + ")"
                                      : config.net_space + " " + space::Architecture::parse(config.net_arch).short_id();
  const int64_t start_steps = venv.total_steps();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) {
    for (const auto& [k, v] : run.algo->iterate(venv, venv.total_steps())) {
      if (k == "rollout_s") b.rollout_seconds += v;
      if (k == "update_s") b.update_seconds += v;
    }
  }
  b.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  b.steps = venv.total_steps() - start_steps;
  return b;
}

TrainResult train(const TrainConfig& config, const env::EnvRegistry& registry, const TrainOptions& options) {
  const fs::path dir(options.run_dir);
  const fs::path ckpt_path = dir / kCheckpointFile;
  std::vector<fs::path> logs = {dir / kMetricsFile, dir / kAlphaFile};
  for (const auto& f : options.step_logs) logs.push_back(dir / f);
  bool resume = options.resume;
  if (!resume && (fs::exists(ckpt_path) || fs::exists(dir / kMetricsFile))) {
    throw Error("run directory '" + options.run_dir +
                "' already holds a run; resume it with --resume, or choose another --out");
  }
  Run run = build_run(config, registry);  // a network that cannot be built leaves no run folder
  io::create_folders(options.run_dir, "run directory");
  // One process per run folder: a second train or resume of it is refused while this one runs.
  const auto lock = io::FileLock::acquire((dir / kLockFile).string(), "run folder " + options.run_dir);
  if (resume && !fs::exists(ckpt_path)) {
    // Killed before its first checkpoint (or never started): nothing to continue from, so start
    // at step 0, discarding partial lines.
    if (std::any_of(logs.begin(), logs.end(), [](const fs::path& f) { return fs::exists(f); })) {
      log::warning("'" + options.run_dir + "' has no " + kCheckpointFile +
                   " yet (stopped before its first checkpoint); starting it again at step 0");
    }
    for (const auto& f : logs) fs::remove(f);
    fs::remove(dir / kEvalFile);
    resume = false;
  }
  if (!options.resume) io::write_file_atomic((dir / kConfigFile).string(), config.to_json().dump(2) + "\n");

  env::VectorEnv venv(run.make_env, static_cast<int>(run.algo->num_envs()), static_cast<uint32_t>(config.seed));
  int64_t iterations = 0;
  double elapsed_before = 0;
  MetricWindow window;
  if (resume) {
    const Checkpoint ckpt = read_checkpoint(ckpt_path.string());
    check_identity(ckpt, run.identity, ckpt_path.string());
    std::istringstream is(ckpt.payload);
    torch::serialize::InputArchive archive, algo_archive;
    archive.load_from(is);
    archive.read("algo", algo_archive);
    run.algo->load(algo_archive);
    torch::Tensor venv_bytes, counters;
    archive.read("venv", venv_bytes);
    archive.read("counters", counters);
    venv.restore(to_bytes(venv_bytes));
    iterations = counters[0].item<int64_t>();
    elapsed_before = counters[1].item<double>();
    c10::IValue pending;
    if (archive.try_read("metric_window", pending)) window.from_text(pending.toStringRef());
    if (options.path_sampler) {
      torch::serialize::InputArchive sampler_archive;
      if (archive.try_read("path_sampler", sampler_archive)) options.path_sampler->load(sampler_archive);
    }
    // Lines written after the checkpoint (and a line a kill cut short) are written again.
    for (const auto& f : logs) io::truncate_jsonl_after(f.string(), venv.total_steps());
    log::info("resuming " + options.run_dir + " at step " + std::to_string(venv.total_steps()));
  }

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  io::AppendFile metrics((dir / kMetricsFile).string());
  // Mixed supernets: the op probabilities and the discretized architecture with every metrics line.
  const auto mixed = space::find_mixed_supernets(run.algo->network());
  io::AppendFile alpha_log;
  if (!mixed.empty()) alpha_log = io::AppendFile((dir / kAlphaFile).string());
  auto save = [&] {
    // The lines up to the checkpoint's step are on disk before the checkpoint is.
    metrics.sync();
    if (alpha_log.is_open()) alpha_log.sync();
    const double elapsed = elapsed_before + std::chrono::duration<double>(Clock::now() - start).count();
    torch::serialize::OutputArchive archive, algo_archive;
    run.algo->save(algo_archive);
    archive.write("algo", algo_archive);
    archive.write("venv", from_bytes(venv.snapshot()));
    archive.write("counters", torch::tensor({static_cast<double>(iterations), elapsed}, torch::kFloat64));
    archive.write("metric_window", c10::IValue(window.to_text()));
    if (options.path_sampler) {
      torch::serialize::OutputArchive sampler_archive;
      options.path_sampler->save(sampler_archive);
      archive.write("path_sampler", sampler_archive);
    }
    std::ostringstream os;
    archive.save_to(os);
    write_checkpoint(ckpt_path.string(), {config.algo, run.identity, venv.total_steps()}, os.str());
  };

  const int64_t start_steps = venv.total_steps();
  auto last_progress = start;
  int64_t last_checkpoint = venv.total_steps();
  const int64_t budget = options.stop_after_steps ? std::min(config.steps, *options.stop_after_steps) : config.steps;
  TrainResult result;
  result.run_dir = options.run_dir;

  // Supernet runs: the path sampler's path, or (SPOS) a uniformly drawn path per iteration from a
  // generator seeded by (seed, iteration), so that a resumed run draws the same paths.
  const auto supernets = config.net_supernet ? space::find_supernets(run.algo->network())
                                             : std::vector<space::Supernet>{};
  while (venv.total_steps() < budget) {
    if (options.stop && options.stop->load()) {
      result.interrupted = true;
      break;
    }
    if (!supernets.empty()) {
      space::Architecture path;
      if (options.path_sampler) {
        path = options.path_sampler->next(iterations);
      } else {
        Mt19937 rng(static_cast<uint32_t>(config.seed * 1000003 + iterations));
        path = supernets.front()->space().sample(rng);
      }
      for (const auto& s : supernets) s->set_path(path);
    }
    const int64_t steps_before = venv.total_steps();
    const int64_t episodes_before = venv.total_episodes();
    window.add(run.algo->iterate(venv, steps_before));
    ++iterations;
    if (options.path_sampler && !supernets.empty()) {
      // The episodes that ended during this iteration are the newest of recent_episodes().
      const auto& recent = venv.recent_episodes();
      const auto n = static_cast<size_t>(
          std::min<int64_t>(venv.total_episodes() - episodes_before, static_cast<int64_t>(recent.size())));
      std::optional<double> ret;
      if (n > 0) {
        double sum = 0;
        for (size_t i = recent.size() - n; i < recent.size(); ++i) sum += recent[i].ret;
        ret = sum / static_cast<double>(n);
      }
      options.path_sampler->observe(supernets.front()->path(), ret, venv.total_steps());
    }
    const double now = std::chrono::duration<double>(Clock::now() - start).count();
    const double sps = now > 0 ? static_cast<double>(venv.total_steps() - start_steps) / now : 0.0;
    // A line whenever the step count passes a multiple of log_every, and at the end of the budget.
    if (venv.total_steps() / config.log_every > steps_before / config.log_every || venv.total_steps() >= config.steps) {
      ordered_json line = {{"step", venv.total_steps()},
                           {"time", elapsed_before + now},
                           {"episodes", venv.total_episodes()},
                           {"return_mean", venv.recent_episodes().empty() ? nlohmann::json(nullptr)
                                                                          : nlohmann::json(venv.recent_mean_return())},
                           {"steps_per_s", sps}};
      window.write_into(line);
      window.clear();
      metrics.write_line(line.dump());
      if (!mixed.empty()) {
        ordered_json a = {{"step", venv.total_steps()}};
        const auto snapshot = mixed.front()->snapshot();  // alive while items() refers into it
        for (const auto& [k, v] : snapshot.items()) a[k] = v;
        alpha_log.write_line(a.dump());
      }
    }
    if (!options.quiet && std::chrono::duration<double>(Clock::now() - last_progress).count() >= options.progress_seconds) {
      last_progress = Clock::now();
      const double left = sps > 0 ? static_cast<double>(config.steps - venv.total_steps()) / sps : 0.0;
      char buf[256];
      std::snprintf(buf, sizeof buf, "%5.1f%%  step %lld/%lld  episodes %lld  return(100) %s  %.0f steps/s  eta %s",
                    100.0 * static_cast<double>(venv.total_steps()) / static_cast<double>(config.steps),
                    static_cast<long long>(venv.total_steps()), static_cast<long long>(config.steps),
                    static_cast<long long>(venv.total_episodes()),
                    venv.recent_episodes().empty() ? "-" : std::to_string(venv.recent_mean_return()).c_str(), sps,
                    format_duration(left).c_str());
      log::info(buf);
    }
    if (config.checkpoint_every > 0 && venv.total_steps() - last_checkpoint >= config.checkpoint_every) {
      save();
      last_checkpoint = venv.total_steps();
    }
  }
  if (venv.total_steps() < config.steps) result.interrupted = true;
  save();
  metrics.close();
  alpha_log.close();

  result.steps = venv.total_steps();
  result.episodes = venv.total_episodes();
  result.recent_mean_return = venv.recent_mean_return();
  if (result.interrupted) {
    log::info("stopped at step " + std::to_string(result.steps) + "; continue with: rlnas train --resume " +
              options.run_dir);
    return result;
  }
  EvalOptions eval;
  eval.episodes = config.eval_episodes;
  eval.greedy = config.eval_greedy;
  eval.seed = eval_seed(config.seed);
  result.eval = evaluate([&](const torch::Tensor& obs) { return run.algo->act(obs, config.eval_greedy); },
                         run.make_env, eval);
  ordered_json e = {{"episodes", result.eval.returns.size()},
                    {"greedy", config.eval_greedy},
                    {"seed", eval.seed},
                    {"mean", result.eval.mean_return()},
                    {"std", result.eval.std_return()},
                    {"truncated", result.eval.truncated},
                    {"returns", result.eval.returns},
                    {"lengths", result.eval.lengths}};
  io::write_file_atomic((dir / kEvalFile).string(), e.dump(2) + "\n");
  return result;
}

}  // namespace rlnas::rl
