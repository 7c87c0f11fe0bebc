// rlnas compare: a study of several experiments (see rlnas/search/study.h).
#include "rlnas/search/study.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "rlnas/core/error.h"
#include "rlnas/core/stats.h"
#include "rlnas/search/strategy.h"
#include "rlnas/search/summary.h"
#include "rlnas/search/trial.h"
#include "rlnas/store/exchange.h"
#include "rlnas/store/store.h"

namespace rlnas::search {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// One training: its seed and the two figures of the selection rule.
struct Training {
  int64_t seed = 0;
  double selection = 0, test = 0;
};

// An architecture's trainings (of one experiment or the benchmark).
struct ArchTrainings {
  std::string arch_id;
  json arch;
  std::vector<Training> trainings;  // by seed, one per seed
  // Adds a training unless its seed is there (a cached copy of a training has the same figures).
  void add(const Training& t) {
    const auto at = std::lower_bound(trainings.begin(), trainings.end(), t.seed,
                                     [](const Training& x, int64_t seed) { return x.seed < seed; });
    if (at == trainings.end() || at->seed != t.seed) trainings.insert(at, t);
  }
  std::vector<double> selections() const {
    std::vector<double> v;
    for (const auto& t : trainings) v.push_back(t.selection);
    return v;
  }
  std::vector<double> tests() const {
    std::vector<double> v;
    for (const auto& t : trainings) v.push_back(t.test);
    return v;
  }
  double selection() const { return mean_of(selections()); }
  double test() const { return mean_of(tests()); }
};

struct Experiment {
  int64_t id = 0;
  bool is_train = false;  // a train experiment: one network's training (rlnas train)
  bool tabular = false;   // a search that retrains every architecture: the tabular benchmark
  std::string source, name, strategy, env, space;
  SelectionRule rule;
  int64_t search_seed = 0, steps = 0, top_k = 0;
  json search_config, train_config, summary;
  std::string signature;        // strategy and settings, without the seeds
  std::string train_signature;  // how its baselines were trained: the training settings, less the network
  std::optional<ArchTrainings> trained;  // a train experiment's training
  std::string arm;
  std::optional<ArchTrainings> found;
  std::map<std::string, ArchTrainings> baselines;  // arch_id -> trainings (role baseline)
  std::map<std::string, ArchTrainings> benchmark;  // grid: arch_id -> trainings (role benchmark)
  std::map<std::string, std::string> baseline_labels;
  std::vector<std::pair<json, double>> proxy_scores;  // the last proxy_scores snapshot: (choices, proxy)
  std::string proxy_name;
};

std::string where(const Experiment& e) { return "experiment " + std::to_string(e.id) + " (" + e.source + ")"; }

std::string compact(const json& j) { return j.dump(); }

// A setting's value in a label: strings bare, the empty string as '', anything else as JSON.
std::string setting_text(const json& v) {
  if (!v.is_string()) return v.dump();
  const auto t = v.get<std::string>();
  return t.empty() ? "''" : t;
}

// The settings of `mine` (a signature's JSON) that differ from any of `others`, as "k=v, k=v".
std::string differing_settings(const json& mine, const std::vector<json>& others) {
  std::vector<std::string> keys;
  for (const auto& theirs : others)
    for (const auto& [k, v] : mine.items())
      if ((!theirs.contains(k) || theirs[k] != v) && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  std::string text;
  for (const auto& k : keys) text += (text.empty() ? "" : ", ") + k + "=" + setting_text(mine[k]);
  return text;
}

// The architecture's choices for display ({"conv2.kernel": 4, ...}), else the whole of it.
json arch_choices(const json& arch) {
  if (arch.is_object() && arch.contains("choices")) return arch["choices"];
  return arch;
}

std::string baseline_fallback_label(const json& arch) {
  if (arch.is_object() && arch.contains("net") && arch["net"].is_object() && arch["net"].contains("name"))
    return "net:" + arch["net"]["name"].get<std::string>();
  return compact(arch_choices(arch));
}

// Trials of `role` that are done, grouped by architecture in the order first seen, one training per
// seed (the first).
std::vector<ArchTrainings> trainings_of(const json& trials, const std::string& role, const std::string& select_metric,
                                        const std::string& test_metric) {
  std::vector<ArchTrainings> out;
  for (const auto& t : trials) {
    if (t.value("role", "") != role || t.value("status", "") != "done") continue;
    const auto& m = t.at("metrics");
    if (!m.contains(select_metric) || !m.contains(test_metric) || !m[select_metric].is_number() ||
        !m[test_metric].is_number())
      continue;
    const std::string id = t.at("arch_id").get<std::string>();
    auto it = std::find_if(out.begin(), out.end(), [&](const ArchTrainings& a) { return a.arch_id == id; });
    if (it == out.end()) {
      out.push_back({id, t.at("architecture"), {}});
      it = out.end() - 1;
    }
    it->add({t.at("seed").get<int64_t>(), m[select_metric].get<double>(), m[test_metric].get<double>()});
  }
  return out;
}

Experiment parse_experiment(const StudyInput& input) {
  Experiment e;
  e.source = input.source;
  const json& entry = input.entry;
  try {
    const auto& x = entry.at("experiment");
    e.id = x.at("id").get<int64_t>();
    e.name = x.value("name", "");
    const auto kind = x.value("kind", "");
    if (kind != "search" && kind != "train")
      throw Error(where(e) + ": compare takes searches and trainings; this is a '" + kind + "' experiment");
    e.is_train = kind == "train";
    const auto status = x.value("status", "");
    if (status != "done" && status != "stopped")
      throw Error(where(e) + ": compare takes finished experiments (done or stopped); its status is '" + status + "'");
    // What does not change a training's result.
    auto incidental = [](const std::string& k) {
      return k == "seed" || k == "device" || k == "checkpoint_every" || k == "log_every" || k == "threads";
    };
    if (e.is_train) {
      e.train_config = x.at("config");
      e.env = e.train_config.contains("env") ? e.train_config.at("env").get<std::string>()
                                           : e.train_config.value("supervised.dataset", std::string());
      e.strategy = "train";
      e.steps = e.train_config.value("steps", int64_t{0});
      json settings = json::object();
      for (const auto& [k, v] : e.train_config.items())
        if (!incidental(k)) settings[k] = v;
      e.signature = settings.dump();
      const auto t = trainings_of(entry.at("trials"), "train", e.rule.metric(), e.rule.test_metric);
      if (t.empty()) throw Error(where(e) + ": no finished training with a test figure (" + e.rule.test_metric + ")");
      e.trained = t.front();
      return e;
    }
    e.search_config = x.at("config").at("search");
    e.train_config = x.at("config").at("train");
    e.strategy = e.search_config.at("search.strategy").get<std::string>();
    try {
      e.tabular = find_strategy(e.strategy).tabular;
    } catch (const Error&) {
      e.tabular = false;  // a strategy this rlnas does not know (a newer export): an arm
    }
    e.space = e.search_config.value("search.space", "");
    e.env = e.train_config.contains("env") ? e.train_config.at("env").get<std::string>()
                                           : e.train_config.value("supervised.dataset", std::string());
    e.search_seed = e.search_config.value("search.seed", int64_t{0});
    e.steps = e.train_config.value("steps", e.search_config.value("search.steps", int64_t{0}));  // per training
    e.top_k = e.search_config.value("search.top_k", int64_t{0});
    e.rule = selection_rule_of(e.train_config, e.search_config.value("search.select", std::string()));
    e.summary = entry.contains("summary") && entry["summary"].is_object() ? entry["summary"] : json::object();
    // The settings that make an arm: the search's and the training's, less the seeds and what
    // changes nothing in the result.
    json settings = json::object();
    for (const auto& [k, v] : e.search_config.items())
      if (k != "search.seed" && k != "search.jobs" && k != "search.trial_timeout") settings[k] = v;
    json training = json::object();
    for (const auto& [k, v] : e.train_config.items()) {
      if (incidental(k)) continue;
      settings[k] = v;
      if (k.rfind("net.", 0) != 0 && k.rfind("arch.", 0) != 0) training[k] = v;
    }
    e.signature = settings.dump();
    e.train_signature = training.dump();
    const auto& trials = entry.at("trials");
    const auto metric = e.rule.metric(), test = e.rule.test_metric;
    auto candidates = trainings_of(trials, "retrain", metric, test);
    // The rule: the candidate with the highest mean selection figure, the first of equals (in the
    // order the strategy planned them).
    for (auto& c : candidates)
      if (!e.found || c.selection() > e.found->selection()) e.found = c;
    for (auto& b : trainings_of(trials, "baseline", metric, test)) e.baselines[b.arch_id] = b;
    if (e.tabular)
      for (auto& b : trainings_of(trials, "benchmark", metric, test)) e.benchmark[b.arch_id] = b;
    e.proxy_name = e.summary.value("proxy_name", "");
    if (entry.contains("snapshots") && entry["snapshots"].is_array()) {
      for (const auto& snap : entry["snapshots"]) {
        if (snap.value("kind", "") != "proxy_scores" || !snap.contains("payload")) continue;
        e.proxy_scores.clear();
        for (const auto& sc : snap["payload"].value("scores", json::array()))
          if (sc.contains("arch") && sc.contains("proxy") && sc["proxy"].is_number())
            e.proxy_scores.emplace_back(arch_choices(sc["arch"]), sc["proxy"].get<double>());
      }
    }
    for (const auto& row : e.summary.value("rows", json::array()))
      if (row.value("kind", "") == "baseline" && row.contains("arch_id") && row["arch_id"].is_string())
        e.baseline_labels[row["arch_id"].get<std::string>()] = row.value("label", "");
  } catch (const json::exception& ex) {
    throw Error(where(e) + ": not an experiment entry as rlnas runs export writes it: " + ex.what());
  }
  return e;
}

ojson result_json(const TestResult& r) {
  ojson j;
  j["method"] = r.method;
  j["effect"] = r.effect;
  j["low"] = r.low ? ojson(*r.low) : ojson(nullptr);
  j["high"] = r.high ? ojson(*r.high) : ojson(nullptr);
  j["p"] = r.p ? ojson(*r.p) : ojson(nullptr);
  j["df"] = r.df ? ojson(*r.df) : ojson(nullptr);
  j["mde"] = r.mde ? ojson(*r.mde) : ojson(nullptr);
  j["draws"] = r.draws;
  j["n_a"] = r.n_a;
  j["n_b"] = r.n_b;
  j["note"] = r.note;
  return j;
}

// The learning figures of an arm's searches (numbers only): mean and sample sd over the searches.
ojson learning_of(const std::vector<const Experiment*>& searches) {
  std::map<std::string, std::vector<double>> figures;
  std::vector<std::string> order;
  for (const auto* e : searches) {
    const json learning = e->summary.value("learning", json::object());
    for (const auto& [k, v] : learning.items()) {
      if (!v.is_number()) continue;
      if (!figures.count(k)) order.push_back(k);
      figures[k].push_back(v.get<double>());
    }
  }
  ojson out = ojson::array();
  for (const auto& k : order) {
    const auto& v = figures[k];
    out.push_back({{"figure", k}, {"mean", mean_of(v)}, {"sd", sample_sd(v)}, {"searches", v.size()}});
  }
  return out;
}

ojson warnings_of(const std::vector<const Experiment*>& searches) {
  std::vector<std::pair<std::string, int64_t>> seen;
  for (const auto* e : searches) {
    for (const auto& w : e->summary.value("warnings", json::array())) {
      if (!w.is_string()) continue;
      const auto text = w.get<std::string>();
      auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == text; });
      if (it == seen.end())
        seen.emplace_back(text, 1);
      else
        ++it->second;
    }
  }
  ojson out = ojson::array();
  for (const auto& [text, n] : seen) out.push_back({{"warning", text}, {"searches", n}});
  return out;
}

struct Arm {
  std::string name;
  std::vector<const Experiment*> searches;  // with a found architecture
};

// The arms of one environment: --arm groups first, the rest by signature.
std::vector<Arm> arms_of(const std::vector<const Experiment*>& searches) {
  std::vector<Arm> arms;
  for (const auto* e : searches) {
    auto it = std::find_if(arms.begin(), arms.end(), [&](const Arm& a) { return a.name == e->arm; });
    if (it == arms.end()) {
      arms.push_back({e->arm, {}});
      it = arms.end() - 1;
    }
    it->searches.push_back(e);
  }
  return arms;
}

double finite_or(double v, double fallback) { return std::isfinite(v) ? v : fallback; }

ojson environment_study(const std::string& env, const std::vector<const Experiment*>& members,
                        const CompareOptions& options, std::map<std::string, ojson>& aggregate_inputs) {
  ojson out;
  out["env"] = env;
  const Experiment& first = *members.front();
  out["space"] = first.space;
  std::set<int64_t> budgets;
  for (const auto* e : members) budgets.insert(e->steps);
  out["budget_steps"] = *budgets.begin();
  ojson notes = ojson::array();
  if (budgets.size() > 1) notes.push_back("the experiments' trainings ran for different numbers of steps: their figures are not comparable");
  out["selection"] = {{"metric", first.rule.metric()}, {"name", first.rule.name()}};
  out["test_metric"] = first.rule.test_metric;

  // The benchmark: the first grid search's trainings.
  const Experiment* grid = nullptr;
  std::vector<const Experiment*> searches;
  for (const auto* e : members) {
    if (e->is_train) continue;
    if (e->tabular) {
      if (!grid && !e->benchmark.empty()) grid = e;
      else notes.push_back("experiment " + std::to_string(e->id) + " is another grid search: only experiment " +
                           std::to_string(grid ? grid->id : e->id) + "'s benchmark is used");
      continue;
    }
    if (!e->found) {
      notes.push_back("experiment " + std::to_string(e->id) + " (" + e->strategy + ") has no candidate retrained to the end: left out");
      continue;
    }
    searches.push_back(e);
  }
  std::vector<ArchTrainings> bench;
  if (grid)
    for (const auto& [id, a] : grid->benchmark) bench.push_back(a);
  std::map<std::string, size_t> bench_index;
  for (size_t i = 0; i < bench.size(); ++i) bench_index[bench[i].arch_id] = i;

  std::vector<double> bench_sel, bench_test;
  for (const auto& a : bench) {
    bench_sel.push_back(a.selection());
    bench_test.push_back(a.test());
  }
  const auto rank_test = average_ranks(bench_test), rank_sel = average_ranks(bench_sel);
  // The benchmark answers "random search" for an arm only when it is of the same space and budget;
  // an arm's searches may differ in K when --arm mixes them (the first one's K is used, said).
  // Random search's best-of-K distribution of the test figure, by K (computed once per K).
  std::map<int64_t, DiscreteDistribution> nulls;
  auto null_of = [&](int64_t k) -> const DiscreteDistribution& {
    auto it = nulls.find(k);
    if (it == nulls.end()) it = nulls.emplace(k, best_of_k_distribution(bench_sel, bench_test, k)).first;
    return it->second;
  };
  auto benchmark_fits = [&](const Arm& arm) {
    const auto* e = arm.searches.front();
    return grid && e->space == grid->space && e->steps == grid->steps && e->top_k >= 1 &&
           e->top_k <= static_cast<int64_t>(bench.size());
  };
  std::optional<Separation> sep;
  if (grid) {
    ojson b;
    b["experiment"] = grid->id;
    b["architectures"] = bench.size();
    int64_t trainings = 0;
    std::set<int64_t> seeds;
    std::vector<std::vector<double>> groups;
    for (const auto& a : bench) {
      trainings += static_cast<int64_t>(a.trainings.size());
      for (const auto& t : a.trainings) seeds.insert(t.seed);
      groups.push_back(a.tests());
    }
    b["trainings"] = trainings;
    b["training_seeds"] = seeds;
    const size_t best = static_cast<size_t>(std::max_element(bench_sel.begin(), bench_sel.end()) - bench_sel.begin());
    b["best_by_selection"] = {{"arch", arch_choices(bench[best].arch)}, {"arch_id", bench[best].arch_id},
                              {"selection", bench_sel[best]}, {"test", bench_test[best]}, {"rank_test", rank_test[best]}};
    b["mean_selection"] = mean_of(bench_sel);
    b["mean_test"] = mean_of(bench_test);
    ojson archs = ojson::array();
    for (size_t i = 0; i < bench.size(); ++i)
      archs.push_back({{"arch", arch_choices(bench[i].arch)}, {"arch_id", bench[i].arch_id}, {"seeds", bench[i].trainings.size()},
                       {"selection", bench_sel[i]}, {"test", bench_test[i]}, {"rank_test", rank_test[i]},
                       {"rank_selection", rank_sel[i]}});
    b["architectures_figures"] = archs;
    try {
      sep = separation(groups);
      ojson s;
      s["f"] = finite_or(sep->f, 1e308);
      s["df_between"] = sep->df_between;
      s["df_within"] = sep->df_within;
      s["p"] = sep->p;
      s["separates"] = sep->separates(1 - options.level);
      s["icc1"] = sep->icc1;
      s["icc_mean"] = sep->icc_mean;
      s["seeds_per_architecture"] = sep->seeds_per_architecture;
      s["seed_rank_correlations"] = sep->seed_rank_correlations;
      s["mde"] = sep->mde;
      s["kruskal_h"] = sep->kruskal_h;
      s["kruskal_p"] = sep->kruskal_p;
      s["separates_by_rank"] = sep->separates_by_rank(1 - options.level);
      const double alpha = 1 - options.level;
      s["statement"] =
          sep->separates(alpha)
              ? "the benchmark separates architectures at this budget (one-way ANOVA p <= 0.05)"
          : sep->separates_by_rank(alpha)
              ? "the one-way ANOVA does not separate architectures at this budget (p > 0.05), but the rank test "
                "does (Kruskal-Wallis p <= 0.05): a few outlying trainings (one that diverged, say) swell the "
                "within-architecture variance the ANOVA compares against; by ranks, the architectures differ"
              : "the benchmark does not separate architectures at this budget (one-way ANOVA p > 0.05, and "
                "Kruskal-Wallis on ranks p > 0.05): its \"best\" architecture and the picks' ranks are mostly "
                "training noise";
      b["separation"] = s;
    } catch (const Error& ex) {
      b["separation"] = nullptr;
      notes.push_back(std::string("no separation figures: ") + ex.what());
    }
    out["benchmark"] = b;
  } else {
    out["benchmark"] = nullptr;
  }

  // Reference networks: every role-baseline training of the environment's searches, by
  // architecture and training settings (a baseline trained with distillation is not the same as
  // one without), and the train experiments, by --arm or by their settings.
  struct Reference {
    std::string key, label, kind, signature;
    ArchTrainings t;
  };
  std::vector<Reference> refs;
  auto merge = [&](const std::string& key, const std::string& kind, const std::string& label,
                   const std::string& signature, const ArchTrainings& t) {
    auto it = std::find_if(refs.begin(), refs.end(), [&](const Reference& r) { return r.key == key; });
    if (it == refs.end()) {
      refs.push_back({key, label, kind, signature, t});
      return;
    }
    for (const auto& x : t.trainings) it->t.add(x);
  };
  for (const auto* e : members) {
    if (options.no_baselines) break;
    if (e->is_train) {
      const bool named = !e->arm.empty();
      merge(named ? "arm:" + e->arm : "train:" + e->signature, "trained",
            named ? e->arm : baseline_fallback_label(e->trained->arch), e->signature, *e->trained);
      continue;
    }
    for (const auto& [id, b] : e->baselines) {
      std::string label;
      for (const auto* f : members)
        if (auto l = f->baseline_labels.find(id); l != f->baseline_labels.end() && !l->second.empty()) label = l->second;
      merge(id + "|" + e->train_signature, "baseline", label.empty() ? baseline_fallback_label(b.arch) : label,
            e->train_signature, b);
    }
  }
  // Two references of the same label: named by the settings that differ (decided on the labels as
  // they were, then applied).
  std::vector<std::string> relabelled;
  for (const auto& r : refs) {
    std::vector<json> clashing;
    for (const auto& o : refs)
      if (&o != &r && o.label == r.label && o.key.rfind("arm:", 0) != 0) clashing.push_back(json::parse(o.signature));
    if (clashing.empty() || r.key.rfind("arm:", 0) == 0) {
      relabelled.push_back(r.label);
      continue;
    }
    const auto extra = differing_settings(json::parse(r.signature), clashing);
    relabelled.push_back(r.label + " (" + (extra.empty() ? std::string("another copy") : extra) + ")");
  }
  for (size_t i = 0; i < refs.size(); ++i) refs[i].label = relabelled[i];
  for (auto& r : refs) {
    for (const auto& o : refs)
      if (&o != &r && o.label == r.label) r.label += " [" + r.key.substr(0, 12) + "]";
  }
  ojson baselines_json = ojson::array();
  for (const auto& r : refs) {
    const auto& b = r.t;
    ojson by_seed = ojson::array();
    for (const auto& t : b.trainings) by_seed.push_back({{"seed", t.seed}, {"selection", t.selection}, {"test", t.test}});
    baselines_json.push_back({{"label", r.label}, {"kind", r.kind}, {"arch", arch_choices(b.arch)}, {"arch_id", b.arch_id},
                              {"seeds", b.trainings.size()}, {"test_mean", b.test()}, {"test_sd", sample_sd(b.tests())},
                              {"selection_mean", b.selection()}, {"selection_sd", sample_sd(b.selections())},
                              {"by_seed", by_seed}});
  }
  out["baselines"] = baselines_json;

  // Arms.
  const auto arms = arms_of(searches);
  ojson arms_json = ojson::array();
  std::vector<std::vector<double>> arm_values;
  for (const auto& arm : arms) {
    ojson a;
    a["name"] = arm.name;
    a["strategy"] = arm.searches.front()->strategy;
    ojson ids = ojson::array();
    for (const auto* e : arm.searches) ids.push_back(e->id);
    a["experiments"] = ids;
    a["searches"] = arm.searches.size();
    a["top_k"] = arm.searches.front()->top_k;
    std::vector<double> values, sels, proxy_rhos;
    std::vector<std::string> distinct;
    ojson picks = ojson::array();
    for (const auto* e : arm.searches) {
      const auto& f = *e->found;
      values.push_back(f.test());
      sels.push_back(f.selection());
      // Trainings are the same when architecture and training settings are (the store's cache).
      const std::string key = f.arch_id + "|" + e->train_signature;
      if (std::find(distinct.begin(), distinct.end(), key) == distinct.end()) distinct.push_back(key);
      ojson p;
      p["experiment"] = e->id;
      p["search_seed"] = e->search_seed;
      p["arch"] = arch_choices(f.arch);
      p["arch_id"] = f.arch_id;
      p["seeds"] = f.trainings.size();
      p["selection"] = f.selection();
      p["test"] = f.test();
      if (auto bi = bench_index.find(f.arch_id); bi != bench_index.end()) {
        p["rank_test"] = rank_test[bi->second];
        p["rank_selection"] = rank_sel[bi->second];
      } else {
        p["rank_test"] = nullptr;
        p["rank_selection"] = nullptr;
      }
      // How well the search's proxy ranks the benchmark's architectures (Spearman, on the test metric).
      p["proxy"] = e->proxy_name;
      p["proxy_rank_correlation"] = nullptr;
      if (grid && !e->proxy_scores.empty()) {
        std::vector<double> px, bt;
        for (const auto& [choices, proxy] : e->proxy_scores)
          for (size_t i = 0; i < bench.size(); ++i)
            if (arch_choices(bench[i].arch) == choices) {
              px.push_back(proxy);
              bt.push_back(bench_test[i]);
              break;
            }
        if (px.size() >= 3) {
          const double rho = spearman(px, bt);
          if (std::isfinite(rho)) {
            p["proxy_rank_correlation"] = rho;
            proxy_rhos.push_back(rho);
          }
        }
      }
      picks.push_back(p);
    }
    a["test_mean"] = mean_of(values);
    a["test_sd"] = sample_sd(values);
    a["selection_mean"] = mean_of(sels);
    a["selection_sd"] = sample_sd(sels);
    a["distinct_found"] = distinct.size();
    // Random search's best-of-K under the arm's K, and each pick's chance of being matched.
    const int64_t k = arm.searches.front()->top_k;
    if (benchmark_fits(arm)) {
      const auto& d = null_of(k);
      for (auto& p : picks) p["p_random_at_least"] = d.p_at_least(p["test"].get<double>());
    } else if (grid) {
      notes.push_back(arm.name + ": its space or training budget is not the benchmark's (" + grid->space + ", " +
                      std::to_string(grid->steps) + " steps): no comparison with random search");
    }
    for (const auto* e : arm.searches)
      if (e->top_k != k) {
        notes.push_back(arm.name + ": its searches differ in search.top_k; random search's best-of-K uses the first's, " +
                        std::to_string(k));
        break;
      }
    a["picks"] = picks;
    if (!proxy_rhos.empty()) {
      const auto t = paired_t_test(proxy_rhos, options.level);
      ojson pr = result_json(t);
      pr["searches"] = proxy_rhos.size();
      pr["verdict"] = verdict_word(t);
      a["proxy_rank_correlation"] = pr;
    } else {
      a["proxy_rank_correlation"] = nullptr;
    }
    a["learning"] = learning_of(arm.searches);
    a["warnings"] = warnings_of(arm.searches);
    arms_json.push_back(a);
    arm_values.push_back(values);
  }
  out["arms"] = arms_json;

  if (grid) {
    // Random search's rows, one per K the arms use (the first arm's K names the benchmark row).
    ojson rs = ojson::array();
    std::set<int64_t> ks;
    for (const auto& arm : arms)
      if (benchmark_fits(arm)) ks.insert(arm.searches.front()->top_k);
    if (ks.empty()) ks.insert(3);
    for (int64_t k : ks) {
      if (k < 1 || k > static_cast<int64_t>(bench.size())) continue;
      const auto& d = null_of(k);
      const auto ds = best_of_k_distribution(bench_sel, bench_sel, k);
      rs.push_back({{"k", k}, {"expected_test", d.mean()}, {"sd_test", d.sd()}, {"expected_selection", ds.mean()},
                    {"exact", true}});
    }
    out["benchmark"]["random_search"] = rs;
  }

  // Comparisons.
  struct Pending {
    ojson j;
    TestResult r;
  };
  std::vector<Pending> comps;
  const double alpha = 1 - options.level;
  // A comparison by `test` (its method at a given level): at options.level, and with --margin the
  // equivalence of the same method at 1 - 2 alpha.
  auto add = [&](const std::string& kind, const std::string& a, const std::string& b,
                 const std::function<TestResult(double)>& test) {
    Pending p;
    p.r = test(options.level);
    p.j["kind"] = kind;
    p.j["a"] = a;
    p.j["b"] = b;
    const ojson fields = result_json(p.r);
    for (const auto& [k, v] : fields.items()) p.j[k] = v;
    if (options.margin) {
      const auto at = test(1 - 2 * alpha);
      const auto e = equivalence_of(at, *options.margin);
      p.j["equivalence"] = {{"margin", e.margin},
                            {"low", e.low ? ojson(*e.low) : ojson(nullptr)},
                            {"high", e.high ? ojson(*e.high) : ojson(nullptr)},
                            {"equivalent", e.equivalent},
                            {"level", at.level}};
    }
    comps.push_back(std::move(p));
  };
  const uint32_t seed = options.seed;
  for (size_t i = 0; i < arms.size(); ++i) {
    const int64_t k = arms[i].searches.front()->top_k;
    if (benchmark_fits(arms[i])) {
      const auto& d = null_of(k);
      add("arm_vs_random", arms[i].name, "random search (best of " + std::to_string(k) + ")",
          [&](double level) { return randomization_test(arm_values[i], d, level, seed, options.randomization_draws); });
    }
  }
  // An arm's sample against a baseline: its searches' figures, or, with one search, its found
  // architecture's training seeds (the arm is then one architecture, like a baseline).
  auto sample = [&](size_t i) {
    return arm_values[i].size() >= 2 ? arm_values[i] : arms[i].searches.front()->found->tests();
  };
  const std::string one_search = "one search on a side: its found architecture's training seeds, compared as a baseline";
  for (size_t i = 0; i < arms.size(); ++i)
    for (size_t j = i + 1; j < arms.size(); ++j) {
      if (arm_values[i].size() >= 2 && arm_values[j].size() >= 2) {
        add("arm_vs_arm", arms[i].name, arms[j].name,
            [&](double level) { return welch_test(arm_values[i], arm_values[j], level); });
        continue;
      }
      add("arm_vs_arm", arms[i].name, arms[j].name, [&](double level) {
        auto r = welch_test(sample(i), sample(j), level, true);
        r.note = r.note.empty() ? one_search : r.note + "; " + one_search;
        return r;
      });
    }
  // Against a reference of 3 training seeds: Welch with Hsu's conservative degrees of freedom, the
  // one method that kept its level whatever the two sides' spreads (tests/core/calibration_test.cpp).
  for (size_t i = 0; i < arms.size(); ++i)
    for (const auto& ref : refs)
      add("arm_vs_baseline", arms[i].name, ref.label,
          [&](double level) { return welch_test(sample(i), ref.t.tests(), level, true); });
  for (size_t b = 0; b < refs.size(); ++b)
    for (size_t c = b + 1; c < refs.size(); ++c)
      add("baseline_vs_baseline", refs[b].label, refs[c].label,
          [&](double level) { return welch_test(refs[b].t.tests(), refs[c].t.tests(), level, true); });
  // Holm over the environment's comparisons that have an interval (one without cannot reject).
  std::vector<double> ps;
  auto in_family = [](const TestResult& r) { return r.p && r.low && r.high; };
  for (const auto& c : comps)
    if (in_family(c.r)) ps.push_back(*c.r.p);
  const auto adjusted = holm_adjust(ps);
  ojson comps_json = ojson::array();
  size_t next = 0;
  for (auto& c : comps) {
    std::optional<double> adj;
    if (in_family(c.r)) adj = adjusted[next++];
    c.j["p_holm"] = adj ? ojson(*adj) : ojson(nullptr);
    c.j["verdict"] = verdict_word(c.r, ps.size() > 1 ? adj : std::nullopt);
    comps_json.push_back(c.j);
  }
  out["comparisons"] = comps_json;
  out["holm"] = {{"family", ps.size()}, {"applied", ps.size() > 1}};
  out["notes"] = notes;

  // What the aggregate across environments needs.
  ojson agg;
  agg["env"] = env;
  if (grid) agg["range"] = {*std::min_element(bench_test.begin(), bench_test.end()), *std::max_element(bench_test.begin(), bench_test.end())};
  ojson arm_runs = ojson::object();
  for (size_t i = 0; i < arms.size(); ++i) arm_runs[arms[i].name] = arm_values[i];
  agg["arms"] = arm_runs;
  ojson base_runs = ojson::object();
  for (const auto& ref : refs) base_runs[ref.label] = ref.t.tests();
  agg["baselines"] = base_runs;
  aggregate_inputs[env] = agg;
  return out;
}

ojson aggregate(const std::map<std::string, ojson>& inputs, const CompareOptions& options) {
  if (inputs.size() < 2) return nullptr;
  ojson out;
  out["environments"] = ojson::array();
  for (const auto& [env, _] : inputs) out["environments"].push_back(env);
  // Names present in every environment.
  auto common = [&](const char* what) {
    std::vector<std::string> names;
    const auto& first = inputs.begin()->second[what];
    for (const auto& [name, _] : first.items()) {
      bool everywhere = true;
      for (const auto& [env, in] : inputs) everywhere = everywhere && in[what].contains(name);
      if (everywhere) names.push_back(name);
    }
    return names;
  };
  const auto arms = common("arms"), baselines = common("baselines");
  auto runs = [&](const char* what, const std::string& name, bool normalized) {
    std::vector<std::vector<double>> v;
    for (const auto& [env, in] : inputs) {
      std::vector<double> r = in[what][name].get<std::vector<double>>();
      if (normalized) {
        const double lo = in["range"][0].get<double>(), hi = in["range"][1].get<double>();
        for (auto& x : r) x = hi > lo ? (x - lo) / (hi - lo) : 0.0;
      }
      v.push_back(r);
    }
    return v;
  };
  bool all_ranges = true;
  for (const auto& [env, in] : inputs) all_ranges = all_ranges && in.contains("range");
  ojson iqms = ojson::array();
  if (all_ranges) {
    out["normalization"] =
        "per environment, (score - the benchmark's worst architecture) / (its best - its worst), on the test metric";
    auto add_iqm = [&](const char* what, const std::string& name) {
      const auto i = iqm_interval(runs(what, name, true), options.level, options.seed, options.bootstrap_draws);
      iqms.push_back({{"name", name}, {"kind", std::string(what) == "arms" ? "arm" : "baseline"}, {"iqm", i.value},
                      {"low", i.low}, {"high", i.high}, {"draws", i.draws}});
    };
    for (const auto& a : arms) add_iqm("arms", a);
    for (const auto& b : baselines) add_iqm("baselines", b);
  } else {
    out["normalization"] = nullptr;
  }
  out["iqm"] = iqms;
  ojson poi = ojson::array();
  auto add_poi = [&](const char* wa, const std::string& a, const char* wb, const std::string& b) {
    const auto p = probability_of_improvement(runs(wa, a, false), runs(wb, b, false), options.level, options.seed,
                                              options.bootstrap_draws);
    poi.push_back({{"a", a}, {"b", b}, {"probability", p.value}, {"low", p.low}, {"high", p.high}, {"draws", p.draws}});
  };
  for (size_t i = 0; i < arms.size(); ++i)
    for (size_t j = i + 1; j < arms.size(); ++j) add_poi("arms", arms[i], "arms", arms[j]);
  for (const auto& a : arms)
    for (const auto& b : baselines) add_poi("arms", a, "baselines", b);
  out["probability_of_improvement"] = poi;
  return out;
}

}  // namespace

std::vector<StudyInput> study_inputs(const store::Store& store, const std::vector<int64_t>& ids) {
  store::ExportOptions options;
  options.max_curve_points = 0;  // the snapshots stay: the proxy scores are among them
  std::vector<StudyInput> out;
  for (const auto id : ids) {
    if (!store.experiment(id))
      throw UsageError("store " + store.path() + " has no experiment " + std::to_string(id) + " (rlnas runs list shows the ids)");
    auto entry = store::export_experiment(store, id, options);
    if (const auto summary = summary_of(store, id, network_label)) entry["summary"] = summary->to_json();
    out.push_back({json(entry), "store " + store.path()});
  }
  return out;
}

ojson compare_study(const std::vector<StudyInput>& inputs, const CompareOptions& options) {
  if (inputs.empty()) throw Error("compare: no experiments given");
  std::vector<Experiment> experiments;
  for (const auto& in : inputs) experiments.push_back(parse_experiment(in));
  // The same experiment given twice (the same id from the same source) counts once.
  {
    std::set<std::pair<std::string, int64_t>> seen;
    std::vector<Experiment> unique;
    for (auto& e : experiments)
      if (seen.insert({e.source, e.id}).second) unique.push_back(std::move(e));
    experiments = std::move(unique);
  }
  // Arms: --arm first.
  std::set<int64_t> placed;
  for (const auto& [name, ids] : options.arms) {
    for (const auto id : ids) {
      if (!placed.insert(id).second) throw Error("--arm: experiment " + std::to_string(id) + " is in two arms");
      auto it = std::find_if(experiments.begin(), experiments.end(), [&](const Experiment& e) { return e.id == id; });
      if (it == experiments.end())
        throw Error("--arm " + name + ": experiment " + std::to_string(id) + " is not among the experiments given");
      if (it->tabular) throw Error("--arm " + name + ": experiment " + std::to_string(id) + " is the tabular benchmark (a grid search), not an arm");
      it->arm = name;
    }
  }
  // The rest by signature: named by strategy, with the settings that differ from the strategy's
  // other groups.
  std::map<std::string, std::vector<std::string>> signatures_of_strategy;  // strategy -> signatures
  for (const auto& e : experiments) {
    if (!e.arm.empty() || e.tabular || e.is_train) continue;
    auto& v = signatures_of_strategy[e.strategy + "\n" + e.env];
    if (std::find(v.begin(), v.end(), e.signature) == v.end()) v.push_back(e.signature);
  }
  for (auto& e : experiments) {
    if (!e.arm.empty() || e.tabular || e.is_train) continue;
    const auto& v = signatures_of_strategy[e.strategy + "\n" + e.env];
    e.arm = e.strategy;
    if (v.size() > 1) {
      std::vector<json> others;
      for (const auto& other : v)
        if (other != e.signature) others.push_back(json::parse(other));
      e.arm += " (" + differing_settings(json::parse(e.signature), others) + ")";
    }
  }
  ojson out;
  out["schema_version"] = kCompareSchemaVersion;
  out["level"] = options.level;
  out["seed"] = options.seed;
  out["margin"] = options.margin ? ojson(*options.margin) : ojson(nullptr);
  out["methods"] = {
      {"arm_vs_random",
       "randomization test: under the null each search's top-K is a uniformly random K-subset of the benchmark, so its "
       "pick is a draw of random search's exact best-of-K; the mean over the searches against " +
           std::to_string(options.randomization_draws) + " seeded draws of that null"},
      {"arm_vs_arm", "Welch's t with Satterthwaite's degrees of freedom over the searches (each: its found "
                     "architecture's mean over its training seeds)"},
      {"arm_vs_baseline", "Welch's t with Hsu's conservative degrees of freedom, min(n) - 1: the arm's searches "
                          "against the baseline's training seeds (an arm of one search: its found architecture's "
                          "training seeds)"},
      {"baseline_vs_baseline", "the same over the two references' training seeds"},
      {"verdict", "better / worse only when the 95% interval excludes 0 and Holm's adjusted p (over the environment's "
                  "comparisons with an interval) is below 0.05; otherwise inconclusive; equivalent only from "
                  "--margin's test"},
      {"sd", "sample standard deviation (n - 1)"}};
  ojson exps = ojson::array();
  for (const auto& e : experiments)
    exps.push_back({{"id", e.id}, {"source", e.source}, {"name", e.name}, {"kind", e.is_train ? "train" : "search"},
                    {"strategy", e.strategy}, {"env", e.env}, {"space", e.space},
                    {"arm", e.tabular ? "benchmark" : e.arm}, {"search_seed", e.search_seed}});
  out["experiments"] = exps;
  std::vector<std::string> envs;
  for (const auto& e : experiments)
    if (std::find(envs.begin(), envs.end(), e.env) == envs.end()) envs.push_back(e.env);
  std::map<std::string, ojson> agg_inputs;
  ojson envs_json = ojson::array();
  for (const auto& env : envs) {
    std::vector<const Experiment*> members;
    for (const auto& e : experiments)
      if (e.env == env) members.push_back(&e);
    envs_json.push_back(environment_study(env, members, options, agg_inputs));
  }
  out["environments"] = envs_json;
  out["aggregate"] = aggregate(agg_inputs, options);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text

namespace {

std::string fmt(double v, int decimals = 2, bool sign = false) {
  char buf[64];
  std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", decimals, v);
  return buf;
}

std::string num(const ojson& j, int decimals = 2, bool sign = false) {
  return j.is_number() ? fmt(j.get<double>(), decimals, sign) : std::string("-");
}

// A figure as read: whole numbers without decimals.
std::string figure(const ojson& j) {
  if (!j.is_number()) return "-";
  const double v = j.get<double>();
  return v == std::floor(v) && std::fabs(v) < 1e15 ? fmt(v, 0) : fmt(v, 2);
}

std::string p_text(const ojson& j) {
  if (!j.is_number()) return "-";
  const double p = j.get<double>();
  if (p < 0.001) return "<0.001";
  return fmt(p, 3);
}

// A benchmark whose ranks are mostly training noise: neither the ANOVA nor the rank test
// separates its architectures (summaries from before the rank test: the ANOVA alone).
bool not_separated(const ojson& benchmark) {
  if (!benchmark.is_object() || !benchmark["separation"].is_object()) return false;
  const auto& sp = benchmark["separation"];
  return !sp["separates"].get<bool>() && !sp.value("separates_by_rank", false);
}

}  // namespace

std::string study_text(const ojson& s) {
  std::ostringstream o;
  o << "Comparison of " << s["experiments"].size() << " experiments (rlnas compare, schema " << s["schema_version"]
    << "): test metric total reward, sd = sample standard deviation (n - 1), " << num(s["level"].get<double>() * 100, 0)
    << "% intervals, resampling seed " << s["seed"] << ".\n";
  for (const auto& env : s["environments"]) {
    o << "\n== " << env["env"].get<std::string>() << ", space " << env["space"].get<std::string>() << ", "
      << env["budget_steps"] << " steps per training; selection by " << env["selection"]["name"].get<std::string>()
      << " ==\n";
    const auto& b = env["benchmark"];
    if (b.is_object()) {
      o << "\nTabular benchmark (experiment " << b["experiment"] << "): " << b["architectures"] << " architectures, "
        << b["trainings"] << " trainings.\n";
      if (b["separation"].is_object()) {
        const auto& sp = b["separation"];
        std::string rc;
        for (const auto& r : sp["seed_rank_correlations"]) rc += (rc.empty() ? "" : ", ") + num(r, 2, true);
        o << "  does it separate architectures? one-way ANOVA F(" << num(sp["df_between"], 0) << ", "
          << num(sp["df_within"], 0) << ") = " << num(sp["f"]) << ", p = " << p_text(sp["p"]) << "; ICC(1) "
          << num(sp["icc1"]) << ", reliability of a " << num(sp["seeds_per_architecture"], 0) << "-seed mean "
          << num(sp["icc_mean"]) << "; rank correlation between training seeds " << (rc.empty() ? "-" : rc)
          << "; smallest difference between two architectures detectable (80% power) " << num(sp["mde"]);
        if (sp.contains("kruskal_p")) {
          o << "; Kruskal-Wallis H = " << num(sp["kruskal_h"]) << ", p = " << p_text(sp["kruskal_p"]);
        }
        o << ".\n  " << sp["statement"].get<std::string>() << ".\n";
      }
      const auto& best = b["best_by_selection"];
      o << "  best by selection: " << best["arch"].dump() << " (test " << num(best["test"]) << ")"
        << (not_separated(b) ? " - not separated from the rest" : "")
        << "; mean of all " << num(b["mean_test"]) << "\n";
      for (const auto& r : b["random_search"])
        o << "  random search, best of " << r["k"] << " (exact over all draws): expected " << num(r["expected_test"])
          << ", sd over draws " << num(r["sd_test"]) << "\n";
    } else {
      o << "\nNo tabular benchmark among the experiments (a grid search): no comparison with random search.\n";
    }
    o << "\nTotal reward (mean ± sd):\n";
    for (const auto& bl : env["baselines"])
      o << "  baseline " << bl["label"].get<std::string>() << ": " << num(bl["test_mean"]) << " ± " << num(bl["test_sd"])
        << " (" << bl["seeds"] << " seeds)\n";
    for (const auto& a : env["arms"])
      o << "  " << a["name"].get<std::string>() << ": " << num(a["test_mean"]) << " ± " << num(a["test_sd"]) << " ("
        << a["searches"] << " searches, " << a["distinct_found"] << " distinct architectures found)\n";
    o << "\nComparisons (a - b; verdict from the interval and Holm's p over " << env["holm"]["family"]
      << " comparisons):\n";
    for (const auto& c : env["comparisons"]) {
      o << "  " << c["a"].get<std::string>() << " - " << c["b"].get<std::string>() << ": " << num(c["effect"], 2, true);
      if (c["low"].is_number())
        o << " [" << num(c["low"], 2, true) << ", " << num(c["high"], 2, true) << "]";
      o << ", p " << p_text(c["p"]) << " (Holm " << p_text(c["p_holm"]) << "), " << c["verdict"].get<std::string>()
        << "; " << c["method"].get<std::string>();
      if (c["mde"].is_number()) o << ", detectable " << num(c["mde"]);
      if (c.contains("equivalence")) {
        const auto& e = c["equivalence"];
        o << "; " << (e["equivalent"].get<bool>() ? "equivalent" : "not shown equivalent") << " within ±"
          << num(e["margin"]);
      }
      if (!c["note"].get<std::string>().empty()) o << " (" << c["note"].get<std::string>() << ")";
      o << "\n";
    }
    for (const auto& a : env["arms"]) {
      o << "\n" << a["name"].get<std::string>() << ": picks (rank in the benchmark by test, ties averaged; P(random best-of-"
        << a["top_k"] << " >= pick))\n";
      for (const auto& p : a["picks"]) {
        o << "  search seed " << p["search_seed"] << " (experiment " << p["experiment"] << "): " << p["arch"].dump() << " "
          << num(p["test"]);
        if (p["rank_test"].is_number()) o << ", rank " << num(p["rank_test"], 1);
        if (p.contains("p_random_at_least")) o << ", P " << num(p["p_random_at_least"]);
        if (p["proxy_rank_correlation"].is_number()) o << ", proxy Spearman " << num(p["proxy_rank_correlation"], 2, true);
        o << "\n";
      }
      if (not_separated(b))
        o << "  (the benchmark does not separate architectures at this budget: these ranks are mostly training noise)\n";
      if (a["proxy_rank_correlation"].is_object()) {
        const auto& pr = a["proxy_rank_correlation"];
        o << "  proxy vs benchmark (Spearman over the architectures, mean over " << pr["searches"] << " searches): "
          << num(pr["effect"], 2, true);
        if (pr["low"].is_number()) o << " [" << num(pr["low"], 2, true) << ", " << num(pr["high"], 2, true) << "], t over searches";
        o << "\n";
      }
      if (!a["learning"].empty()) {
        o << "  how much the searches learned:";
        for (const auto& l : a["learning"])
          o << " " << l["figure"].get<std::string>() << " " << figure(l["mean"])
            << (l["sd"].get<double>() > 0 ? " ± " + num(l["sd"]) : std::string()) << ";";
        o << "\n";
      }
      for (const auto& w : a["warnings"])
        o << "  warning (" << w["searches"] << " of " << a["searches"] << " searches): " << w["warning"].get<std::string>() << "\n";
    }
    for (const auto& n : env["notes"]) o << "note: " << n.get<std::string>() << "\n";
  }
  const auto& agg = s["aggregate"];
  if (agg.is_object()) {
    o << "\n== across environments (Agarwal et al. 2021; stratified bootstrap intervals) ==\n";
    if (agg["normalization"].is_string()) o << "normalized: " << agg["normalization"].get<std::string>() << "\n";
    for (const auto& i : agg["iqm"])
      o << "  IQM " << i["name"].get<std::string>() << ": " << num(i["iqm"]) << " [" << num(i["low"]) << ", "
        << num(i["high"]) << "]\n";
    for (const auto& p : agg["probability_of_improvement"])
      o << "  P(" << p["a"].get<std::string>() << " > " << p["b"].get<std::string>() << "): " << num(p["probability"])
        << " [" << num(p["low"]) << ", " << num(p["high"]) << "]\n";
  }
  return o.str();
}

}  // namespace rlnas::search
