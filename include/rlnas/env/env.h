// The environment interface: reset/step with Gymnasium semantics (terminated and truncated kept
// apart), observations written into a caller-owned float buffer, complete snapshot/restore.
//
//   seed(s) -> reset() -> [write_observation(buf) -> step(action)]* ...
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "rlnas/core/bytes.h"
#include "rlnas/env/spec.h"

namespace rlnas::env {

// One action: an index for discrete action specs, a span of action_spec().dim() floats for boxes.
struct Action {
  int64_t index = 0;
  std::span<const float> values;

  static Action discrete(int64_t index) { return Action{index, {}}; }
  static Action continuous(std::span<const float> values) { return Action{0, values}; }
};

struct StepResult {
  float reward = 0.0f;
  bool terminated = false;  // the task itself ended (no bootstrapping past it)
  bool truncated = false;   // cut from outside, e.g. a time limit (bootstrap from the last obs)
  bool done() const { return terminated || truncated; }
};

class Env {
 public:
  virtual ~Env() = default;

  virtual const ObservationSpec& observation_spec() const = 0;
  virtual const ActionSpec& action_spec() const = 0;

  // Re-seeds the environment's random-number generator. Does not reset the episode.
  virtual void seed(uint32_t seed) = 0;
  // Starts a new episode. Never re-seeds: the generator stream continues.
  virtual void reset() = 0;
  virtual StepResult step(const Action& action) = 0;
  // Writes the current observation: exactly observation_spec().numel() floats, row-major.
  virtual void write_observation(float* out) const = 0;

  // Complete state (game, generator, counters, sticky action...), enough to resume exactly.
  virtual void save_state(ByteWriter& out) const = 0;
  virtual void load_state(ByteReader& in) = 0;

  // Whether save_state/load_state capture the environment (a Python environment that pickle
  // cannot serialize does not). Without, checkpoints hold no state of it: a resumed run starts new
  // episodes there (not exact), and the checker reports snapshots as unsupported.
  virtual bool supports_snapshots() const { return true; }

  // Human-readable identity used in snapshots and messages, e.g. "minatar/breakout".
  virtual std::string name() const = 0;

  // Snapshot as bytes, tagged with name(); restore() rejects a snapshot of another environment.
  std::string snapshot() const;
  void restore(std::string_view snapshot);
};

}  // namespace rlnas::env
