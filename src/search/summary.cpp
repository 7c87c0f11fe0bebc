// The summary of a search (see rlnas/search/summary.h).
#include "rlnas/search/summary.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "rlnas/core/error.h"
#include "rlnas/core/stats.h"

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

SummaryRow summarize_trials(const std::vector<store::TrialRecord>& trials, const std::string& selection_metric,
                            const std::string& test_metric) {
  SummaryRow r;
  std::vector<double> reward, total, latency;
  for (const auto& t : trials) {
    r.arch = t.architecture;
    r.arch_id = t.arch_id;
    r.params = t.params;
    r.flops = t.flops;
    if (t.latency_ms) latency.push_back(*t.latency_ms);
    if (t.status != store::Status::done) continue;
    if (const auto x = t.metric(selection_metric.c_str())) reward.push_back(*x);
    if (const auto x = t.metric(test_metric.c_str())) total.push_back(*x);
  }
  if (!latency.empty()) {
    std::sort(latency.begin(), latency.end());
    r.latency_ms = latency[latency.size() / 2];
  }
  r.seeds = static_cast<int64_t>(reward.size());
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
  i("params", r.params);
  i("flops", r.flops);
  if (x.contains("latency_ms")) d("latency_ms", r.latency_ms);  // older summaries lack it
  return r;
}

ordered_json SearchSummary::to_json() const {
  ordered_json rows_json = ordered_json::array();
  for (const auto& r : rows) rows_json.push_back(search::to_json(r));
  return {{"schema_version", schema_version},
          {"experiment_id", experiment_id},
          {"status", status},
          {"final", final},
          {"strategy", strategy},
          {"proxy_name", proxy_name},
          {"note", note},
          {"rows", rows_json}};
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
  for (const auto& x : j.at("rows")) s.rows.push_back(row_from_json(x));
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
  std::snprintf(buf, sizeof buf, "%-44s %-12s %12s %16s %16s %9s %9s %5s\n", "", "arch",
                proxy_name.empty() ? "proxy" : "proxy", "reward mean", "total reward", "params", "MFLOPs", "seeds");
  out += buf;
  for (const auto& r : rows) {
    std::string proxy = "-";
    if (r.proxy) {
      char b[32];
      std::snprintf(b, sizeof b, "%.4g", *r.proxy);
      proxy = b;
    }
    const bool spread = r.seeds > 1 || r.kind == RowKind::random_search;
    char params[32] = "-", flops[32] = "-";
    if (r.params) std::snprintf(params, sizeof params, "%lld", static_cast<long long>(*r.params));
    if (r.flops) std::snprintf(flops, sizeof flops, "%.2f", static_cast<double>(*r.flops) / 1e6);
    // "±" is two bytes in UTF-8: widen those columns by one.
    std::snprintf(buf, sizeof buf, "%-44s %-12s %12s %17s %17s %9s %9s %5lld\n", r.label.c_str(),
                  r.arch_id.substr(0, 12).c_str(), proxy.c_str(), pm(r.reward_mean, r.reward_mean_std, spread).c_str(),
                  pm(r.total_reward, r.total_reward_std, spread).c_str(), params, flops,
                  static_cast<long long>(r.seeds));
    out += buf;
  }
  out +=
      "reward mean: mean return of the last 100 training episodes; total reward: mean return of the final "
      "policy's evaluation episodes; mean ± std over seeds.";
  if (!proxy_name.empty()) out += " proxy: " + proxy_name + ".";
  out += "\n";
  if (const auto* f = found()) out += "found architecture: " + f->arch + "\n";
  if (!note.empty()) out += note + "\n";
  return out;
}

void insert_found_row(std::vector<SummaryRow>& rows) {
  std::optional<size_t> best;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.kind == RowKind::candidate && r.reward_mean && (!best || *r.reward_mean > *rows[*best].reward_mean)) best = i;
  }
  if (!best) return;
  SummaryRow found = rows[*best];
  found.kind = RowKind::found;
  found.label = "found (" + found.label + ")";
  rows.insert(rows.begin(), found);
}

std::vector<SummaryRow> live_rows(const std::vector<store::TrialRecord>& trials,
                                  const std::function<std::string(const store::TrialRecord&)>& baseline_label) {
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
    SummaryRow r = summarize_trials(ts);  // the figures the final summary will have
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
  s.rows = live_rows(store.trials(experiment_id), baseline_label);
  return s;
}

}  // namespace rlnas::search
