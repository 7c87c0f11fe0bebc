// Export and import of experiments (see rlnas/store/exchange.h and docs/store.md).
#include "rlnas/store/exchange.h"

#include <chrono>
#include <ctime>
#include <map>

#include "rlnas/core/error.h"
#include "rlnas/core/gzip.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/store/store.h"

namespace rlnas::store {

using nlohmann::ordered_json;

namespace {

// A field of the document, or an Error naming the source and the JSON path.
class Reader {
 public:
  Reader(const std::string& source) : source_(source) {}

  const ordered_json& at(const ordered_json& object, const std::string& key, const std::string& path) const {
    if (!object.is_object()) fail(path, "an object", object);
    if (!object.contains(key)) throw Error(source_ + ": " + path + " has no \"" + key + "\"");
    return object[key];
  }
  std::string text(const ordered_json& object, const std::string& key, const std::string& path) const {
    const auto& v = at(object, key, path);
    if (!v.is_string()) fail(path + "." + key, "a string", v);
    return v.get<std::string>();
  }
  int64_t integer(const ordered_json& object, const std::string& key, const std::string& path) const {
    const auto& v = at(object, key, path);
    if (!v.is_number_integer()) fail(path + "." + key, "an integer", v);
    return v.get<int64_t>();
  }
  double number(const ordered_json& object, const std::string& key, const std::string& path) const {
    const auto& v = at(object, key, path);
    if (!v.is_number()) fail(path + "." + key, "a number", v);
    return v.get<double>();
  }
  const ordered_json& array(const ordered_json& object, const std::string& key, const std::string& path) const {
    const auto& v = at(object, key, path);
    if (!v.is_array()) fail(path + "." + key, "an array", v);
    return v;
  }
  template <typename T>
  std::optional<T> optional(const ordered_json& object, const std::string& key, const std::string& path) const {
    const auto& v = at(object, key, path);
    if (v.is_null()) return std::nullopt;
    if (!v.is_number()) fail(path + "." + key, "a number or null", v);
    return v.get<T>();
  }
  [[noreturn]] void fail(const std::string& path, const char* expected, const ordered_json& found) const {
    std::string text = found.dump();
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    throw Error(source_ + ": " + path + " should be " + expected + ", found " + text);
  }
  template <typename F>
  auto parsed(const std::string& path, F&& parse) const {
    try {
      return parse();
    } catch (const Error& e) {
      throw Error(source_ + ": " + path + ": " + e.what());
    }
  }

 private:
  std::string source_;
};

ExperimentRecord read_experiment(const Reader& r, const ordered_json& j, const std::string& path) {
  ExperimentRecord e;
  e.id = r.integer(j, "id", path);
  e.kind = r.text(j, "kind", path);
  e.name = r.text(j, "name", path);
  e.config = r.at(j, "config", path);
  e.rlnas_version = r.text(j, "rlnas_version", path);
  e.machine = r.at(j, "machine", path);
  e.status = r.parsed(path + ".status", [&] { return parse_status(r.text(j, "status", path)); });
  e.started_at = r.text(j, "started_at", path);
  const auto& ended = r.at(j, "ended_at", path);
  if (!ended.is_null()) e.ended_at = r.text(j, "ended_at", path);
  return e;
}

TrialRecord read_trial(const Reader& r, const ordered_json& j, const std::string& path) {
  TrialRecord t;
  t.id = r.integer(j, "id", path);
  t.role = r.parsed(path + ".role", [&] { return parse_role(r.text(j, "role", path)); });
  t.status = r.parsed(path + ".status", [&] { return parse_status(r.text(j, "status", path)); });
  t.reason = r.text(j, "reason", path);
  t.space = r.text(j, "space", path);
  t.arch_id = r.text(j, "arch_id", path);
  t.architecture = r.at(j, "architecture", path).dump();
  t.seed = r.integer(j, "seed", path);
  t.budget = r.integer(j, "budget", path);
  t.steps = r.integer(j, "steps", path);
  t.wall_seconds = r.number(j, "wall_seconds", path);
  // What rlnas writes is never negative; a negative count would print as a huge unsigned number.
  for (const auto& [key, value] : {std::pair<const char*, double>{"seed", static_cast<double>(t.seed)},
                                   {"budget", static_cast<double>(t.budget)},
                                   {"steps", static_cast<double>(t.steps)},
                                   {"wall_seconds", t.wall_seconds}}) {
    if (!(value >= 0)) r.fail(path + "." + key, "a number >= 0", j[key]);
  }
  t.params = r.optional<int64_t>(j, "params", path);
  t.flops = r.optional<int64_t>(j, "flops", path);
  t.latency_ms = r.optional<double>(j, "latency_ms", path);
  t.metrics = r.at(j, "metrics", path);
  if (!r.at(j, "cache_key", path).is_null()) t.cache_key = r.text(j, "cache_key", path);
  t.run_dir = r.text(j, "run_dir", path);
  t.checkpoint = r.text(j, "checkpoint", path);
  t.created_at = r.text(j, "created_at", path);
  t.updated_at = r.text(j, "updated_at", path);
  return t;
}

// The experiment of this store that `e` is (kind, name, start and configuration agree), if any.
// Text as an export writes it: bytes that are not UTF-8 replaced by U+FFFD, so that a store's own
// export is recognised there although its names held such bytes.
std::string as_exported(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::optional<ExperimentRecord> same_experiment(const Store& store, const ExperimentRecord& e) {
  const auto name = as_exported(e.name), config = as_exported(e.config);
  for (const auto& x : store.experiments()) {
    if (x.kind == e.kind && x.started_at == e.started_at && as_exported(x.name) == name &&
        as_exported(x.config) == config) {
      return x;
    }
  }
  return std::nullopt;
}

ImportedExperiment import_one(Store& store, const Reader& r, const ordered_json& entry, const std::string& path,
                              const std::string& source) {
  ImportedExperiment out;
  auto e = read_experiment(r, r.at(entry, "experiment", path), path + ".experiment");
  out.original_id = e.id;
  const auto& trials = r.array(entry, "trials", path);
  const auto& snapshots = r.array(entry, "snapshots", path);
  // Everything is read and checked before the store is touched.
  struct Trial {
    TrialRecord record;
    std::vector<CurvePoint> curve;
  };
  std::vector<Trial> parsed;
  for (size_t i = 0; i < trials.size(); ++i) {
    const std::string tp = path + ".trials[" + std::to_string(i) + "]";
    Trial t{read_trial(r, trials[i], tp), {}};
    if (trials[i].contains("curve")) {
      const auto& curve = r.array(trials[i], "curve", tp);
      for (size_t k = 0; k < curve.size(); ++k) {
        const std::string cp = tp + ".curve[" + std::to_string(k) + "]";
        t.curve.push_back({r.integer(curve[k], "step", cp), r.at(curve[k], "metrics", cp)});
      }
    }
    parsed.push_back(std::move(t));
  }
  std::vector<SnapshotRecord> snaps;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    const std::string sp = path + ".snapshots[" + std::to_string(i) + "]";
    SnapshotRecord s;
    s.step = r.integer(snapshots[i], "step", sp);
    s.kind = r.text(snapshots[i], "kind", sp);
    s.created_at = r.text(snapshots[i], "created_at", sp);
    s.payload = r.at(snapshots[i], "payload", sp);
    snaps.push_back(std::move(s));
  }

  auto tx = store.transaction();
  if (const auto same = same_experiment(store, e)) {
    if (store.snapshots(same->id, "import").empty()) {
      out.action = "skipped";
      out.note = "this store holds the original (experiment " + std::to_string(same->id) + ")";
      return out;
    }
    // Never under a process that runs it (or reports on it while it is written): refused while
    // its lock is held, and held while it is replaced.
    const auto lock = store.take_experiment_lock(same->id);
    store.delete_experiment(same->id);
    out.action = "replaced";
    out.note = "replaces experiment " + std::to_string(same->id) + ", an earlier import of it";
  } else {
    out.action = "imported";
  }
  const Status exported_status = e.status;
  if (e.status == Status::running || e.status == Status::pending) e.status = Status::stopped;
  out.id = store.insert_experiment_record(e);

  std::map<int64_t, int64_t> trial_ids;  // exported id -> id here
  for (auto& [t, curve] : parsed) {
    const int64_t original = t.id;
    t.experiment_id = out.id;
    if (t.status != Status::done) {
      t.reason = "imported unfinished (it was " + std::string(to_string(t.status)) + " when exported" +
                 (t.reason.empty() ? "" : ": " + t.reason) + "); an export holds no checkpoints";
      t.status = Status::failed;
      t.cache_key.reset();
    } else if (t.cache_key && store.find_trial_by_cache_key(*t.cache_key)) {
      t.cache_key.reset();
      ++out.keys_elsewhere;
    }
    const int64_t id = store.insert_trial_record(t);
    trial_ids[original] = id;
    if (!curve.empty()) store.add_curve_points(id, curve);
    ++out.trials;
    if (t.status == Status::done) ++out.done;
  }
  for (auto& s : snaps) {
    s.experiment_id = out.id;
    if (s.payload.is_object() && s.payload.contains("trial_id") && s.payload["trial_id"].is_number_integer()) {
      const auto it = trial_ids.find(s.payload["trial_id"].get<int64_t>());
      if (it != trial_ids.end()) s.payload["trial_id"] = it->second;
    }
    if (s.kind == "summary" && s.payload.is_object() && s.payload.contains("experiment_id")) {
      s.payload["experiment_id"] = out.id;
    }
    store.insert_snapshot_record(s);
  }
  store.add_snapshot(out.id, 0, "import",
                     {{"source", source},
                      {"original_id", out.original_id},
                      {"exported_status", to_string(exported_status)},
                      {"imported_at", now_utc()},
                      {"rlnas_version", rlnas_version()}});
  tx.commit();
  return out;
}

}  // namespace

std::vector<size_t> thinned_indices(size_t n, size_t limit) {
  std::vector<size_t> out;
  if (n <= limit) {
    for (size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  if (limit == 0) return out;
  if (limit == 1) return {n - 1};
  for (size_t i = 0; i < limit; ++i) {
    // round(i * (n - 1) / (limit - 1)) in integers: strictly increasing because n > limit
    out.push_back((i * (n - 1) * 2 + (limit - 1)) / ((limit - 1) * 2));
  }
  return out;
}

ordered_json export_experiment(const Store& store, int64_t experiment_id, const ExportOptions& options) {
  const auto e = store.experiment(experiment_id);
  if (!e) {
    throw Error("no experiment " + std::to_string(experiment_id) + " in store '" + store.path() +
                "' (rlnas runs list shows the ids)");
  }
  ordered_json trials = ordered_json::array();
  for (const auto& t : store.trials(experiment_id)) {
    auto j = to_json(t);
    // A cache copy (done, no key of its own: another trial holds it) carries the key of the
    // training it reuses, so that the export of a continued experiment is whole: imported into
    // another store, its trials are that store's cache (where the key is free there).
    if (t.status == Status::done && !t.cache_key && !t.run_dir.empty()) {
      if (const auto trained = store.find_keyed_training_by_run_dir(t.run_dir)) j["cache_key"] = *trained->cache_key;
    }
    const auto curve = store.curve(t.id);
    ordered_json points = ordered_json::array();
    for (const size_t i : thinned_indices(curve.size(), options.max_curve_points)) {
      points.push_back({{"step", curve[i].step}, {"metrics", curve[i].metrics}});
    }
    j["curve"] = std::move(points);
    j["curve_points_stored"] = curve.size();
    trials.push_back(std::move(j));
  }
  const auto all = store.snapshots(experiment_id);
  std::map<std::string, std::vector<size_t>> by_kind;
  for (size_t i = 0; i < all.size(); ++i) by_kind[all[i].kind].push_back(i);
  std::vector<bool> keep(all.size(), false);
  for (const auto& [kind, indices] : by_kind) {
    const size_t limit = kind == "strategy_state" ? 1 : options.max_snapshots_per_kind;
    for (const size_t i : thinned_indices(indices.size(), limit)) keep[indices[i]] = true;
  }
  ordered_json snapshots = ordered_json::array();
  for (size_t i = 0; i < all.size(); ++i) {
    if (!keep[i]) continue;
    snapshots.push_back(
        {{"step", all[i].step}, {"kind", all[i].kind}, {"created_at", all[i].created_at}, {"payload", all[i].payload}});
  }
  return {{"experiment", to_json(*e)},
          {"summary", nullptr},
          {"trials", std::move(trials)},
          {"snapshots", std::move(snapshots)},
          {"snapshots_stored", all.size()}};
}

ordered_json export_document(const Store& store, std::vector<ordered_json> experiments, const ExportOptions& options) {
  ordered_json list = ordered_json::array();
  for (auto& e : experiments) list.push_back(std::move(e));
  return {{"format", kExportFormat},
          {"version", kExportFormatVersion},
          {"rlnas_version", rlnas_version()},
          {"exported_at", now_utc()},
          {"store_schema_version", store.schema_version()},
          {"max_curve_points", options.max_curve_points},
          {"max_snapshots_per_kind", options.max_snapshots_per_kind},
          {"experiments", std::move(list)}};
}

const ordered_json& export_experiments(const ordered_json& document, const std::string& source) {
  const Reader r(source);
  if (!document.is_object() || !document.contains("format") || document["format"] != kExportFormat) {
    throw Error(source + ": not an rlnas runs export (expected a JSON object with \"format\": \"" + kExportFormat +
                "\", as rlnas runs export writes)");
  }
  const int64_t version = r.integer(document, "version", "the document");
  if (version < 1 || version > kExportFormatVersion) {
    throw Error(source + ": export format version " + std::to_string(version) + ", this rlnas reads versions 1 to " +
                std::to_string(kExportFormatVersion) + (version > kExportFormatVersion ? "; upgrade rlnas" : ""));
  }
  return r.array(document, "experiments", "the document");
}

std::vector<ImportedExperiment> import_document(Store& store, const ordered_json& document, const std::string& source) {
  const Reader r(source);
  const auto& experiments = export_experiments(document, source);
  std::vector<ImportedExperiment> out;
  auto tx = store.transaction();  // all or nothing
  for (size_t i = 0; i < experiments.size(); ++i) {
    out.push_back(import_one(store, r, experiments[i], "experiments[" + std::to_string(i) + "]", source));
  }
  tx.commit();
  return out;
}

// ---- files ----

std::string gzip_decompress(std::string_view data, const std::string& what, size_t max_bytes) {
  return io::gzip_decompress(data, what, max_bytes, "an export");
}

void write_export_file(const std::string& path, const ordered_json& document) {
  const std::string text = document.dump(1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  io::write_file_atomic(path, gz ? io::gzip_compress(text) : text);
}

ordered_json read_export_file(const std::string& path) {
  std::string data = io::read_file(path, kMaxExportBytes);
  if (io::is_gzip(data)) {
    data = gzip_decompress(data, path, kMaxExportBytes);
  }
  check_json_depth(data, "'" + path + "'");
  try {
    return ordered_json::parse(data);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number out of range (1e999)
    throw Error("'" + path + "' is not JSON: " + excerpt(plain_error_text(e), 300));
  }
}

}  // namespace rlnas::store
