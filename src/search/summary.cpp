// The summary of a search (see rlnas/search/summary.h).
#include "rlnas/search/summary.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <set>

#include "rlnas/core/error.h"
#include "rlnas/core/stats.h"
#include "rlnas/search/tabular.h"
#include "rlnas/rl/workloads.h"

namespace rlnas::search {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

struct KindName {
  RowKind kind;
  const char* text;
};
constexpr KindName kKinds[] = {{RowKind::found, "found"},
                               {RowKind::candidate, "candidate"},
                               {RowKind::baseline, "baseline"},
                               {RowKind::random_search, "random"}};

}  // namespace

const char* to_string(RowKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.text;
  }
  return "?";
}

RowKind parse_row_kind(const std::string& text) {
  std::string valid;
  for (const auto& k : kKinds) {
    if (text == k.text) return k.kind;
    valid += (valid.empty() ? "" : ", ") + std::string(k.text);
  }
  throw Error("summary row kind: expected one of " + valid + ", found '" + text + "'");
}

std::string SelectionRule::metric() const {
  if (select == "reward_mean") return "train_return_mean";
  if (select == "late_return") return "train_return_late";
  if (select == "validation_accuracy") return "validation_accuracy";
  throw Error("search.select: expected one of reward_mean, late_return, found '" + select + "'");
}

std::string SelectionRule::name() const {
  if (select == "validation_accuracy") return "validation accuracy";
  return select == "late_return" ? "late return" : "reward mean";
}

std::string SelectionRule::test_name() const {  // the label of the workload that reports it
  for (const auto& w : rl::workloads()) {
    if (w.test_metric == test_metric) return w.test_name;
  }
  return "total reward";
}

SelectionRule selection_rule_of(const nlohmann::json& train_config, const std::string& select) {
  SelectionRule r;
  // A workload or a selection this rlnas does not know (a newer export) reads as the default: rl's
  // first selection, reward mean.
  const auto* workload = rl::stored_workload(train_config);
  if (!workload) workload = &rl::workloads().front();
  const auto& accepted = workload->select_values;
  r.select = std::find(accepted.begin(), accepted.end(), select) != accepted.end() ? select : accepted.front();
  r.test_metric = workload->test_metric;
  return r;
}

std::vector<std::string> SelectionRule::names() { return {"reward_mean", "late_return"}; }

SummaryRow summarize_trials(const std::vector<store::TrialRecord>& trials, const SelectionRule& rule) {
  SummaryRow r;
  std::vector<double> reward, total, latency, selection;
  const std::string selection_metric = rule.metric();
  std::map<int64_t, SeedFigures> seeds;
  for (const auto& t : trials) {
    r.arch = t.architecture;
    r.arch_id = t.arch_id;
    r.params = t.params;
    r.flops = t.flops;
    if (t.latency_ms) latency.push_back(*t.latency_ms);
    if (t.status != store::Status::done) continue;
    if (const auto x = t.metric("train_return_mean")) reward.push_back(*x);
    if (const auto x = t.metric(rule.test_metric.c_str())) total.push_back(*x);
    auto& f = seeds[t.seed];
    f.seed = t.seed;
    if (const auto x = t.metric(selection_metric.c_str())) {
      selection.push_back(*x);
      f.selection = *x;
    }
    f.test = t.metric(rule.test_metric.c_str());
    if (const auto e = t.metric("train_episodes")) {
      const auto n = static_cast<int64_t>(*e);
      r.min_train_episodes = r.min_train_episodes ? std::min(*r.min_train_episodes, n) : n;
    }
  }
  for (const auto& [seed, f] : seeds) r.by_seed.push_back(f);
  if (!selection.empty()) r.selection = mean_of(selection);
  if (!latency.empty()) {
    std::sort(latency.begin(), latency.end());
    r.latency_ms = latency[latency.size() / 2];
  }
  r.seeds = static_cast<int64_t>(std::max(reward.size(), total.size()));  // supervised trials have no return
  if (!reward.empty()) {
    r.reward_mean = mean_of(reward);
    r.reward_mean_std = population_std(reward);
  }
  if (!total.empty()) {
    r.total_reward = mean_of(total);
    r.total_reward_std = population_std(total);
  }
  return r;
}

ordered_json to_json(const SummaryRow& r) {
  const auto opt = [](const auto& v) { return v ? ordered_json(*v) : ordered_json(); };
  ordered_json by_seed = ordered_json::array();
  for (const auto& f : r.by_seed)
    by_seed.push_back({{"seed", f.seed}, {"selection", opt(f.selection)}, {"test", opt(f.test)}});
  return {{"kind", to_string(r.kind)},
          {"label", r.label},
          {"arch", r.arch.empty() ? ordered_json() : ordered_json::parse(r.arch)},
          {"arch_id", r.arch_id},
          {"proxy", opt(r.proxy)},
          {"seeds", r.seeds},
          {"reward_mean", opt(r.reward_mean)},
          {"reward_mean_std", opt(r.reward_mean_std)},
          {"total_reward", opt(r.total_reward)},
          {"total_reward_std", opt(r.total_reward_std)},
          {"selection", opt(r.selection)},
          {"min_train_episodes", opt(r.min_train_episodes)},
          {"by_seed", by_seed},
          {"params", opt(r.params)},
          {"flops", opt(r.flops)},
          {"latency_ms", opt(r.latency_ms)}};
}

SummaryRow row_from_json(const json& x) {
  SummaryRow r;
  r.kind = parse_row_kind(x.at("kind").get<std::string>());
  r.label = x.at("label").get<std::string>();
  r.arch = x.at("arch").is_null() ? "" : x.at("arch").dump();
  r.arch_id = x.at("arch_id").get<std::string>();
  const auto d = [&](const char* k, std::optional<double>& out) {
    if (!x.at(k).is_null()) out = x.at(k).get<double>();
  };
  const auto i = [&](const char* k, std::optional<int64_t>& out) {
    if (!x.at(k).is_null()) out = x.at(k).get<int64_t>();
  };
  d("proxy", r.proxy);
  r.seeds = x.at("seeds").get<int64_t>();
  d("reward_mean", r.reward_mean);
  d("reward_mean_std", r.reward_mean_std);
  d("total_reward", r.total_reward);
  d("total_reward_std", r.total_reward_std);
  // Version 1 rows have no selection of their own: it was the reward mean.
  if (x.contains("selection")) {
    d("selection", r.selection);
  } else {
    r.selection = r.reward_mean;
  }
  if (x.contains("min_train_episodes")) i("min_train_episodes", r.min_train_episodes);
  for (const auto& f : x.value("by_seed", json::array())) {
    SeedFigures s;
    s.seed = f.at("seed").get<int64_t>();
    if (!f.at("selection").is_null()) s.selection = f.at("selection").get<double>();
    if (!f.at("test").is_null()) s.test = f.at("test").get<double>();
    r.by_seed.push_back(s);
  }
  i("params", r.params);
  i("flops", r.flops);
  if (x.contains("latency_ms")) d("latency_ms", r.latency_ms);  // older summaries lack it
  return r;
}

ordered_json SearchSummary::to_json() const {
  ordered_json rows_json = ordered_json::array(), comparisons_json = ordered_json::array();
  for (const auto& r : rows) rows_json.push_back(search::to_json(r));
  for (const auto& c : comparisons) comparisons_json.push_back(search::to_json(c));
  return {{"schema_version", schema_version},
          {"experiment_id", experiment_id},
          {"status", status},
          {"final", final},
          {"strategy", strategy},
          {"proxy_name", proxy_name},
          {"note", note},
          {"selection", {{"select", rule.select}, {"metric", rule.metric()}, {"test_metric", rule.test_metric}}},
          {"rows", rows_json},
          {"comparisons", comparisons_json},
          {"learning", learning},
          {"warnings", warnings}};
}

SearchSummary SearchSummary::from_json(const json& j) {
  SearchSummary s;
  s.schema_version = j.value("schema_version", int64_t{1});  // stored before the field existed: 1
  s.final = j.value("final", true);
  s.experiment_id = j.at("experiment_id").get<int64_t>();
  s.status = j.at("status").get<std::string>();
  s.strategy = j.at("strategy").get<std::string>();
  s.proxy_name = j.at("proxy_name").get<std::string>();
  s.note = j.at("note").get<std::string>();
  if (j.contains("selection")) {
    s.rule.select = j.at("selection").at("select").get<std::string>();
    s.rule.test_metric = j.at("selection").value("test_metric", s.rule.test_metric);
  }
  for (const auto& x : j.at("rows")) s.rows.push_back(row_from_json(x));
  for (const auto& x : j.value("comparisons", json::array())) s.comparisons.push_back(comparison_from_json(x));
  if (j.contains("learning")) s.learning = j.at("learning");
  for (const auto& w : j.value("warnings", json::array())) s.warnings.push_back(w.get<std::string>());
  return s;
}

std::string SearchSummary::table() const {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "search %lld (%s): %s\n", static_cast<long long>(experiment_id), strategy.c_str(),
                status.c_str());
  out += buf;
  if (rows.empty()) return out + (note.empty() ? "" : note + "\n");
  // mean ± std; one seed has no spread to show ("±" is two bytes: pad the plain number by one).
  const auto pm = [](const std::optional<double>& m, const std::optional<double>& s, bool spread) {
    if (!m) return std::string("- ");
    char b[64];
    if (spread) {
      std::snprintf(b, sizeof b, "%.2f ± %.2f", *m, s.value_or(0));
    } else {
      std::snprintf(b, sizeof b, "%.2f ", *m);
    }
    return std::string(b);
  };
  // The supervised workload: validation accuracy (selection) and test accuracy in the two figure columns.
  const bool supervised = rule.select == "validation_accuracy";
  const bool late = rule.select == "late_return";  // the selection figure gets its own column
  const std::string test_name = rule.test_name();
  std::snprintf(buf, sizeof buf, "%-44s %-12s %12s %16s %16s%s %9s %9s %5s\n", "", "arch", "proxy",
                supervised ? "validation acc" : "reward mean", test_name.c_str(), late ? "      late return" : "",
                "params", "MFLOPs", "seeds");
  out += buf;
  for (const auto& r : rows) {
    std::string proxy = "-";
    if (r.proxy) {
      char b[32];
      std::snprintf(b, sizeof b, "%.4g", *r.proxy);
      proxy = b;
    }
    const bool spread = r.seeds > 1 || r.kind == RowKind::random_search;
    char params[32] = "-", flops[32] = "-", selection[32] = "";
    if (r.params) std::snprintf(params, sizeof params, "%lld", static_cast<long long>(*r.params));
    if (r.flops) std::snprintf(flops, sizeof flops, "%.2f", static_cast<double>(*r.flops) / 1e6);
    if (late)
      std::snprintf(selection, sizeof selection, " %16s",
                    r.selection ? std::to_string(*r.selection).substr(0, 8).c_str() : "-");
    // "±" is two bytes in UTF-8: widen those columns by one.
    std::snprintf(buf, sizeof buf, "%-44s %-12s %12s %17s %17s%s %9s %9s %5lld\n", r.label.c_str(),
                  r.arch_id.substr(0, 12).c_str(), proxy.c_str(),
                  (supervised ? pm(r.selection, std::nullopt, false) : pm(r.reward_mean, r.reward_mean_std, spread)).c_str(),
                  pm(r.total_reward, r.total_reward_std, spread).c_str(), selection, params, flops,
                  static_cast<long long>(r.seeds));
    out += buf;
  }
  out += "Selected on " + rule.name() + ", reported on " + test_name +
         ": the found row is the candidate with the best " + rule.name() + ", random search's pick in each draw is its best by " +
         rule.name();
  if (supervised) {
    out += ", and the same trainings give both figures (validation accuracy: the held-out part of the training set; "
           "test accuracy: the official test set, never selected on); the mean over seeds, ± its std.";
  } else {
    out += ", and the same trainings give both figures (training episodes for selection, the final policy's "
           "evaluation episodes for the report). reward mean: mean return of the last 100 training episodes";
    if (late) out += "; late return: mean return of the episodes that ended in the last 20% of the training steps";
    out += "; total reward: mean return of the final policy's evaluation episodes; mean ± std over seeds.";
  }
  if (!proxy_name.empty()) out += " proxy: " + proxy_name + ".";
  out += "\n";
  if (const auto* f = found()) out += "found architecture: " + f->arch + "\n";
  for (const auto& c : comparisons) {
    if (c.method == "randomization" && c.interval.low) {
      std::snprintf(buf, sizeof buf, "%s - %s (%s, randomization test against %s): %+.2f, 95%% CI [%+.2f, %+.2f]: %s\n",
                    c.a.c_str(), c.b.c_str(), test_name.c_str(), c.pairing.c_str(), c.interval.difference, *c.interval.low,
                    *c.interval.high, c.verdict().c_str());
    } else if (c.interval.low) {
      std::snprintf(buf, sizeof buf,
                    "%s - %s (%s, paired by %s, %d seeds): %+.2f, 95%% CI [%+.2f, %+.2f]: %s\n", c.a.c_str(),
                    c.b.c_str(), test_name.c_str(), c.pairing.c_str(), static_cast<int>(c.interval.n), c.interval.difference,
                    *c.interval.low, *c.interval.high, c.verdict().c_str());
    } else {
      std::snprintf(buf, sizeof buf, "%s - %s (%s): %+.2f; %s\n", c.a.c_str(), c.b.c_str(), test_name.c_str(),
                    c.interval.difference, c.verdict().c_str());
    }
    out += buf;
  }
  if (!learning.empty()) {
    // "controller updates 9, children 98, supernet return 1.53, ...": numbers to 3 significant digits.
    std::string line;
    for (const auto& [k, v] : learning.items()) {
      std::string name = k, value;
      std::replace(name.begin(), name.end(), '_', ' ');
      if (v.is_number_float()) {
        char b[32];
        std::snprintf(b, sizeof b, "%.3g", v.get<double>());
        value = b;
      } else {
        value = v.is_string() ? v.get<std::string>() : v.dump();
      }
      line += (line.empty() ? "" : ", ") + name + " " + value;
    }
    out += "search learned: " + line + "\n";
  }
  for (const auto& w : warnings) out += "warning: " + w + "\n";
  if (!note.empty()) out += note + "\n";
  return out;
}

std::optional<size_t> select_row(const std::vector<SummaryRow>& rows, RowKind kind) {
  std::optional<size_t> best;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.kind == kind && r.selection && (!best || *r.selection > *rows[*best].selection)) best = i;
  }
  return best;
}

void insert_found_row(std::vector<SummaryRow>& rows) {
  const auto best = select_row(rows, RowKind::candidate);
  if (!best) return;
  SummaryRow found = rows[*best];
  found.kind = RowKind::found;
  found.label = "found (" + found.label + ")";
  rows.insert(rows.begin(), found);
}

SummaryRow random_search_row(const std::vector<SummaryRow>& benchmark, int64_t k) {
  std::vector<double> selection, reward, test;
  std::set<int64_t> common;
  bool first = true;
  for (const auto& b : benchmark) {
    if (!b.selection || !b.total_reward)
      throw Error("random search row: benchmark architecture " + b.arch_id + " has no figures");
    selection.push_back(*b.selection);
    reward.push_back(b.reward_mean.value_or(*b.selection));
    test.push_back(*b.total_reward);
    std::set<int64_t> seeds;
    for (const auto& f : b.by_seed) {
      if (f.test) seeds.insert(f.seed);
    }
    if (first) {
      common = seeds;
    } else {
      std::set<int64_t> both;
      std::set_intersection(common.begin(), common.end(), seeds.begin(), seeds.end(), std::inserter(both, both.end()));
      common = both;
    }
    first = false;
  }
  k = std::min<int64_t>(k, static_cast<int64_t>(selection.size()));
  const auto pick = best_of_k_by_selection(selection, test, k);
  SummaryRow row;
  row.kind = RowKind::random_search;
  row.label = "random search (best of " + std::to_string(k) + ", exact)";
  row.selection = pick.selection_mean;
  row.reward_mean = pick.expected(reward);  // the same pick, its training return
  row.reward_mean_std = pick.spread(reward);
  row.total_reward = pick.test_mean;
  row.total_reward_std = pick.test_std;
  row.seeds = static_cast<int64_t>(common.size());
  for (const auto seed : common) {
    std::vector<double> t;
    for (const auto& b : benchmark) {
      for (const auto& f : b.by_seed) {
        if (f.seed == seed) t.push_back(*f.test);
      }
    }
    row.by_seed.push_back({seed, std::nullopt, pick.expected(t)});
  }
  return row;
}

std::string Comparison::verdict() const {
  if (!interval.low && method == "randomization") return "no interval";
  if (!interval.low) {
    return "fewer than " + std::to_string(kMinIntervalSamples) + " paired seeds (" + std::to_string(interval.n) +
           "): no interval";
  }
  return interval.verdict(a, b);
}

ordered_json to_json(const Comparison& c) {
  const auto opt = [](const auto& v) { return v ? ordered_json(*v) : ordered_json(); };
  return {{"a", c.a},
          {"b", c.b},
          {"pairing", c.pairing},
          {"method", c.method},
          {"n", c.interval.n},
          {"difference", c.interval.difference},
          {"low", opt(c.interval.low)},
          {"high", opt(c.interval.high)},
          {"level", c.interval.level},
          {"p", opt(c.p)},
          {"significant", c.interval.significant()},
          {"verdict", c.verdict()}};
}

Comparison comparison_from_json(const json& j) {
  Comparison c;
  c.a = j.at("a").get<std::string>();
  c.b = j.at("b").get<std::string>();
  c.pairing = j.at("pairing").get<std::string>();
  c.interval.n = j.at("n").get<int64_t>();
  c.interval.difference = j.at("difference").get<double>();
  if (!j.at("low").is_null()) c.interval.low = j.at("low").get<double>();
  if (!j.at("high").is_null()) c.interval.high = j.at("high").get<double>();
  c.interval.level = j.at("level").get<double>();
  c.method = j.value("method", std::string("paired_t"));  // schema 2 and before: always the paired t
  if (j.contains("p") && j["p"].is_number()) c.p = j["p"].get<double>();
  return c;
}

DiscreteDistribution random_search_null(const std::vector<SummaryRow>& benchmark, int64_t k) {
  std::vector<double> selection, test;
  for (const auto& b : benchmark) {
    if (!b.selection || !b.total_reward)
      throw Error("random search null: benchmark architecture " + b.arch_id + " has no figures");
    selection.push_back(*b.selection);
    test.push_back(*b.total_reward);
  }
  return best_of_k_distribution(selection, test, std::min<int64_t>(k, static_cast<int64_t>(selection.size())));
}

std::vector<Comparison> compare_found(const std::vector<SummaryRow>& rows, const DiscreteDistribution* random_null) {
  std::vector<Comparison> out;
  const SummaryRow* found = nullptr;
  for (const auto& r : rows) {
    if (r.kind == RowKind::found) found = &r;
  }
  if (!found) return out;
  std::map<int64_t, double> mine;
  for (const auto& f : found->by_seed) {
    if (f.test) mine[f.seed] = *f.test;
  }
  for (const auto kind : {RowKind::random_search, RowKind::baseline}) {
    for (const auto& r : rows) {
      if (r.kind != kind) continue;
      std::vector<double> d;
      for (const auto& f : r.by_seed) {
        if (const auto it = mine.find(f.seed); it != mine.end() && f.test) d.push_back(it->second - *f.test);
      }
      Comparison c;
      c.a = "found";
      c.b = r.label;
      if (kind == RowKind::random_search && random_null && found->total_reward) {
        const TestResult t = randomization_test({*found->total_reward}, *random_null, 0.95, 1, 100000);
        c.method = "randomization";
        c.pairing = "random search's exact best-of-K draws";
        c.interval.n = 1;
        c.interval.difference = t.effect;
        c.interval.low = t.low;
        c.interval.high = t.high;
        c.p = t.p;
      } else {
        c.interval = paired_t_interval(d);
        const auto t = paired_t_test(d);
        c.p = t.p;
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<SummaryRow> live_rows(const std::vector<store::TrialRecord>& trials,
                                  const std::function<std::string(const store::TrialRecord&)>& baseline_label,
                                  const SelectionRule& rule) {
  using store::Role;
  std::vector<std::pair<SummaryRow, std::vector<store::TrialRecord>>> rows;
  std::map<std::pair<int, std::string>, size_t> index;
  int candidates = 0;
  for (const auto& t : trials) {
    if (t.role != Role::retrain && t.role != Role::baseline && t.role != Role::benchmark) continue;
    const auto key = std::make_pair(static_cast<int>(t.role), t.arch_id);
    auto it = index.find(key);
    if (it == index.end()) {
      SummaryRow r;
      r.kind = t.role == Role::baseline ? RowKind::baseline : RowKind::candidate;
      r.label = r.kind == RowKind::candidate ? "candidate " + std::to_string(++candidates) : baseline_label(t);
      it = index.emplace(key, rows.size()).first;
      rows.push_back({std::move(r), {}});
    }
    rows[it->second].second.push_back(t);
  }
  std::vector<SummaryRow> out;
  for (auto& [row, ts] : rows) {
    SummaryRow r = summarize_trials(ts, rule);  // the figures the final summary will have
    r.kind = row.kind;
    r.label = row.label;
    out.push_back(std::move(r));
  }
  return out;
}

const SummaryRow* SearchSummary::found() const {
  for (const auto& r : rows) {
    if (r.kind == RowKind::found) return &r;
  }
  return nullptr;
}

std::optional<SearchSummary> summary_of(const store::Store& store, int64_t experiment_id,
                                        const std::function<std::string(const store::TrialRecord&)>& baseline_label) {
  const auto e = store.experiment(experiment_id);
  if (!e || e->kind != "search") return std::nullopt;
  const auto stored = store.snapshots(experiment_id, "summary");
  if (!stored.empty()) return SearchSummary::from_json(stored.back().payload);
  SearchSummary s;
  s.experiment_id = experiment_id;
  s.status = store::to_string(e->status);
  s.final = false;
  const auto search = e->config.value("search", ordered_json::object());
  s.strategy = search.value("search.strategy", std::string());
  s.rule = selection_rule_of(e->config.value("train", ordered_json::object()), search.value("search.select", std::string("reward_mean")));
  s.rows = live_rows(store.trials(experiment_id), baseline_label, s.rule);
  return s;
}

}  // namespace rlnas::search
