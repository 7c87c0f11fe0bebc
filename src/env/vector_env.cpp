// VectorEnv: batched stepping into preallocated tensors, auto-reset, episode statistics.
#include "rlnas/env/vector_env.h"

#include <ATen/ATen.h>

#include "rlnas/core/error.h"

namespace rlnas::env {

VectorEnv::VectorEnv(const Factory& make_env, int num_envs, uint32_t seed, int recent_window)
    : seed_(seed), recent_window_(recent_window) {
  if (num_envs < 1) throw Error("VectorEnv: num_envs must be >= 1, got " + std::to_string(num_envs));
  if (recent_window < 1) {
    throw Error("VectorEnv: recent_window must be >= 1, got " + std::to_string(recent_window));
  }
  for (int i = 0; i < num_envs; ++i) {
    envs_.push_back(make_env());
    if (envs_.back()->observation_spec().shape != envs_[0]->observation_spec().shape) {
      throw Error("VectorEnv: environment " + std::to_string(i) + " has observation shape " +
                  shape_to_string(envs_.back()->observation_spec().shape) + ", environment 0 has " +
                  shape_to_string(envs_[0]->observation_spec().shape));
    }
  }
  const ObservationSpec& spec = observation_spec();
  obs_numel_ = spec.numel();
  std::vector<int64_t> shape{num_envs};
  shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
  const auto f32 = at::TensorOptions().dtype(at::kFloat);
  obs_ = at::zeros(shape, f32);
  final_obs_ = at::zeros(shape, f32);
  rewards_ = at::zeros({num_envs}, f32);
  terminated_ = at::zeros({num_envs}, at::TensorOptions().dtype(at::kBool));
  truncated_ = at::zeros({num_envs}, at::TensorOptions().dtype(at::kBool));
  obs_data_ = obs_.data_ptr<float>();
  final_obs_data_ = final_obs_.data_ptr<float>();
  rewards_data_ = rewards_.data_ptr<float>();
  terminated_data_ = terminated_.data_ptr<bool>();
  truncated_data_ = truncated_.data_ptr<bool>();
  running_return_.assign(static_cast<size_t>(num_envs), 0.0);
  running_length_.assign(static_cast<size_t>(num_envs), 0);
  finished_.reserve(static_cast<size_t>(num_envs));
  for (int i = 0; i < num_envs; ++i) envs_[static_cast<size_t>(i)]->seed(seed + static_cast<uint32_t>(i));
  reset();
}

void VectorEnv::reset() {
  for (int i = 0; i < num_envs(); ++i) {
    envs_[static_cast<size_t>(i)]->reset();
    envs_[static_cast<size_t>(i)]->write_observation(obs_row(i));
    running_return_[static_cast<size_t>(i)] = 0.0;
    running_length_[static_cast<size_t>(i)] = 0;
  }
  rewards_.zero_();
  terminated_.zero_();
  truncated_.zero_();
  finished_.clear();
}

void VectorEnv::after_step(int i, const StepResult& result) {
  const auto k = static_cast<size_t>(i);
  rewards_data_[i] = result.reward;
  terminated_data_[i] = result.terminated;
  truncated_data_[i] = result.truncated;
  running_return_[k] += result.reward;
  running_length_[k] += 1;
  reward_sum_ += result.reward;
  Env& env = *envs_[k];
  if (!result.done()) {
    env.write_observation(obs_row(i));
    return;
  }
  env.write_observation(final_obs_data_ + static_cast<int64_t>(i) * obs_numel_);
  Episode episode{running_return_[k], running_length_[k], !result.terminated, i};
  finished_.push_back(episode);
  recent_.push_back(episode);
  if (static_cast<int>(recent_.size()) > recent_window_) recent_.pop_front();
  ++total_episodes_;
  episode_return_sum_ += episode.ret;
  running_return_[k] = 0.0;
  running_length_[k] = 0;
  env.reset();
  env.write_observation(obs_row(i));
}

void VectorEnv::step_discrete(std::span<const int64_t> actions) {
  if (!action_spec().is_discrete()) {
    throw Error("VectorEnv::step: " + envs_[0]->name() + " takes continuous actions, got discrete ones");
  }
  if (static_cast<int>(actions.size()) != num_envs()) {
    throw Error("VectorEnv::step: expected " + std::to_string(num_envs()) + " actions, got " +
                std::to_string(actions.size()));
  }
  finished_.clear();
  for (int i = 0; i < num_envs(); ++i) {
    after_step(i, envs_[static_cast<size_t>(i)]->step(Action::discrete(actions[static_cast<size_t>(i)])));
  }
  total_steps_ += num_envs();
}

void VectorEnv::step_continuous(std::span<const float> actions) {
  if (action_spec().is_discrete()) {
    throw Error("VectorEnv::step: " + envs_[0]->name() + " takes discrete actions, got continuous ones");
  }
  const int64_t dim = action_spec().dim();
  if (static_cast<int64_t>(actions.size()) != num_envs() * dim) {
    throw Error("VectorEnv::step: expected " + std::to_string(num_envs()) + " x " + std::to_string(dim) +
                " action values, got " + std::to_string(actions.size()));
  }
  finished_.clear();
  for (int i = 0; i < num_envs(); ++i) {
    after_step(i, envs_[static_cast<size_t>(i)]->step(
                      Action::continuous(actions.subspan(static_cast<size_t>(i * dim), static_cast<size_t>(dim)))));
  }
  total_steps_ += num_envs();
}

void VectorEnv::step(const at::Tensor& actions) {
  if (!actions.device().is_cpu() || !actions.is_contiguous()) {
    throw Error("VectorEnv::step: actions must be a contiguous CPU tensor");
  }
  if (action_spec().is_discrete()) {
    if (actions.scalar_type() != at::kLong || actions.dim() != 1) {
      throw Error("VectorEnv::step: discrete actions must be an int64 tensor [" + std::to_string(num_envs()) +
                  "], got " + std::string(at::toString(actions.scalar_type())) + " with " +
                  std::to_string(actions.dim()) + " dims");
    }
    step_discrete({actions.data_ptr<int64_t>(), static_cast<size_t>(actions.numel())});
  } else {
    if (actions.scalar_type() != at::kFloat) {
      throw Error("VectorEnv::step: continuous actions must be a float32 tensor [" + std::to_string(num_envs()) + ", " +
                  std::to_string(action_spec().dim()) + "], got " + std::string(at::toString(actions.scalar_type())));
    }
    step_continuous({actions.data_ptr<float>(), static_cast<size_t>(actions.numel())});
  }
}

double VectorEnv::recent_mean_return() const {
  if (recent_.empty()) return 0.0;
  double sum = 0.0;
  for (const auto& e : recent_) sum += e.ret;
  return sum / static_cast<double>(recent_.size());
}

std::string VectorEnv::snapshot() const {
  ByteWriter out;
  out.str("VectorEnv");
  out.pod(static_cast<int64_t>(envs_.size()));
  // An environment without snapshots is stored as nothing and restarted on restore.
  for (const auto& env : envs_) out.str(env->supports_snapshots() ? env->snapshot() : std::string());
  for (size_t i = 0; i < envs_.size(); ++i) {
    out.pod(running_return_[i]);
    out.pod(running_length_[i]);
  }
  out.pod(total_steps_);
  out.pod(total_episodes_);
  out.pod(static_cast<int64_t>(recent_.size()));
  for (const auto& e : recent_) out.pod(e);
  return out.take();
}

void VectorEnv::restore(std::string_view snapshot) {
  ByteReader in(snapshot, "restoring VectorEnv");
  in.expect_tag("VectorEnv");
  const auto n = in.pod<int64_t>();
  if (n != num_envs()) {
    throw Error("restoring VectorEnv: snapshot holds " + std::to_string(n) + " environments, this one has " +
                std::to_string(num_envs()));
  }
  std::vector<size_t> restarted;
  for (size_t i = 0; i < envs_.size(); ++i) {
    const std::string state = in.str();
    if (state.empty() && !envs_[i]->supports_snapshots()) {
      restarted.push_back(i);
    } else {
      envs_[i]->restore(state);
    }
  }
  for (size_t i = 0; i < envs_.size(); ++i) {
    in.pod(running_return_[i]);
    in.pod(running_length_[i]);
  }
  in.pod(total_steps_);
  in.pod(total_episodes_);
  const auto recent = in.pod<int64_t>();
  recent_.clear();
  for (int64_t k = 0; k < recent; ++k) recent_.push_back(in.pod<Episode>());
  in.expect_done();
  // Without a snapshot: a new episode, seeded from the run's seed and the step count (so that a
  // resume is reproducible, though not the continuation an uninterrupted run would have had).
  for (const size_t i : restarted) {
    envs_[i]->seed(seed_ + static_cast<uint32_t>(i) + static_cast<uint32_t>(total_steps_ * 7919));
    envs_[i]->reset();
    running_return_[i] = 0.0;
    running_length_[i] = 0;
  }
  for (int i = 0; i < num_envs(); ++i) envs_[static_cast<size_t>(i)]->write_observation(obs_row(i));
  rewards_.zero_();
  terminated_.zero_();
  truncated_.zero_();
  finished_.clear();
}

}  // namespace rlnas::env
