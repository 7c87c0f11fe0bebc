// Trial cache keys: what makes two trainings the same training.
//
// key = SHA-256 hex of the canonical JSON (keys sorted, no spaces) of {env, env_options, algo,
// algo_options, space, space_version, architecture, seed, budget}. A store holds each key at most
// once (Store::find_trial_by_cache_key), so the same key is never trained twice: a done trial with
// the key is the result. Evaluation settings are not part of the key: they do not change the
// trained weights, and a checkpoint can be evaluated again.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace rlnas::store {

struct CacheKeyParts {
  std::string env;
  nlohmann::json env_options = nlohmann::json::object();  // every option, defaults included
  std::string algo;
  nlohmann::json algo_options = nlohmann::json::object();  // every resolved option of the algorithm
  std::string space;                                       // empty for a fixed backbone
  int64_t space_version = 0;
  nlohmann::json architecture = nlohmann::json::object();
  int64_t seed = 0;
  int64_t budget = 0;  // environment steps

  nlohmann::json to_json() const;
};

// SHA-256 hex of `parts.dump()`: nlohmann::json keeps object keys sorted and dump() writes no
// spaces, so the text, and the key, do not depend on the order the keys were added in.
std::string trial_cache_key(const nlohmann::json& parts);
std::string trial_cache_key(const CacheKeyParts& parts);

}  // namespace rlnas::store
