// TimeLimit wrapper.
#include "rlnas/env/time_limit.h"

#include "rlnas/core/error.h"

namespace rlnas::env {

TimeLimit::TimeLimit(std::unique_ptr<Env> inner, int64_t max_steps) : inner_(std::move(inner)), max_steps_(max_steps) {
  if (max_steps_ <= 0) {
    throw Error("TimeLimit: max_steps must be positive, got " + std::to_string(max_steps_));
  }
}

void TimeLimit::reset() {
  inner_->reset();
  elapsed_ = 0;
}

StepResult TimeLimit::step(const Action& action) {
  StepResult result = inner_->step(action);
  ++elapsed_;
  if (elapsed_ >= max_steps_ && !result.terminated) result.truncated = true;
  return result;
}

void TimeLimit::save_state(ByteWriter& out) const {
  out.pod(elapsed_);
  inner_->save_state(out);
}

void TimeLimit::load_state(ByteReader& in) {
  in.pod(elapsed_);
  inner_->load_state(in);
}

Env& unwrap(Env& env) {
  Env* e = &env;
  while (auto* limited = dynamic_cast<TimeLimit*>(e)) e = &limited->inner();
  return *e;
}

}  // namespace rlnas::env
