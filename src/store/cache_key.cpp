// Trial cache keys (see rlnas/store/cache_key.h).
#include "rlnas/store/cache_key.h"

#include "rlnas/core/sha256.h"

namespace rlnas::store {

nlohmann::json CacheKeyParts::to_json() const {
  nlohmann::json j = {{"env", env},
                      {"env_options", env_options},
                      {"algo", algo},
                      {"algo_options", algo_options},
                      {"space", space},
                      {"space_version", space_version},
                      {"architecture", architecture},
                      {"seed", seed},
                      {"budget", budget}};
  if (!env_source_sha256.empty()) j["env_source_sha256"] = env_source_sha256;
  if (semantics_version >= 2) j["semantics_version"] = semantics_version;
  return j;
}

std::string trial_cache_key(const nlohmann::json& parts) { return sha256_hex(parts.dump()); }

std::string trial_cache_key(const CacheKeyParts& parts) { return trial_cache_key(parts.to_json()); }

}  // namespace rlnas::store
