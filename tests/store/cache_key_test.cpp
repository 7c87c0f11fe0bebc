#include "rlnas/store/cache_key.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "rlnas/core/sha256.h"

namespace rlnas::store {
namespace {

CacheKeyParts parts() {
  CacheKeyParts p;
  p.env = "minatar/breakout";
  p.env_options = {{"sticky", "0.1"}, {"actions", "minimal"}, {"max_steps", "0"}};
  p.algo = "ppo";
  p.algo_options = {{"ppo.lr", 2.5e-4}, {"ppo.epochs", 5}, {"ppo.anneal", true}};
  p.space = "minatar/ss1";
  p.space_version = 1;
  p.architecture = nlohmann::json::parse(R"({"space":"minatar/ss1","version":1,"choices":{"conv2.kernel":3}})");
  p.seed = 3;
  p.budget = 500000;
  return p;
}

TEST(CacheKey, IsTheSha256OfTheCanonicalJson) {
  const auto key = trial_cache_key(parts());
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, sha256_hex(parts().to_json().dump()));
  // Canonical text: sorted keys, no spaces.
  const std::string text = parts().to_json().dump();
  EXPECT_EQ(text.find(' '), std::string::npos);
  EXPECT_EQ(text.rfind(R"({"algo":"ppo","algo_options":{"ppo.anneal":true,)", 0), 0u) << text;
  // Pinned: a change of this value changes every stored key (it needs a schema migration).
  EXPECT_EQ(trial_cache_key(nlohmann::json{{"b", 1}, {"a", "x"}}), sha256_hex(R"({"a":"x","b":1})"));
}

TEST(CacheKey, KeyOrderDoesNotMatter) {
  const auto a = nlohmann::json::parse(R"({"env":"e","seed":1,"algo_options":{"x":1,"y":[1,2]},"budget":5})");
  const auto b = nlohmann::json::parse(R"({"budget":5,"algo_options":{"y":[1,2],"x":1},"seed":1,"env":"e"})");
  EXPECT_EQ(trial_cache_key(a), trial_cache_key(b));
  // Parsed from ordered JSON text in another order: the same key.
  const auto ordered = nlohmann::ordered_json::parse(b.dump(2));
  EXPECT_EQ(trial_cache_key(nlohmann::json::parse(ordered.dump())), trial_cache_key(a));
}

TEST(CacheKey, EveryPartChangesTheKey) {
  const auto base = trial_cache_key(parts());
  std::vector<std::function<void(CacheKeyParts&)>> changes = {
      [](CacheKeyParts& p) { p.env = "minatar/freeway"; },
      [](CacheKeyParts& p) { p.env_options["sticky"] = "0"; },
      [](CacheKeyParts& p) { p.algo = "a2c"; },
      [](CacheKeyParts& p) { p.algo_options["ppo.lr"] = 3e-4; },
      [](CacheKeyParts& p) { p.algo_options["ppo.anneal"] = false; },
      [](CacheKeyParts& p) { p.space = "minatar/ss2"; },
      [](CacheKeyParts& p) { p.space_version = 2; },
      [](CacheKeyParts& p) { p.architecture["choices"]["conv2.kernel"] = 4; },
      [](CacheKeyParts& p) { p.seed = 4; },
      [](CacheKeyParts& p) { p.budget = 500001; },
  };
  std::set<std::string> keys = {base};
  for (size_t i = 0; i < changes.size(); ++i) {
    auto p = parts();
    changes[i](p);
    const auto key = trial_cache_key(p);
    EXPECT_NE(key, base) << "change " << i;
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), changes.size() + 1);
  EXPECT_EQ(trial_cache_key(parts()), base);  // stable
}

}  // namespace
}  // namespace rlnas::store
