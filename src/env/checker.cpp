// Environment checker: steps an environment with random actions and reports broken promises.
#include "rlnas/env/checker.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <exception>
#include <sstream>

#include "rlnas/core/rng.h"

namespace rlnas::env {

namespace {

// A NaN with a payload no arithmetic produces: marks buffer elements the env did not write.
constexpr uint32_t kSentinelBits = 0x7fa5a5a5u;
constexpr int kGuard = 64;  // floats after the declared size, to catch writes past the end
constexpr int kReplaySteps = 64;

bool is_sentinel(float v) { return std::bit_cast<uint32_t>(v) == kSentinelBits; }

std::string fmt(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string index_string(int64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return shape_to_string(idx);
}

class Checker {
 public:
  Checker(Env& env, const CheckOptions& options) : env_(env), options_(options), action_rng_(options.seed + 1) {}

  CheckReport run() {
    if (!check_specs()) return std::move(report_);
    const auto& spec = env_.observation_spec();
    numel_ = spec.numel();
    buffer_.resize(static_cast<size_t>(numel_ + kGuard));
    if (!guarded([&] { env_.seed(options_.seed); }, "seed", "seed(" + std::to_string(options_.seed) + ")")) {
      return std::move(report_);
    }
    if (!guarded([&] { env_.reset(); }, "reset", "reset()")) return std::move(report_);
    observe("reset()");
    random_steps();
    check_determinism();
    check_snapshot();
    return std::move(report_);
  }

 private:
  void error(const std::string& check, const std::string& message) { add(report_.errors, check, message); }
  void warning(const std::string& check, const std::string& message) { add(report_.warnings, check, message); }
  static void add(std::vector<CheckFinding>& list, const std::string& check, const std::string& message) {
    for (auto& f : list) {
      if (f.check == check) {
        ++f.count;
        return;
      }
    }
    list.push_back({check, message, 1});
  }

  template <class F>
  bool guarded(F&& f, const std::string& check, const std::string& what) {
    try {
      f();
      return true;
    } catch (const std::exception& e) {
      error(check, what + " threw: " + e.what());
    } catch (...) {
      error(check, what + " threw a non-standard exception");
    }
    return false;
  }

  bool check_box(const BoxSpec& box, const std::string& what, const std::string& check, bool need_finite) {
    bool ok = true;
    for (auto d : box.shape) {
      if (d <= 0) {
        error(check, what + ": shape " + shape_to_string(box.shape) + " has a non-positive dimension");
        return false;
      }
    }
    const int64_t n = box.numel();
    for (const auto* bounds : {&box.low, &box.high}) {
      const char* name = bounds == &box.low ? "low" : "high";
      if (bounds->size() != 1 && static_cast<int64_t>(bounds->size()) != n) {
        error(check, what + ": " + name + " has " + std::to_string(bounds->size()) + " values, expected 1 or " +
                         std::to_string(n) + " (one per element of shape " + shape_to_string(box.shape) + ")");
        ok = false;
      }
    }
    if (!ok) return false;
    for (int64_t i = 0; i < n; ++i) {
      const float lo = box.low_at(i), hi = box.high_at(i);
      if (std::isnan(lo) || std::isnan(hi) || lo > hi) {
        error(check, what + ": bounds of element " + index_string(i, box.shape) + " are [" + fmt(lo) + ", " + fmt(hi) +
                         "], expected low <= high");
        return false;
      }
      if (need_finite && (!std::isfinite(lo) || !std::isfinite(hi))) {
        error(check, what + ": bounds of element " + index_string(i, box.shape) + " are [" + fmt(lo) + ", " + fmt(hi) +
                         "], expected finite bounds for actions");
        return false;
      }
    }
    return true;
  }

  bool check_specs() {
    bool ok = check_box(env_.observation_spec(), "observation spec", "observation_spec", false);
    const auto& a = env_.action_spec();
    if (a.is_discrete()) {
      if (a.n < 1) {
        error("action_spec", "action spec: discrete action count must be >= 1, got " + std::to_string(a.n));
        ok = false;
      }
    } else {
      ok = check_box(a.box, "action spec", "action_spec", true) && ok;
      if (!a.box.shape.empty() && a.box.dtype != DType::kFloat32) {
        error("action_spec", "action spec: continuous actions must be float32, declared " + to_string(a.box.dtype));
        ok = false;
      }
    }
    return ok;
  }

  // Writes the observation into a sentinel-filled buffer and checks size, values and dtype.
  void observe(const std::string& where) {
    const auto& spec = env_.observation_spec();
    for (auto& v : buffer_) v = std::bit_cast<float>(kSentinelBits);
    if (!guarded([&] { env_.write_observation(buffer_.data()); }, "observation",
                 "write_observation() after " + where)) {
      return;
    }
    for (int g = 0; g < kGuard; ++g) {
      if (!is_sentinel(buffer_[static_cast<size_t>(numel_ + g)])) {
        error("shape", "observation after " + where + ": written past the end of the declared shape " +
                           shape_to_string(spec.shape) + " (" + std::to_string(numel_) + " values)");
        break;
      }
    }
    int64_t unwritten = 0;
    for (int64_t i = 0; i < numel_; ++i) unwritten += is_sentinel(buffer_[static_cast<size_t>(i)]);
    if (unwritten > 0) {
      error("shape", "observation after " + where + ": only " + std::to_string(numel_ - unwritten) + " of " +
                         std::to_string(numel_) + " values were written (declared shape " +
                         shape_to_string(spec.shape) + ")");
      return;
    }
    for (int64_t i = 0; i < numel_; ++i) {
      const float v = buffer_[static_cast<size_t>(i)];
      const std::string at = "observation after " + where + ": element " + index_string(i, spec.shape);
      if (std::isnan(v)) {
        error("nan", at + " is NaN");
        continue;
      }
      if (std::isinf(v)) {
        error("nan", at + " is " + fmt(v));
        continue;
      }
      if (spec.dtype == DType::kBool && v != 0.0f && v != 1.0f) {
        error("dtype", at + " = " + fmt(v) + " is not a bool (declared dtype bool: expected 0 or 1)");
      } else if (spec.dtype == DType::kUInt8 && (v != std::floor(v) || v < 0.0f || v > 255.0f)) {
        error("dtype", at + " = " + fmt(v) + " is not a uint8 (declared dtype uint8: expected an integer 0..255)");
      }
      if (v < spec.low_at(i) || v > spec.high_at(i)) {
        error("bounds", at + " = " + fmt(v) + " is outside its declared bounds [" + fmt(spec.low_at(i)) + ", " +
                            fmt(spec.high_at(i)) + "]");
      }
    }
  }

  // One random action from the action spec (a fresh span into action_values_).
  Action random_action(std::string* text) {
    const auto& a = env_.action_spec();
    if (a.is_discrete()) {
      const int64_t index = action_rng_.randint(0, a.n);
      if (text) *text = std::to_string(index);
      return Action::discrete(index);
    }
    action_values_.resize(static_cast<size_t>(a.dim()));
    for (int64_t i = 0; i < a.dim(); ++i) {
      action_values_[static_cast<size_t>(i)] =
          static_cast<float>(action_rng_.uniform(a.box.low_at(i), a.box.high_at(i)));
    }
    if (text) {
      *text = "[";
      for (size_t i = 0; i < action_values_.size(); ++i) *text += (i ? ", " : "") + fmt(action_values_[i]);
      *text += "]";
    }
    return Action::continuous(action_values_);
  }

  void random_steps() {
    report_.steps_asked = options_.steps;
    int64_t episode_step = 0;
    const int limit = std::max(options_.steps, options_.steps_to_end_an_episode);
    for (int t = 1; t <= options_.steps || (report_.episodes == 0 && t <= limit); ++t) {
      std::string text;
      const Action action = random_action(&text);
      StepResult r;
      const std::string where = "step " + std::to_string(t) + " (episode " + std::to_string(report_.episodes + 1) +
                                ", step " + std::to_string(episode_step + 1) + ")";
      if (!guarded([&] { r = env_.step(action); }, "step", where + ": step(" + text + ")")) {
        guarded([&] { env_.reset(); }, "reset", "reset()");
        episode_step = 0;
        continue;
      }
      ++report_.steps;
      ++episode_step;
      if (!std::isfinite(r.reward)) error("reward", "reward at " + where + " is " + fmt(r.reward));
      if (r.terminated && r.truncated) {
        warning("flags", where + ": both terminated and truncated are set; learners treat it as terminated");
      }
      observe(where);
      if (r.done()) {
        ++report_.episodes;
        episode_step = 0;
        if (!guarded([&] { env_.reset(); }, "reset", "reset() after episode " + std::to_string(report_.episodes))) {
          return;
        }
        observe("reset() after episode " + std::to_string(report_.episodes));
      }
    }
    if (report_.episodes == 0) {
      warning("episodes", "no episode ended in " + std::to_string(report_.steps) +
                              " random steps; is there a time limit (max_steps)?");
    }
  }

  // A replay: per step the result and the observation.
  struct Trace {
    std::vector<StepResult> results;
    std::vector<float> observations;
  };

  bool record(const std::vector<Action>& actions, Trace& trace) {
    trace = {};
    return guarded(
        [&] {
          std::vector<float> obs(static_cast<size_t>(numel_));
          env_.write_observation(obs.data());
          trace.observations.insert(trace.observations.end(), obs.begin(), obs.end());
          for (const auto& a : actions) {
            StepResult r = env_.step(a);
            if (r.done()) env_.reset();
            env_.write_observation(obs.data());
            trace.results.push_back(r);
            trace.observations.insert(trace.observations.end(), obs.begin(), obs.end());
          }
        },
        "replay", "replaying fixed actions");
  }

  // First difference between two replays, or "" if identical.
  std::string difference(const Trace& a, const Trace& b) const {
    for (size_t t = 0; t < a.results.size() && t < b.results.size(); ++t) {
      const auto &x = a.results[t], &y = b.results[t];
      if (std::bit_cast<uint32_t>(x.reward) != std::bit_cast<uint32_t>(y.reward) || x.terminated != y.terminated ||
          x.truncated != y.truncated) {
        return "step " + std::to_string(t + 1) + ": reward/terminated/truncated " + fmt(x.reward) + "/" +
               std::to_string(x.terminated) + "/" + std::to_string(x.truncated) + " vs " + fmt(y.reward) + "/" +
               std::to_string(y.terminated) + "/" + std::to_string(y.truncated);
      }
    }
    for (size_t i = 0; i < a.observations.size() && i < b.observations.size(); ++i) {
      if (std::bit_cast<uint32_t>(a.observations[i]) != std::bit_cast<uint32_t>(b.observations[i])) {
        const auto step = static_cast<int64_t>(i) / numel_;
        return "observation " +
               (step == 0 ? std::string("before the first step") : "after step " + std::to_string(step)) +
               ", element " + index_string(static_cast<int64_t>(i) % numel_, env_.observation_spec().shape) + ": " +
               fmt(a.observations[i]) + " vs " + fmt(b.observations[i]);
      }
    }
    return "";
  }

  std::vector<Action> fixed_actions() {
    // Continuous actions need stable storage for their spans.
    const auto& a = env_.action_spec();
    fixed_values_.assign(static_cast<size_t>(kReplaySteps * std::max<int64_t>(a.dim(), 1)), 0.0f);
    std::vector<Action> actions;
    for (int t = 0; t < kReplaySteps; ++t) {
      Action action = random_action(nullptr);
      if (!a.is_discrete()) {
        auto* dst = fixed_values_.data() + t * a.dim();
        std::memcpy(dst, action_values_.data(), sizeof(float) * static_cast<size_t>(a.dim()));
        action = Action::continuous({dst, static_cast<size_t>(a.dim())});
      }
      actions.push_back(action);
    }
    return actions;
  }

  void check_determinism() {
    if (!report_.errors.empty()) return;
    const auto actions = fixed_actions();
    Trace first, second;
    const uint32_t seed = options_.seed + 12345;
    bool ok = guarded(
                  [&] {
                    env_.seed(seed);
                    env_.reset();
                  },
                  "determinism", "seed() + reset()") &&
              record(actions, first) &&
              guarded(
                  [&] {
                    env_.seed(seed);
                    env_.reset();
                  },
                  "determinism", "seed() + reset()") &&
              record(actions, second);
    if (!ok) return;
    const std::string diff = difference(first, second);
    if (!diff.empty()) {
      error("determinism", "seed(" + std::to_string(seed) + ") + reset() followed by the same " +
                               std::to_string(kReplaySteps) + " actions gave different results: " + diff);
    }
  }

  void check_snapshot() {
    if (!report_.errors.empty()) return;
    if (!env_.supports_snapshots()) {
      warning("snapshot",
              "snapshots: unsupported by this environment (checkpoints hold no state of it; a resumed "
              "run starts new episodes there, so resume is not exact)");
      return;
    }
    const auto actions = fixed_actions();
    std::string snapshot;
    Trace first, second;
    bool ok = guarded([&] { snapshot = env_.snapshot(); }, "snapshot", "snapshot()") && record(actions, first) &&
              guarded([&] { env_.restore(snapshot); }, "snapshot", "restore(snapshot())") && record(actions, second);
    if (!ok) return;
    const std::string diff = difference(first, second);
    if (!diff.empty()) {
      error("snapshot", "restore(snapshot()) followed by the same " + std::to_string(kReplaySteps) +
                            " actions did not reproduce the original continuation: " + diff);
    }
  }

  Env& env_;
  CheckOptions options_;
  Mt19937 action_rng_;
  CheckReport report_;
  int64_t numel_ = 0;
  std::vector<float> buffer_;
  std::vector<float> action_values_;
  std::vector<float> fixed_values_;
};

}  // namespace

bool CheckReport::has_error(const std::string& check) const {
  for (const auto& f : errors) {
    if (f.check == check) return true;
  }
  return false;
}

std::string CheckReport::to_string() const {
  std::ostringstream os;
  for (const auto& f : errors) {
    os << "error [" << f.check << "] " << f.message;
    if (f.count > 1) os << " (and " << f.count - 1 << " more like it)";
    os << "\n";
  }
  for (const auto& f : warnings) {
    os << "warning [" << f.check << "] " << f.message;
    if (f.count > 1) os << " (and " << f.count - 1 << " more like it)";
    os << "\n";
  }
  os << (ok() ? "ok" : "FAILED") << ": " << steps << " steps";
  if (steps > steps_asked && steps_asked > 0) {
    os << " (" << steps_asked << " asked; stepping went on until an episode ended)";
  }
  os << ", " << episodes << " episodes, " << errors.size() << " error classes, " << warnings.size()
     << " warning classes\n";
  return os.str();
}

CheckReport check_env(Env& env, const CheckOptions& options) { return Checker(env, options).run(); }

}  // namespace rlnas::env
