// The checker against a deliberately broken environment: each defect must be caught, with a
// message that says what was found and where.
#include "rlnas/env/checker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/env/registry.h"

namespace rlnas::env {
namespace {

enum class Defect {
  kNone,
  kShortObservation,
  kLongObservation,
  kOutOfBounds,
  kNotBool,
  kNanObservation,
  kInfReward,
  kThrowingStep,
  kEmptyActionSpec,
  kInvertedBounds,
  kUnboundedBoxAction,
  kNondeterministic,
  kForgetfulSnapshot,
};

// A 2x3 bool grid walker: position on a line of 6 cells; reaching cell 5 ends the episode.
class BrokenEnv final : public Env {
 public:
  explicit BrokenEnv(Defect defect) : defect_(defect) {
    obs_spec_ = {{2, 3}, DType::kBool, {0.0f}, {1.0f}};
    if (defect_ == Defect::kInvertedBounds) obs_spec_.low = {2.0f};
    action_spec_ = ActionSpec::discrete(defect_ == Defect::kEmptyActionSpec ? 0 : 3);
    if (defect_ == Defect::kUnboundedBoxAction) {
      action_spec_ = ActionSpec::continuous({1}, {-std::numeric_limits<float>::infinity()}, {1.0f});
    }
  }
  const ObservationSpec& observation_spec() const override { return obs_spec_; }
  const ActionSpec& action_spec() const override { return action_spec_; }
  void seed(uint32_t seed) override { rng_.seed(seed); }
  void reset() override {
    pos_ = static_cast<int>(rng_.randint(0, 3));
    if (defect_ == Defect::kNondeterministic) pos_ = (++global_counter_) % 3;
  }
  StepResult step(const Action& a) override {
    if (defect_ == Defect::kThrowingStep && a.index == 2) throw std::runtime_error("action 2 not supported");
    pos_ = std::clamp(pos_ + static_cast<int>(a.index) - 1 + (rng_.rand() < 0.2 ? 1 : 0), 0, 5);
    float reward = pos_ == 5 ? 1.0f : 0.0f;
    if (defect_ == Defect::kInfReward && pos_ == 4) reward = std::numeric_limits<float>::infinity();
    return {reward, pos_ == 5, false};
  }
  void write_observation(float* out) const override {
    const int n = defect_ == Defect::kShortObservation ? 5 : defect_ == Defect::kLongObservation ? 7 : 6;
    for (int i = 0; i < n; ++i) out[i] = i == pos_ ? 1.0f : 0.0f;
    if (defect_ == Defect::kOutOfBounds && pos_ == 3) out[3] = 3.0f;
    if (defect_ == Defect::kNotBool && pos_ == 2) out[2] = 0.5f;
    if (defect_ == Defect::kNanObservation && pos_ == 1) out[0] = std::nanf("");
  }
  void save_state(ByteWriter& out) const override {
    out.pod(rng_);
    if (defect_ != Defect::kForgetfulSnapshot) out.pod(pos_);
  }
  void load_state(ByteReader& in) override {
    in.pod(rng_);
    if (defect_ != Defect::kForgetfulSnapshot) in.pod(pos_);
  }
  std::string name() const override { return "test/broken"; }

 private:
  Defect defect_;
  ObservationSpec obs_spec_;
  ActionSpec action_spec_;
  Mt19937 rng_;
  int pos_ = 0;
  static inline int global_counter_ = 0;
};

CheckReport check(Defect defect) {
  BrokenEnv env(defect);
  return check_env(env, {.steps = 500, .seed = 1});
}

std::string message(const CheckReport& r, const std::string& check) {
  for (const auto& f : r.errors) {
    if (f.check == check) return f.message;
  }
  return "(no '" + check + "' error; report: " + r.to_string() + ")";
}

TEST(Checker, AcceptsAWellBehavedEnvironment) {
  const auto r = check(Defect::kNone);
  EXPECT_TRUE(r.ok()) << r.to_string();
  EXPECT_EQ(r.steps, 500);
  EXPECT_GT(r.episodes, 5);
}

TEST(Checker, CatchesObservationsShorterThanTheSpec) {
  const auto r = check(Defect::kShortObservation);
  EXPECT_NE(message(r, "shape").find("only 5 of 6 values were written (declared shape [2, 3])"), std::string::npos)
      << r.to_string();
}

TEST(Checker, CatchesObservationsLongerThanTheSpec) {
  const auto r = check(Defect::kLongObservation);
  EXPECT_NE(message(r, "shape").find("written past the end of the declared shape [2, 3] (6 values)"), std::string::npos)
      << r.to_string();
}

TEST(Checker, CatchesValuesOutsideTheBounds) {
  const auto r = check(Defect::kOutOfBounds);
  EXPECT_NE(message(r, "bounds").find("element [1, 0] = 3 is outside its declared bounds [0, 1]"), std::string::npos)
      << r.to_string();
}

TEST(Checker, CatchesValuesThatDoNotFitTheDtype) {
  const auto r = check(Defect::kNotBool);
  EXPECT_NE(message(r, "dtype").find("element [0, 2] = 0.5 is not a bool"), std::string::npos) << r.to_string();
}

TEST(Checker, CatchesNanObservations) {
  const auto r = check(Defect::kNanObservation);
  EXPECT_NE(message(r, "nan").find("element [0, 0] is NaN"), std::string::npos) << r.to_string();
}

TEST(Checker, CatchesNonFiniteRewards) {
  const auto r = check(Defect::kInfReward);
  EXPECT_NE(message(r, "reward").find(" is inf"), std::string::npos) << r.to_string();
}

TEST(Checker, ReportsStepsThatThrowOnValidActions) {
  const auto r = check(Defect::kThrowingStep);
  EXPECT_NE(message(r, "step").find("step(2) threw: action 2 not supported"), std::string::npos) << r.to_string();
}

TEST(Checker, RejectsActionSpecsThatDoNotFit) {
  EXPECT_NE(message(check(Defect::kEmptyActionSpec), "action_spec").find("discrete action count must be >= 1, got 0"),
            std::string::npos);
  EXPECT_NE(message(check(Defect::kUnboundedBoxAction), "action_spec").find("expected finite bounds for actions"),
            std::string::npos);
}

TEST(Checker, RejectsObservationSpecsWithInvertedBounds) {
  EXPECT_NE(message(check(Defect::kInvertedBounds), "observation_spec").find("are [2, 1], expected low <= high"),
            std::string::npos);
}

TEST(Checker, CatchesSeedingThatIsNotReproducible) {
  const auto r = check(Defect::kNondeterministic);
  EXPECT_NE(message(r, "determinism").find("gave different results"), std::string::npos) << r.to_string();
}

TEST(Checker, CatchesSnapshotsThatDoNotRestoreTheState) {
  const auto r = check(Defect::kForgetfulSnapshot);
  EXPECT_NE(message(r, "snapshot").find("did not reproduce the original continuation"), std::string::npos)
      << r.to_string();
}

TEST(Checker, EveryBuiltinEnvironmentPasses) {
  EnvRegistry registry;
  register_builtin_envs(registry);
  for (const auto& name : registry.names()) {
    auto env = registry.make(name);
    const auto r = check_env(*env, {.steps = 3000, .seed = 0});
    EXPECT_TRUE(r.ok()) << name << ": " << r.to_string();
  }
}

}  // namespace
}  // namespace rlnas::env
