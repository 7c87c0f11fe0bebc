#include "rlnas/search/evolution.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"

namespace rlnas::search {
namespace {

std::string str(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void check_options(const EvolutionOptions& o) {
  const auto bad = [](const std::string& what) { throw Error("evolutionary search: " + what); };
  if (o.population < 1) bad("population must be at least 1, got " + std::to_string(o.population));
  if (o.generations < 1) bad("generations must be at least 1, got " + std::to_string(o.generations));
  if (o.parents < 1 || o.parents > o.population) {
    bad("parents (the top-k) must be between 1 and population (" + std::to_string(o.population) + "), got " +
        std::to_string(o.parents));
  }
  if (!(o.mutation_prob > 0 && o.mutation_prob <= 1)) {
    bad("mutation_prob (per decision) must be in (0, 1], got " + str(o.mutation_prob));
  }
  if (o.mutations < 0) bad("mutations must be at least 0, got " + std::to_string(o.mutations));
  if (o.crossovers < 0) bad("crossovers must be at least 0, got " + std::to_string(o.crossovers));
  if (o.mutations + o.crossovers > o.population) {
    bad("mutations + crossovers (" + std::to_string(o.mutations) + " + " + std::to_string(o.crossovers) +
        ") must not exceed population (" + std::to_string(o.population) + ")");
  }
}

// The state of one search: everything scored so far and the candidates of the generation being built.
class Search {
 public:
  Search(const space::SearchSpace& space, const std::function<double(const space::Architecture&)>& fitness,
         const EvolutionOptions& options)
      : space_(space),
        fitness_(fitness),
        options_(options),
        decisions_(space.decisions()),
        rng_(static_cast<uint32_t>(options.seed ^ (options.seed >> 32))) {
    try {
      space_size_ = space.size();
    } catch (const Error&) {
      space_size_ = std::numeric_limits<uint64_t>::max();  // beyond 2^64: never exhausted
    }
  }

  EvolutionResult run(const std::function<void(int64_t, const std::vector<Scored>&)>& on_generation) {
    EvolutionResult result;
    for (int64_t g = 0; g < options_.generations; ++g) {
      if (g == 0) {
        initial_population();
      } else {
        if (exhausted()) break;
        next_generation();
        if (candidates_.empty()) break;
      }
      score_candidates();
      result.generations = g + 1;
      if (on_generation) on_generation(g, top_scored());
    }
    std::vector<size_t> order(scored_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [this](size_t a, size_t b) { return better(a, b); });
    result.evaluated.reserve(order.size());
    for (size_t i : order) result.evaluated.push_back(scored_[i]);
    result.evaluations = static_cast<int64_t>(scored_.size());
    return result;
  }

 private:
  bool better(size_t a, size_t b) const {
    if (scored_[a].fitness != scored_[b].fitness) return scored_[a].fitness > scored_[b].fitness;
    return a < b;  // ties: scored earlier first
  }

  bool exhausted() const { return scored_.size() + infeasible_.size() >= space_size_; }

  // Adds `arch` to the generation when it is new (neither scored nor in the generation) and feasible.
  bool offer(const space::Architecture& arch) {
    std::string id = arch.id();
    if (index_of_.count(id) || in_generation_.count(id) || infeasible_.count(id)) return false;
    if (options_.constraint && !options_.constraint(arch)) {
      infeasible_.insert(std::move(id));
      return false;
    }
    in_generation_.insert(std::move(id));
    candidates_.push_back(arch);
    return true;
  }

  void initial_population() {
    const auto population = static_cast<uint64_t>(options_.population);
    if (space_size_ <= population) {
      for (const auto& arch : space_.enumerate(space_size_)) offer(arch);
      if (candidates_.empty()) {
        throw Error("evolutionary search: none of the " + std::to_string(space_size_) + " architectures of " +
                    space_.name() + " satisfies the constraint");
      }
      return;
    }
    const int64_t draws = 100 * options_.population;
    fill_random(options_.population, draws);
    if (candidates_.empty()) {
      throw Error("evolutionary search: no architecture of " + space_.name() + " satisfying the constraint in " +
                  std::to_string(draws) + " random draws");
    }
  }

  void fill_random(int64_t target, int64_t draws) {
    while (static_cast<int64_t>(candidates_.size()) < target && draws-- > 0 && !exhausted_with_candidates()) {
      offer(space_.sample(rng_));
    }
  }

  bool exhausted_with_candidates() const {
    return scored_.size() + infeasible_.size() + candidates_.size() >= space_size_;
  }

  const space::Architecture& random_parent() {
    return scored_[top_[static_cast<size_t>(rng_.randint(0, static_cast<int64_t>(top_.size())))]].arch;
  }

  void next_generation() {
    candidates_.clear();
    in_generation_.clear();
    // mutation
    int64_t made = 0;
    for (int64_t draws = 10 * options_.mutations; made < options_.mutations && draws > 0; --draws) {
      space::Architecture child = random_parent();
      for (const auto& d : decisions_) {
        if (d.options.size() < 2) continue;
        if (rng_.rand() < options_.mutation_prob) {
          child.choices[d.name] =
              d.options[static_cast<size_t>(rng_.randint(0, static_cast<int64_t>(d.options.size())))];
        }
      }
      if (offer(child)) ++made;
    }
    // crossover: two distinct parents
    made = 0;
    if (top_.size() >= 2) {
      for (int64_t draws = 10 * options_.crossovers; made < options_.crossovers && draws > 0; --draws) {
        const auto n = static_cast<int64_t>(top_.size());
        const auto i = rng_.randint(0, n);
        auto j = rng_.randint(0, n - 1);
        if (j >= i) ++j;
        const auto& a = scored_[top_[static_cast<size_t>(i)]].arch;
        const auto& b = scored_[top_[static_cast<size_t>(j)]].arch;
        space::Architecture child = a;
        for (const auto& d : decisions_) {
          if (rng_.rand() < 0.5) child.choices[d.name] = b.choices.at(d.name);
        }
        if (offer(child)) ++made;
      }
    }
    // random fill up to the population
    const int64_t missing = options_.population - static_cast<int64_t>(candidates_.size());
    fill_random(options_.population, 100 * missing);
  }

  void score_candidates() {
    for (auto& arch : candidates_) {
      const double f = fitness_(arch);
      if (std::isnan(f)) {
        throw Error("evolutionary search: the fitness of architecture " + arch.short_id() + " " +
                    arch.canonical_json() + " is NaN");
      }
      std::string id = arch.id();
      index_of_.emplace(std::move(id), scored_.size());
      top_.push_back(scored_.size());
      scored_.push_back({std::move(arch), f});
    }
    candidates_.clear();
    in_generation_.clear();
    std::sort(top_.begin(), top_.end(), [this](size_t a, size_t b) { return better(a, b); });
    if (top_.size() > static_cast<size_t>(options_.parents)) top_.resize(static_cast<size_t>(options_.parents));
  }

  std::vector<Scored> top_scored() const {
    std::vector<Scored> out;
    out.reserve(top_.size());
    for (size_t i : top_) out.push_back(scored_[i]);
    return out;
  }

  const space::SearchSpace& space_;
  const std::function<double(const space::Architecture&)>& fitness_;
  const EvolutionOptions& options_;
  const std::vector<space::Decision> decisions_;
  Mt19937 rng_;
  uint64_t space_size_ = 0;

  std::vector<Scored> scored_;                        // in the order scored
  std::unordered_map<std::string, size_t> index_of_;  // id -> index in scored_ (the memo)
  std::unordered_set<std::string> infeasible_;        // ids that failed the constraint
  std::vector<size_t> top_;                           // indices of the top-k, best first
  std::vector<space::Architecture> candidates_;       // the generation being built
  std::unordered_set<std::string> in_generation_;
};

}  // namespace

EvolutionResult evolutionary_search(const space::SearchSpace& space,
                                    const std::function<double(const space::Architecture&)>& fitness,
                                    const EvolutionOptions& options,
                                    const std::function<void(int64_t, const std::vector<Scored>&)>& on_generation) {
  check_options(options);
  if (!fitness) throw Error("evolutionary search: no fitness function given");
  return Search(space, fitness, options).run(on_generation);
}

}  // namespace rlnas::search
