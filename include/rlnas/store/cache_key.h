// Trial cache keys: what makes two trainings the same training.
//
// key = SHA-256 hex of the canonical JSON (keys sorted, no spaces) of {env, env_options, algo,
// algo_options, space, space_version, architecture, seed, budget}, plus env_source_sha256 for an
// environment from a plugin or a Python module (a changed file is another environment). A store holds each key at most
// once (Store::find_trial_by_cache_key), so the same key is never trained twice: a done trial with
// the key is the result. Evaluation settings are not part of the key: they do not change the
// trained weights, and a checkpoint can be evaluated again.
//
// The training-semantics version: any change to what a training computes (a default, a reward
// definition, the order of random draws) bumps kTrainingSemanticsVersion, so that a store never
// reuses a result of the old semantics. It enters the hashed parts only from version 2 on
// ("semantics_version"), so the keys of version 1 are the keys stores have held from the start.
// The golden runs (tests/golden) fail when a change alters training without a bump.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace rlnas::store {

// 2 (issue 16): ENAS children are rewarded with their rollout return (search.enas.reward),
// ppo/a2c give vector observations separate actor and critic networks (separate_critic: auto), and
// the default MLP is the algorithm's own (dqn 120-84 ReLU, sac 256-256 ReLU).
inline constexpr int64_t kTrainingSemanticsVersion = 2;

struct CacheKeyParts {
  std::string env;
  std::string env_source_sha256;                          // a plugin's or Python module's content; empty for built-ins
  nlohmann::json env_options = nlohmann::json::object();  // every option, defaults included
  std::string algo;
  nlohmann::json algo_options = nlohmann::json::object();  // every resolved option of the algorithm
  std::string space;                                       // empty for a fixed backbone
  int64_t space_version = 0;
  nlohmann::json architecture = nlohmann::json::object();
  int64_t seed = 0;
  int64_t budget = 0;  // environment steps
  int64_t semantics_version = kTrainingSemanticsVersion;

  nlohmann::json to_json() const;
};

// SHA-256 hex of `parts.dump()`: nlohmann::json keeps object keys sorted and dump() writes no
// spaces, so the text, and the key, do not depend on the order the keys were added in.
std::string trial_cache_key(const nlohmann::json& parts);
std::string trial_cache_key(const CacheKeyParts& parts);

}  // namespace rlnas::store
