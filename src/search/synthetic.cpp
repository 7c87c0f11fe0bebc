// The synthetic workload's score table and trials (see rlnas/search/synthetic.h).
#include "rlnas/search/synthetic.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/core/sha256.h"

namespace rlnas::search {

using nlohmann::json;

namespace {

// Decisions of a choices object: "path" = canonical value text; arrays element by element.
void flatten(const json& value, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) flatten(v, path.empty() ? k : path + "." + k, out);
  } else if (value.is_array() && !value.empty() && (value.front().is_array() || value.front().is_object())) {
    for (size_t i = 0; i < value.size(); ++i) flatten(value[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out.emplace_back(path, value.dump());
  }
}

uint64_t hash64(const std::string& text) {
  Sha256 h;
  h.update(text);
  const auto d = h.digest();
  uint64_t x = 0;
  std::memcpy(&x, d.data(), sizeof x);
  return x;
}

// Standard normal draws (Box-Muller on Mt19937's doubles), the same on every platform.
class Normals {
 public:
  explicit Normals(uint64_t seed) : rng_(static_cast<uint32_t>(seed ^ (seed >> 32))) {}
  double next() {
    const double u1 = 1.0 - rng_.rand(), u2 = rng_.rand();  // u1 in (0, 1]
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

 private:
  Mt19937 rng_;
};

}  // namespace

SyntheticScores::SyntheticScores(const space::SearchSpace& space, SyntheticOptions options) : options_(options) {
  if (!(options_.noise >= 0))
    throw Error("synthetic.noise: expected a number >= 0, found " + std::to_string(options_.noise));
  if (!(options_.interaction >= 0))
    throw Error("synthetic.interaction: expected a number >= 0, found " + std::to_string(options_.interaction));
  Mt19937 rng(static_cast<uint32_t>(options_.seed * 2654435761u + 17));
  optimum_ = space.sample(rng);
  optimum_decisions_ = decisions(optimum_);
  const auto d = static_cast<double>(optimum_decisions_.size());
  optimum_total_ = d + options_.interaction * d * (d - 1) / 2;
  if (optimum_total_ <= 0) throw Error("synthetic workload: space '" + space.name() + "' has no decisions");
}

std::vector<std::pair<std::string, std::string>> SyntheticScores::decisions(const space::Architecture& arch) const {
  std::vector<std::pair<std::string, std::string>> out;
  flatten(arch.choices, "", out);
  std::sort(out.begin(), out.end());
  return out;
}

double SyntheticScores::hashed_uniform(const std::string& text) const {
  return static_cast<double>(hash64(std::to_string(options_.seed) + "|" + text) >> 11) * 0x1.0p-53;
}

double SyntheticScores::score(const space::Architecture& arch) const {
  const auto mine = decisions(arch);
  const std::set<std::pair<std::string, std::string>> planted(optimum_decisions_.begin(), optimum_decisions_.end());
  std::vector<bool> match(mine.size());
  double total = 0;
  for (size_t i = 0; i < mine.size(); ++i) {
    match[i] = planted.count(mine[i]) > 0;
    total += match[i] ? 1.0 : -hashed_uniform("main|" + mine[i].first + "=" + mine[i].second) - 1e-12;
  }
  for (size_t i = 0; i < mine.size(); ++i) {
    for (size_t j = i + 1; j < mine.size(); ++j) {
      if (match[i] && match[j]) {
        total += options_.interaction;
      } else {
        total -= options_.interaction * (hashed_uniform("pair|" + mine[i].first + "=" + mine[i].second + "|" +
                                                        mine[j].first + "=" + mine[j].second) +
                                         1e-12);
      }
    }
  }
  return total / optimum_total_;
}

SyntheticTrial SyntheticScores::trial(const space::Architecture& arch, int64_t training_seed) const {
  const std::string seed_text = std::to_string(options_.seed) + "|" + std::to_string(training_seed);
  Normals luck(hash64("luck|" + seed_text));                    // shared by every architecture with this seed
  Normals own(hash64("trial|" + seed_text + "|" + arch.id()));  // this trial's own
  const double s = options_.noise;
  SyntheticTrial t;
  t.final_value = score(arch) + s * (luck.next() + own.next());
  t.selection = t.final_value + s / 2 * own.next();
  t.test = t.final_value + s / 2 * own.next();
  t.seconds = options_.seconds * (0.5 + hashed_uniform("cost|" + arch.id()));
  return t;
}

double SyntheticScores::curve(const space::Architecture& arch, int64_t training_seed, int64_t step,
                              int64_t budget) const {
  const double final_value = trial(arch, training_seed).final_value;
  const double f = budget > 0 ? std::clamp(static_cast<double>(step) / static_cast<double>(budget), 0.0, 1.0) : 1.0;
  Normals n(hash64("curve|" + std::to_string(options_.seed) + "|" + std::to_string(training_seed) + "|" + arch.id() +
                   "|" + std::to_string(step)));
  return final_value * (1 - std::exp(-5 * f)) / (1 - std::exp(-5.0)) + options_.noise / 2 * n.next();
}

}  // namespace rlnas::search
