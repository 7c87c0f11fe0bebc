// Time-limit wrapper: after max_steps steps of an episode it reports truncated (never
// terminated), as Gymnasium's TimeLimit. A step that terminates the task is not also truncated.
#pragma once

#include <memory>

#include "rlnas/env/env.h"

namespace rlnas::env {

class TimeLimit final : public Env {
 public:
  TimeLimit(std::unique_ptr<Env> inner, int64_t max_steps);

  const ObservationSpec& observation_spec() const override { return inner_->observation_spec(); }
  const ActionSpec& action_spec() const override { return inner_->action_spec(); }
  void seed(uint32_t seed) override { inner_->seed(seed); }
  void reset() override;
  StepResult step(const Action& action) override;
  void write_observation(float* out) const override { inner_->write_observation(out); }
  void save_state(ByteWriter& out) const override;
  void load_state(ByteReader& in) override;
  bool supports_snapshots() const override { return inner_->supports_snapshots(); }
  std::string name() const override { return inner_->name(); }

  Env& inner() { return *inner_; }
  const Env& inner() const { return *inner_; }
  int64_t max_steps() const { return max_steps_; }
  int64_t elapsed_steps() const { return elapsed_; }

 private:
  std::unique_ptr<Env> inner_;
  int64_t max_steps_;
  int64_t elapsed_ = 0;
};

// The innermost environment below any TimeLimit wrappers.
Env& unwrap(Env& env);

}  // namespace rlnas::env
