// collect(): everything a report shows about one experiment, read from the store (and from the
// run directories of trials still running), as one JSON document for the page's script.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/stats.h"
#include "rlnas/report/report.h"
#include "rlnas/rl/workloads.h"
#include "rlnas/search/search.h"
#include "rlnas/space/space.h"
#include "rlnas/store/store.h"

namespace rlnas::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;
using store::Role;
using store::Status;
using store::TrialRecord;

template <class T>
ordered_json opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json();
}

// A setting of the experiment's configuration: searches keep training keys under "train" and
// search keys under "search"; a train experiment's configuration is the training one.
ordered_json setting(const ordered_json& config, const std::string& key) {
  for (const char* part : {"train", "search"}) {
    if (config.contains(part) && config[part].is_object() && config[part].contains(key)) return config[part][key];
  }
  if (config.is_object() && config.contains(key)) return config[key];
  return nullptr;
}

// "2025-01-31T12:00:00.000Z" -> seconds since the epoch (UTC); NaN if unreadable.
double epoch_seconds(const std::string& iso) {
  std::tm tm{};
  if (iso.size() < 19 || !strptime(iso.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return NAN;
  double s = static_cast<double>(timegm(&tm));
  if (iso.size() >= 23 && iso[19] == '.') s += std::atof(iso.substr(19, 4).c_str());
  return s;
}

std::vector<json> read_jsonl(const fs::path& file) {
  std::vector<json> lines;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      check_json_depth(line, file.string());
      lines.push_back(json::parse(line));
    } catch (const std::exception&) {
      break;  // a line being written: stop at the last complete one
    }
  }
  return lines;
}

// A trial's learning curve: the store's, or while the trial runs (the store gets the curve at its
// end) its run directory's metrics.jsonl.
std::vector<store::CurvePoint> curve_of(const store::Store& store, const TrialRecord& t) {
  auto points = store.curve(t.id);
  if (points.empty() && t.status == Status::running && !t.run_dir.empty()) {
    for (const auto& line : read_jsonl(fs::path(t.run_dir) / "metrics.jsonl")) {
      if (!line.is_object() || !line.contains("step") || !line["step"].is_number()) continue;
      points.push_back({line["step"].get<int64_t>(), ordered_json(line)});
    }
  }
  return points;
}

// The label of a network that is not a candidate: a named architecture, "net:NAME", or its id.

using Curve = std::vector<store::CurvePoint>;

std::vector<Curve> curves_of(const store::Store& store, const std::vector<TrialRecord>& trials) {
  std::vector<Curve> curves;
  for (const auto& t : trials) curves.push_back(curve_of(store, t));
  return curves;
}

// One line per architecture and role: mean and spread over seeds at the steps the seeds logged.
ordered_json curve_series(const std::vector<Curve>& curves, const std::string& metric) {
  std::map<int64_t, std::vector<double>> at;
  for (const auto& curve : curves) {
    for (const auto& p : curve) {
      if (p.metrics.contains(metric) && p.metrics[metric].is_number()) {
        at[p.step].push_back(p.metrics[metric].get<double>());
      }
    }
  }
  ordered_json steps = ordered_json::array(), mean = ordered_json::array(), sd = ordered_json::array(),
               n = ordered_json::array();
  for (const auto& [step, values] : at) {
    steps.push_back(step);
    mean.push_back(mean_of(values));
    sd.push_back(population_std(values));
    n.push_back(values.size());
  }
  return {{"steps", steps}, {"mean", mean}, {"std", sd}, {"n", n}};
}

struct Row {
  search::RowKind kind;
  ordered_json json;
  std::vector<TrialRecord> trials;
};

// The architecture's readable description and diagram data, from its space.
ordered_json architecture_view(const std::string& arch_text) {
  ordered_json view = {{"arch", nullptr}, {"lines", ordered_json::array()}, {"graph", nullptr}};
  if (arch_text.empty()) return view;
  try {
    const auto arch_json = json::parse(arch_text);
    view["arch"] = arch_json;
    if (arch_json.contains("net")) {
      view["lines"].push_back("fixed network " + arch_json["net"].value("name", std::string("?")));
      return view;
    }
    const auto arch = space::Architecture::parse(arch_text);
    const auto& sp = space::find_space(arch.space);
    for (const auto& line : sp.describe(arch)) view["lines"].push_back(line);
    view["graph"] = sp.graph(arch);
  } catch (const std::exception& e) {
    view["lines"].push_back(std::string("(cannot describe this architecture: ") + e.what() + ")");
  }
  return view;
}

// Option labels of each decision of a space, for the controller's probabilities.
std::map<std::string, std::vector<std::string>> option_labels(const std::string& space_name) {
  std::map<std::string, std::vector<std::string>> labels;
  try {
    for (const auto& d : space::find_space(space_name).decisions()) {
      auto& l = labels[d.name];
      for (const auto& o : d.options) l.push_back(o.is_string() ? o.get<std::string>() : o.dump());
    }
  } catch (const std::exception&) {
  }
  return labels;
}

// ENAS: the controller's per-decision probabilities (along its greedy path) over the search.
ordered_json controller_series(const std::vector<store::SnapshotRecord>& snaps, const std::string& space_name) {
  if (snaps.empty()) return nullptr;
  const auto labels = option_labels(space_name);
  ordered_json decisions = ordered_json::array();
  std::map<std::string, size_t> index;
  ordered_json steps = ordered_json::array(), greedy = ordered_json::array();
  for (const auto& s : snaps) {
    if (!s.payload.contains("greedy") || !s.payload["greedy"].is_array()) continue;
    const auto step_index = steps.size();
    steps.push_back(s.step);
    greedy.push_back(s.payload.value("greedy_probability", 0.0));
    for (const auto& d : s.payload["greedy"]) {
      const auto name = d.value("decision", std::string());
      auto it = index.find(name);
      if (it == index.end()) {
        ordered_json options = ordered_json::array();
        const auto& p = d["probabilities"];
        const auto l = labels.find(name);
        for (size_t i = 0; i < p.size(); ++i) {
          options.push_back(l != labels.end() && i < l->second.size() ? l->second[i] : std::to_string(i));
        }
        decisions.push_back(
            {{"name", name}, {"options", options}, {"steps", ordered_json::array()}, {"probs", ordered_json::array()}});
        it = index.emplace(name, decisions.size() - 1).first;
      }
      auto& dj = decisions[it->second];
      dj["steps"].push_back(steps[step_index]);
      dj["probs"].push_back(d["probabilities"]);
    }
  }
  if (steps.empty()) return nullptr;
  return {{"steps", steps}, {"greedy_probability", greedy}, {"decisions", decisions}};
}

// darts / gdas: the op probabilities of every row of every group over the search, from the
// `alpha` snapshot, or while the supernet trains, its alpha.jsonl.
ordered_json alpha_series(const std::vector<store::SnapshotRecord>& snaps, const std::vector<TrialRecord>& trials) {
  std::vector<json> entries;
  if (!snaps.empty() && snaps.back().payload.contains("snapshots")) {
    for (const auto& e : snaps.back().payload["snapshots"]) entries.push_back(e);
  } else {
    for (const auto& t : trials) {
      if (t.role != Role::train || t.run_dir.empty()) continue;
      const auto lines = read_jsonl(fs::path(t.run_dir) / "alpha.jsonl");
      if (!lines.empty()) {
        entries = lines;
        break;
      }
    }
  }
  if (entries.empty()) return nullptr;
  constexpr size_t kMaxPoints = 200;  // thinned evenly, the last kept
  std::vector<json> kept;
  const size_t stride = (entries.size() + kMaxPoints - 1) / kMaxPoints;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i % stride == 0 || i + 1 == entries.size()) kept.push_back(entries[i]);
  }
  ordered_json steps = ordered_json::array(), temperature = ordered_json::array(), groups = ordered_json::array();
  for (const auto& e : kept) {
    steps.push_back(e.value("step", int64_t{0}));
    temperature.push_back(e.contains("temperature") ? ordered_json(e["temperature"]) : ordered_json());
    const auto& gs = e.value("groups", json::array());
    for (size_t g = 0; g < gs.size(); ++g) {
      if (groups.size() <= g) {
        groups.push_back({{"name", gs[g].value("name", std::string())},
                          {"ops", gs[g].value("ops", json::array())},
                          {"rows", gs[g].value("rows", json::array())},
                          {"probs", ordered_json::array()}});
      }
      groups[g]["probs"].push_back(ordered_json(gs[g].value("probs", json::array())));  // [step][row][op]
    }
  }
  return {{"steps", steps}, {"temperature", temperature}, {"groups", groups}};
}

// A compact one-line genotype: "normal.node2: tanh(0) + skip(1); ..." or "conv2.kernel: 3; ...".
std::string compact(const json& arch) {
  if (!arch.is_object() || !arch.contains("choices")) return arch.dump();
  std::string out;
  for (const auto& [key, value] : arch["choices"].items()) {
    std::string v;
    if (value.is_array() && !value.empty() && value[0].is_array()) {
      for (const auto& e : value) {
        v += (v.empty() ? "" : " + ") + (e[0].is_string() ? e[0].get<std::string>() : e[0].dump()) + "(" + e[1].dump() +
             ")";
      }
    } else {
      v = value.is_string() ? value.get<std::string>() : value.dump();
    }
    out += (out.empty() ? "" : "; ") + key + ": " + v;
  }
  return out;
}

ordered_json sequence_of(const std::vector<store::SnapshotRecord>& snaps) {
  if (snaps.empty() || !snaps.back().payload.contains("sequence")) return nullptr;
  ordered_json out = ordered_json::array();
  for (const auto& s : snaps.back().payload["sequence"]) {
    out.push_back({{"arch_id", s.value("id", std::string())},
                   {"first_step", s.value("first_step", int64_t{0})},
                   {"last_step", s.value("last_step", int64_t{0})},
                   {"text", compact(s.value("arch", json()))}});
  }
  return out;
}

// The store's tabular benchmark of the same space, environment, algorithm and budget, if any:
// each architecture's mean reward over its done seeds.
ordered_json benchmark_of(const store::Store& store, const store::ExperimentRecord& e, const std::string& space_name,
                          int64_t budget) {
  if (space_name.empty()) return nullptr;
  const auto env = setting(e.config, "env"), algo = setting(e.config, "algo");
  std::map<std::string, std::vector<double>> reward;
  std::map<std::string, std::optional<int64_t>> flops;
  std::set<int64_t> sources;
  for (const auto& other : store.experiments()) {
    if (setting(other.config, "env") != env || setting(other.config, "algo") != algo) continue;
    for (const auto& t : store.trials(other.id)) {
      if (t.role != Role::benchmark || t.space != space_name || t.budget != budget || t.status != Status::done)
        continue;
      if (const auto x = t.metric("train_return_mean")) {
        reward[t.arch_id].push_back(*x);
        flops[t.arch_id] = t.flops;
        sources.insert(other.id);
      }
    }
  }
  if (reward.empty()) return nullptr;
  ordered_json archs = ordered_json::array();
  for (const auto& [id, values] : reward) {
    archs.push_back(
        {{"arch_id", id}, {"reward_mean", mean_of(values)}, {"seeds", values.size()}, {"flops", opt(flops[id])}});
  }
  return {{"space", space_name},
          {"experiments", ordered_json(std::vector<int64_t>(sources.begin(), sources.end()))},
          {"archs", archs}};
}

}  // namespace

std::vector<size_t> pareto_front(const std::vector<double>& cost, const std::vector<double>& value) {
  std::vector<size_t> order;
  for (size_t i = 0; i < cost.size() && i < value.size(); ++i) {
    if (std::isfinite(cost[i]) && std::isfinite(value[i])) order.push_back(i);
  }
  // By cost, and at equal cost the best value first: it alone can be on the front.
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return cost[a] != cost[b] ? cost[a] < cost[b] : value[a] > value[b]; });
  std::vector<size_t> front;
  for (const size_t i : order) {
    if (front.empty() || value[i] > value[front.back()]) front.push_back(i);
  }
  return front;
}

ordered_json collect(const store::Store& store, int64_t experiment_id) {
  const auto found_experiment = store.experiment(experiment_id);
  if (!found_experiment) {
    throw Error("report: no experiment " + std::to_string(experiment_id) + " in " + store.path() + " (rlnas --store " +
                store.path() + " runs list shows them)");
  }
  const auto& e = *found_experiment;
  const auto trials = store.trials(experiment_id);
  const bool search = e.kind == "search";

  ordered_json out;
  out["id"] = e.id;
  out["kind"] = e.kind;
  out["name"] = e.name;
  out["store"] = store.path();
  out["status"] = store::to_string(e.status);
  out["started_at"] = e.started_at;
  out["ended_at"] = e.ended_at;
  out["rlnas_version"] = e.rlnas_version;
  out["machine"] = e.machine;
  for (const char* key : {"env", "env_options", "algo", "preset", "steps", "seed"}) out[key] = setting(e.config, key);
  // The synthetic workload trains nothing on an environment: say what its trials are instead.
  const auto* workload = rl::stored_workload(e.config);
  if (workload && workload->kind == rl::WorkloadKind::synthetic) {
    const auto seed = setting(e.config, "synthetic.seed"), noise = setting(e.config, "synthetic.noise");
    out["env"] = "synthetic workload (score table seed " + seed.dump() + ", noise " + noise.dump() + ")";
    out["env_options"] = ordered_json::object();
    out["algo"] = "none (look-ups)";
  }
  std::string space_name;
  if (search) {
    for (const auto& [key, name] : std::vector<std::pair<std::string, std::string>>{{"search.strategy", "strategy"},
                                                                                    {"search.space", "space"},
                                                                                    {"search.steps", "search_steps"},
                                                                                    {"search.top_k", "top_k"},
                                                                                    {"search.seeds", "seeds"}}) {
      out[name] = setting(e.config, key);
    }
    // search.steps 0 means the training budget
    if (out["search_steps"] == 0) out["search_steps"] = out["steps"];
    // A tabular strategy retrains every architecture (the protocol line says so).
    bool tabular = false;
    if (out["strategy"].is_string()) {
      const auto names = search::strategy_names();
      const auto name = out["strategy"].get<std::string>();
      if (std::find(names.begin(), names.end(), name) != names.end()) tabular = search::find_strategy(name).tabular;
    }
    out["tabular"] = tabular;
    space_name = out["space"].is_string() ? out["space"].get<std::string>() : "";
  } else if (!trials.empty()) {
    space_name = trials.front().space;
    out["space"] = space_name;
  }
  out["config"] = e.config;

  // Time: the experiment's own clock (to now while it runs) and the trainings' summed clocks.
  const double start = epoch_seconds(e.started_at);
  const double end = e.ended_at.empty()
                         ? std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()
                         : epoch_seconds(e.ended_at);
  out["elapsed_seconds"] = std::isfinite(start) && std::isfinite(end) ? ordered_json(end - start) : ordered_json();
  double train_seconds = 0;
  ordered_json counts = ordered_json::object(), failures = ordered_json::array();
  for (const auto& t : trials) {
    train_seconds += t.wall_seconds;
    const std::string status = store::to_string(t.status);
    counts[status] = counts.value(status, 0) + 1;
    if (t.status == Status::failed || t.status == Status::stopped) {
      failures.push_back(
          {{"trial", t.id}, {"role", store::to_string(t.role)}, {"status", status}, {"reason", t.reason}});
    }
  }
  out["train_seconds"] = train_seconds;
  out["trials"] = trials.size();
  out["trial_counts"] = counts;
  out["problems"] = failures;

  // The protocol table: the stored summary of a finished search, else the rows so far, each with
  // its trials (a baseline's, or a candidate's retrains or benchmark trainings).
  std::vector<Row> rows;
  if (const auto summary = search ? search::summary_of(store, experiment_id, search::network_label) : std::nullopt) {
    out["rows_final"] = summary->final;
    out["proxy_name"] = summary->proxy_name;
    out["note"] = summary->note;
    const auto j = summary->to_json();
    out["selection"] = j.at("selection");
    out["comparisons"] = j.at("comparisons");
    out["learning"] = j.at("learning");
    out["warnings"] = j.at("warnings");
    for (const auto& r : summary->rows) {
      Row row{r.kind, search::to_json(r), {}};
      for (const auto& t : trials) {
        if (r.kind == search::RowKind::random_search || t.arch_id != r.arch_id) continue;
        const bool baseline = r.kind == search::RowKind::baseline;
        if (baseline ? t.role == Role::baseline : t.role == Role::retrain || t.role == Role::benchmark) {
          row.trials.push_back(t);
        }
      }
      if (!r.latency_ms) {  // summaries written before latencies were measured
        row.json["latency_ms"] = opt(search::summarize_trials(row.trials).latency_ms);
      }
      rows.push_back(std::move(row));
    }
  }
  out["rows"] = ordered_json::array();
  for (const auto& r : rows) out["rows"].push_back(r.json);

  // The found architecture (a search's pick; a train run's own network).
  out["found"] = nullptr;
  for (const auto& r : rows) {
    if (r.kind == search::RowKind::found) {
      auto view = architecture_view(r.json["arch"].is_null() ? "" : r.json["arch"].dump());
      view["label"] = r.json["label"];
      view["arch_id"] = r.json["arch_id"];
      for (const char* k : {"params", "flops", "latency_ms"}) view[k] = r.json.value(k, ordered_json());
      out["found"] = view;
    }
  }
  if (!search && !trials.empty()) {
    const auto& t = trials.front();
    auto view = architecture_view(t.architecture);
    view["label"] = search::network_label(t);
    view["arch_id"] = t.arch_id;
    view["params"] = opt(t.params);
    view["flops"] = opt(t.flops);
    view["latency_ms"] = opt(t.latency_ms);
    out["found"] = view;
  }

  // Learning curves: one line per protocol row (the found row is its candidate's line) or the
  // train run; the search phase's trainings (supernets) apart.
  constexpr int kMaxCandidateCurves = 10;  // a tabular benchmark has hundreds of rows; the found one always
  const std::string found_id = out["found"].is_object() ? out["found"]["arch_id"].get<std::string>() : "";
  int candidate_curves = 0, candidates = 0;
  out["curves"] = ordered_json::array();
  for (const auto& r : rows) {
    if (r.kind == search::RowKind::found || r.kind == search::RowKind::random_search || r.trials.empty()) continue;
    const bool candidate = r.kind == search::RowKind::candidate;
    const bool is_found = candidate && r.json.value("arch_id", std::string()) == found_id;
    if (candidate && ++candidates > kMaxCandidateCurves && !is_found) continue;
    if (candidate) ++candidate_curves;
    auto series = curve_series(curves_of(store, r.trials), "return_mean");
    if (series["steps"].empty()) continue;
    series["label"] = r.json["label"];
    series["kind"] = search::to_string(r.kind);
    series["found"] = is_found;
    series["seeds"] = r.trials.size();
    out["curves"].push_back(series);
  }
  out["candidates_without_curve"] = candidates - candidate_curves;
  out["search_curves"] = ordered_json::array();
  for (const auto& t : trials) {
    if (t.role != Role::train && t.role != Role::proxy) continue;
    const auto curves = curves_of(store, {t});
    auto series = curve_series(curves, "return_mean");
    if (series["steps"].empty()) continue;
    series["label"] = search ? "supernet (search phase, trial " + std::to_string(t.id) + ")" : search::network_label(t);
    series["kind"] = search ? "supernet" : "train";
    series["found"] = false;
    series["seeds"] = 1;
    // Differentiable supernets log their temperature, expected cost and alpha entropy.
    for (const char* m : {"arch.temperature", "arch.cost", "arch.entropy"}) {
      auto s = curve_series(curves, m);
      if (!s["steps"].empty()) series[m] = {{"steps", s["steps"]}, {"values", s["mean"]}};
    }
    (search ? out["search_curves"] : out["curves"]).push_back(series);
  }

  // Search dynamics.
  out["controller"] = search ? controller_series(store.snapshots(experiment_id, "controller"), space_name) : nullptr;
  out["alpha"] = search ? alpha_series(store.snapshots(experiment_id, "alpha"), trials) : nullptr;
  out["sequence"] = search ? sequence_of(store.snapshots(experiment_id, "discretized_sequence")) : nullptr;

  // The tabular benchmark with the picks marked (nas-for-rl-agents Figure 4).
  const int64_t budget = setting(e.config, "steps").is_number() ? setting(e.config, "steps").get<int64_t>() : 0;
  out["benchmark"] = search ? benchmark_of(store, e, space_name, budget) : nullptr;

  // Return vs FLOPs (a2d Figure 3): the protocol rows, and the benchmark's architectures.
  ordered_json points = ordered_json::array();
  for (const auto& r : rows) {
    if (r.kind == search::RowKind::random_search || r.kind == search::RowKind::found) continue;
    if (!r.json.value("flops", ordered_json()).is_number() ||
        !r.json.value("reward_mean", ordered_json()).is_number()) {
      continue;
    }
    points.push_back({{"label", r.json["label"]},
                      {"kind", search::to_string(r.kind)},
                      {"arch_id", r.json["arch_id"]},
                      {"flops", r.json["flops"]},
                      {"reward_mean", r.json["reward_mean"]},
                      {"reward_mean_std", r.json.value("reward_mean_std", ordered_json())}});
  }
  if (out["benchmark"].is_object()) {
    for (const auto& a : out["benchmark"]["archs"]) {
      if (!a["flops"].is_number()) continue;
      points.push_back({{"label", "benchmark " + a["arch_id"].get<std::string>().substr(0, 12)},
                        {"kind", "benchmark"},
                        {"arch_id", a["arch_id"]},
                        {"flops", a["flops"]},
                        {"reward_mean", a["reward_mean"]},
                        {"reward_mean_std", nullptr}});
    }
  }
  std::vector<double> cost, value;
  for (const auto& p : points) {
    cost.push_back(p["flops"].get<double>());
    value.push_back(p["reward_mean"].get<double>());
  }
  for (auto& p : points) p["pareto"] = false;
  for (const size_t i : pareto_front(cost, value)) points[i]["pareto"] = true;
  out["scatter"] = points;
  return out;
}

}  // namespace rlnas::report
