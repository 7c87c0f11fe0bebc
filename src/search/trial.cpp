// Trials: description (cache key, cost), the in-process body, and the local child-process runner.
#include "rlnas/search/trial.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/log.h"
#include "rlnas/core/sha256.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/rl/workloads.h"
#include "rlnas/search/workload.h"
#include "rlnas/data/idx.h"
#include "rlnas/vision/classifier.h"
#include "rlnas/space/architecture.h"
#include "rlnas/space/cost.h"
#include "rlnas/space/space.h"

namespace rlnas::search {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The last `lines` lines of a file (the error a failed trial printed).
std::string tail_lines(const fs::path& path, size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) all.push_back(line);
  }
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += (out.empty() ? "" : " | ") + all[i];
  }
  return out;
}

// A mixed supernet's arch.* options: part of its training's key. The options added later
// (arch.order, arch.weight_decay) only where they differ from what every earlier training did, so
// that the keys of earlier stores stay as they were.
json arch_key_options(const ordered_json& resolved) {
  json out = json::object();
  for (const auto& [k, v] : resolved.items()) {
    if (k.rfind("arch.", 0) != 0) continue;
    if (k == "arch.order" && v == 1) continue;
    if (k == "arch.weight_decay" && v == 0.0) continue;
    out[k] = json::parse(v.dump());
  }
  return out;
}

// A supervised trial: the dataset (an idx: folder with the SHA-256 of its files) in place of the
// environment, the optimizer "sgd" with the supervised.* options (but for where checkpoints fall)
// in place of an algorithm; a mixed supernet's arch.* options with them. supervised.grad_clip, added
// later, as the clip in effect and only where there is one (none was every earlier trial's meaning,
// and their keys stay as they were).
store::CacheKeyParts supervised_key_parts(const rl::TrainConfig& config, const ordered_json& resolved) {
  store::CacheKeyParts key;
  key.env = config.supervised.dataset;
  if (config.supervised.dataset.rfind("idx:", 0) == 0) key.env_source_sha256 = data::dataset_sha256(config.supervised.dataset);
  key.algo = "sgd";
  key.algo_options["workload"] = config.workload;
  for (const auto& [k, v] : resolved.items()) {
    if (k == "supervised.checkpoint_batches" || k == "supervised.grad_clip") continue;
    if (k.rfind("supervised.", 0) == 0) key.algo_options[k] = json::parse(v.dump());
  }
  if (config.net.is_mixed()) key.algo_options.update(arch_key_options(resolved));
  if (const double clip = config.supervised.clip(config.net.is_supernet()); clip > 0) {
    key.algo_options["supervised.grad_clip"] = clip;
  }
  const auto& net = config.net;
  if (net.kind() != rl::NetworkSpec::Kind::backbone) {
    key.space = net.space();
    key.space_version = space::find_space(net.space()).version();
  }
  key.architecture = net.cache_architecture(json::object());
  key.seed = config.seed;
  key.budget = config.steps;
  return key;
}

}  // namespace

store::CacheKeyParts cache_key_parts(const rl::TrainConfig& config, const env::EnvRegistry& envs) {
  const ordered_json resolved = config.to_json();
  store::CacheKeyParts key;
  const auto& workload = rl::workload_of(config);
  if (workload.kind == rl::WorkloadKind::supervised) return supervised_key_parts(config, resolved);
  key.env = config.rl.env;
  key.env_source_sha256 = config.rl.env_source_sha256;
  for (const auto& o : envs.options(config.rl.env)) {
    const auto given = config.rl.env_options.find(o.key);
    key.env_options[o.key] = given != config.rl.env_options.end() ? given->second : o.default_value;
  }
  // A family's environments (py:, gym:) declare no options: every one given is part of the key.
  for (const auto& [k, v] : config.rl.env_options) {
    if (!key.env_options.contains(k)) key.env_options[k] = v;
  }
  key.algo = config.rl.algo;
  for (const auto& [k, v] : resolved.items()) {
    if (k.rfind(config.rl.algo + ".", 0) == 0) key.algo_options[k] = json::parse(v.dump());
  }
  if (config.rl.distill.enabled()) {
    for (const auto& [k, v] : resolved.items()) {
      if (k.rfind("distill.", 0) == 0) key.algo_options[k] = json::parse(v.dump());
    }
  }
  const auto& net = config.net;
  if (net.kind() != rl::NetworkSpec::Kind::backbone) {
    key.space = net.space();
    key.space_version = space::find_space(net.space()).version();
  }
  // A mixed supernet's training is also defined by arch.*.
  key.architecture = net.cache_architecture(net.is_mixed() ? arch_key_options(resolved) : json::object());
  key.seed = config.seed;
  key.budget = config.steps;
  if (workload.kind != rl::WorkloadKind::rl) {
    // Another workload is another training: its options are part of the key (rl trials keep the
    // keys stores have always held).
    key.algo_options["workload"] = config.workload;
    for (const auto& [k, v] : resolved.items()) {
      if (k.rfind(workload.option_prefix, 0) == 0) key.algo_options[k] = json::parse(v.dump());
    }
  }
  return key;
}

store::TrialRecord describe_trial(const rl::TrainConfig& config, const env::EnvRegistry& envs, bool with_cost) {
  const auto key = cache_key_parts(config, envs);
  store::TrialRecord t;
  t.space = key.space;
  const bool one_arch = config.net.kind() == rl::NetworkSpec::Kind::architecture;
  t.architecture = one_arch ? config.net.arch().canonical_json() : key.architecture.dump();
  t.arch_id = one_arch ? config.net.arch().id() : sha256_hex(t.architecture);
  t.cache_key = store::trial_cache_key(key);
  t.seed = config.seed;
  t.budget = config.steps;
  // A supernet is many architectures: no single figure; the synthetic workload builds no network.
  if (with_cost && !config.is_supernet() && rl::workload_of(config).builds_network) {
    try {
      const auto shape = make_workload(config, envs)->input_shape();
      nn::Backbone net = nn::make_backbone(config.net.net_options({}), shape);
      const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };
      const auto cost = space::measure_cost(*net, forward, shape);
      t.params = cost.params;
      t.flops = cost.flops();
      // Batch 1, this process's torch threads, on whatever else the machine is doing now.
      t.latency_ms = space::measure_latency(forward, shape, /*batch=*/1, /*repeats=*/10, /*warmup=*/2).batch1_ms;
    } catch (const std::exception&) {
      // training reports why it cannot be built
    }
  }
  return t;
}

std::string network_label(const store::TrialRecord& t) {
  try {
    const auto spec = rl::NetworkSpec::from_cache_architecture(json::parse(t.architecture));
    switch (spec.kind()) {
      case rl::NetworkSpec::Kind::backbone:
        return "net:" + spec.backbone_options().name;
      case rl::NetworkSpec::Kind::supernet:
        return spec.label();
      case rl::NetworkSpec::Kind::architecture:
        for (const auto& named : space::named_architectures()) {
          if (named.arch.id() == t.arch_id) return named.name;
        }
        break;
    }
  } catch (const std::exception&) {  // an architecture of a space this rlnas does not know
  }
  return "arch " + t.arch_id.substr(0, 12);
}

bool run_trial(const std::string& run_dir, const env::EnvRegistry& envs, const std::atomic<bool>* stop) {
  const auto config = rl::load_run_config(run_dir, envs);
  return make_workload(config, envs)->run_trial(config, run_dir, stop);
}

std::optional<TrialResult> read_trial_result(const std::string& run_dir) {
  std::ifstream in(fs::path(run_dir) / kResultFile);
  if (!in) return std::nullopt;
  try {
    const auto j = ordered_json::parse(in);
    TrialResult r;
    r.interrupted = j.at("interrupted").get<bool>();
    r.steps = j.at("steps").get<int64_t>();
    r.metrics = j.at("metrics");
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<store::CurvePoint> read_curve(const std::string& run_dir) {
  std::vector<store::CurvePoint> points;
  std::ifstream in(fs::path(run_dir) / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    try {
      check_json_depth(line, "metrics.jsonl");
      auto j = ordered_json::parse(line);
      const int64_t step = j.at("step").get<int64_t>();
      j.erase("step");
      points.push_back({step, std::move(j)});
    } catch (const std::exception&) {
    }
  }
  return points;
}

AlphaRecord read_alpha_record(const std::string& run_dir) {
  const auto path = (fs::path(run_dir) / "alpha.jsonl").string();
  std::ifstream in(path);
  if (!in) return {};
  ordered_json sequence = ordered_json::array(), series = ordered_json::array();
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      auto j = parse_ordered_json_input(line, "line");
      const auto arch = space::Architecture::from_json(j.at("arch"));
      if (sequence.empty() || sequence.back().at("id") != arch.id()) {
        sequence.push_back(
            {{"id", arch.id()}, {"arch", arch.to_json()}, {"first_step", j.at("step")}, {"last_step", j.at("step")}});
      } else {
        sequence.back()["last_step"] = j.at("step");
      }
      series.push_back(std::move(j));
    } catch (const std::exception& e) {
      throw Error(path + ":" + std::to_string(number) + ": not an alpha snapshot: " + e.what());
    }
  }
  if (series.empty()) return {};
  ordered_json thinned = ordered_json::array();
  const size_t stride = std::max<size_t>(1, (series.size() + 199) / 200);
  for (size_t i = 0; i < series.size(); ++i) {
    if (i % stride == 0 || i + 1 == series.size()) thinned.push_back(series[i]);
  }
  return {{{"snapshots", thinned}}, sequence};
}

std::string self_executable() {
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find this program's executable (/proc/self/exe): " + ec.message());
  return p.string();
}

LocalRunner::LocalRunner(std::string executable, size_t jobs, std::vector<std::string> extra_args,
                         double timeout_seconds)
    : executable_(std::move(executable)),
      jobs_(jobs),
      timeout_seconds_(timeout_seconds),
      extra_args_(std::move(extra_args)) {
  if (jobs_ < 1) throw Error("jobs: expected at least 1, found " + std::to_string(jobs_));
  if (!fs::exists(executable_)) throw Error("trial runner: executable '" + executable_ + "' does not exist");
}

LocalRunner::~LocalRunner() {
  for (const auto& c : children_) ::kill(c.pid, SIGKILL);
  for (const auto& c : children_) ::waitpid(c.pid, nullptr, 0);
}

void LocalRunner::start(int64_t trial_id, const std::string& run_dir) {
  if (children_.size() >= jobs_) throw Error("trial runner: all " + std::to_string(jobs_) + " slots are busy");
  std::vector<std::string> args{executable_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  args.push_back("run-trial");
  args.push_back(run_dir);
  const std::string log_path = (fs::path(run_dir) / kTrialLog).string();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("trial runner: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    // Child: its own process group (a terminal's Ctrl-C reaches only the search, which forwards
    // one SIGINT: a second would kill the trial before its checkpoint); die with the parent;
    // output to trial.log; exec the trial.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(executable_.c_str(), argv.data());
    std::fprintf(stderr, "error: cannot run %s: %s\n", executable_.c_str(), std::strerror(errno));
    ::_exit(126);
  }
  children_.push_back({pid, trial_id, run_dir, now_seconds()});
}

std::optional<TrialExit> LocalRunner::wait(double timeout_seconds) {
  const double deadline = now_seconds() + timeout_seconds;
  if (children_.empty()) {  // nothing can end: wait out the timeout rather than let a caller spin
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.0, timeout_seconds)));
    return std::nullopt;
  }
  while (!children_.empty()) {
    if (timeout_seconds_ > 0) {
      for (auto& c : children_) {
        if (!c.timed_out && now_seconds() - c.started > timeout_seconds_) {
          c.timed_out = true;
          ::kill(-c.pid, SIGKILL);  // its process group: a Python environment's helpers too
          ::kill(c.pid, SIGKILL);
        }
      }
    }
    for (size_t i = 0; i < children_.size(); ++i) {
      int status = 0;
      const pid_t r = ::waitpid(children_[i].pid, &status, WNOHANG);
      if (r == 0) continue;
      const Child c = children_[i];
      children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
      TrialExit e;
      e.trial_id = c.trial_id;
      e.seconds = now_seconds() - c.started;
      const auto log_path = fs::path(c.run_dir) / kTrialLog;
      if (r < 0) {
        e.reason = std::string("waitpid failed: ") + std::strerror(errno);
      } else if (c.timed_out) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "ran past search.trial_timeout (%g s) and was killed; see ", timeout_seconds_);
        e.reason = buf + log_path.string();
      } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        const auto result = read_trial_result(c.run_dir);
        if (!result) {
          e.reason = "the trial process exited without writing " + std::string(kResultFile);
        } else {
          e.kind = result->interrupted ? TrialExit::Kind::stopped : TrialExit::Kind::done;
        }
      } else if (WIFEXITED(status) && WEXITSTATUS(status) == 130) {
        // Interrupted (SIGINT or SIGTERM): it checkpointed, and running it again resumes it.
        e.kind = TrialExit::Kind::stopped;
        e.reason = "interrupted";
      } else if (WIFEXITED(status)) {
        e.reason = "exit status " + std::to_string(WEXITSTATUS(status)) + ": " + tail_lines(log_path, 2);
      } else if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGTERM || WTERMSIG(status) == SIGINT)) {
        // Interrupted before it could install its handlers (while starting): resumable, not failed.
        e.kind = TrialExit::Kind::stopped;
        e.reason = std::string("interrupted by ") + ::strsignal(WTERMSIG(status)) + " while starting";
      } else if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        e.reason = std::string("killed by signal ") + std::to_string(sig) + " (" + ::strsignal(sig) + ")" +
                   (sig == SIGKILL ? "; out of memory?" : "") + "; see " + log_path.string();
      }
      return e;
    }
    if (now_seconds() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

void LocalRunner::interrupt() {
  for (const auto& c : children_) ::kill(c.pid, SIGINT);
}

void InProcessRunner::start(int64_t trial_id, const std::string& run_dir) {
  if (queued_) throw Error("in-process runner: one trial at a time");
  queued_ = {trial_id, run_dir};
}

std::optional<TrialExit> InProcessRunner::wait(double) {
  if (!queued_) return std::nullopt;
  const auto [id, dir] = *queued_;
  queued_.reset();
  TrialExit e;
  e.trial_id = id;
  const double start = now_seconds();
  try {
    run_trial(dir, envs_);
    const auto result = read_trial_result(dir);
    if (!result) {
      e.reason = "the trial wrote no " + std::string(kResultFile);
    } else {
      e.kind = result->interrupted ? TrialExit::Kind::stopped : TrialExit::Kind::done;
    }
  } catch (const std::exception& ex) {
    e.kind = TrialExit::Kind::failed;
    e.reason = ex.what();
  }
  e.seconds = now_seconds() - start;
  return e;
}

}  // namespace rlnas::search
