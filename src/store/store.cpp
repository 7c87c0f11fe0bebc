// The experiment store (see rlnas/store/store.h): records, transactions, status transitions.
#include "rlnas/store/store.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"
#include "schema.h"
#include "sqlite.h"

#ifndef RLNAS_VERSION
#define RLNAS_VERSION "unknown"
#endif

namespace rlnas::store {

using detail::Db;
using detail::Statement;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

constexpr std::array<const char*, 5> kStatusNames = {"pending", "running", "done", "failed", "stopped"};
constexpr std::array<const char*, 5> kRoleNames = {"train", "proxy", "retrain", "baseline", "benchmark"};

template <typename E, size_t N>
E parse_name(std::string_view text, const std::array<const char*, N>& names, const char* what) {
  std::string valid;
  for (size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<E>(i);
    valid += (i ? ", " : "") + std::string(names[i]);
  }
  throw Error(std::string("unknown ") + what + " '" + std::string(text) + "'; valid: " + valid);
}

// JSON columns: null is SQL NULL.
std::optional<std::string> json_text(const ordered_json& j) {
  if (j.is_null()) return std::nullopt;
  return j.dump();
}

ordered_json json_column(const Statement& s, int column) {
  if (s.is_null(column)) return nullptr;
  return parse_ordered_json_input(s.text(column), "a JSON column of the store");
}

std::string architecture_text(const std::string& architecture) {
  if (architecture.empty()) return "{}";
  check_json_depth(architecture, "trial architecture");
  if (!nlohmann::json::accept(architecture)) {
    throw Error("trial architecture is not JSON: '" + architecture.substr(0, 200) + "'");
  }
  return architecture;
}

constexpr const char* kExperimentColumns =
    "id, kind, name, config, rlnas_version, machine, status, started_at, ended_at";

ExperimentRecord read_experiment(const Statement& s) {
  ExperimentRecord e;
  e.id = s.int64(0);
  e.kind = s.text(1);
  e.name = s.text(2);
  e.config = json_column(s, 3);
  e.rlnas_version = s.text(4);
  e.machine = json_column(s, 5);
  e.status = parse_status(s.text(6));
  e.started_at = s.text(7);
  e.ended_at = s.text(8);
  return e;
}

constexpr const char* kTrialColumns =
    "id, experiment_id, role, status, reason, space, arch_id, architecture, seed, budget, steps, wall_seconds, "
    "params, flops, latency_ms, metrics, cache_key, run_dir, checkpoint, created_at, updated_at";

TrialRecord read_trial(const Statement& s) {
  TrialRecord t;
  t.id = s.int64(0);
  t.experiment_id = s.int64(1);
  t.role = parse_role(s.text(2));
  t.status = parse_status(s.text(3));
  t.reason = s.text(4);
  t.space = s.text(5);
  t.arch_id = s.text(6);
  t.architecture = s.text(7);
  t.seed = s.int64(8);
  t.budget = s.int64(9);
  t.steps = s.int64(10);
  t.wall_seconds = s.real(11);
  t.params = s.optional_int64(12);
  t.flops = s.optional_int64(13);
  t.latency_ms = s.optional_real(14);
  t.metrics = json_column(s, 15);
  if (!s.is_null(16)) t.cache_key = s.text(16);
  t.run_dir = s.text(17);
  t.checkpoint = s.text(18);
  t.created_at = s.text(19);
  t.updated_at = s.text(20);
  return t;
}

template <typename T>
std::optional<TrialRecord> select_one_trial(Db& db, const std::string& where, const T& value) {
  Statement s(db, std::string("SELECT ") + kTrialColumns + " FROM trials WHERE " + where);
  s.bind(1, value);
  if (!s.step()) return std::nullopt;
  return read_trial(s);
}

// Status of a trial, or an error naming the store when there is no such trial.
Status trial_status(Db& db, int64_t trial_id) {
  Statement s(db, "SELECT status FROM trials WHERE id = ?");
  s.bind(1, trial_id);
  if (!s.step()) throw Error("store '" + db.path() + "' has no trial " + std::to_string(trial_id));
  return parse_status(s.text(0));
}

void check_transition(Db& db, int64_t trial_id, Status to, std::initializer_list<Status> from) {
  const Status now = trial_status(db, trial_id);
  for (const Status f : from) {
    if (now == f) return;
  }
  std::string allowed;
  for (const Status f : from) allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(f));
  throw Error("trial " + std::to_string(trial_id) + " is " + to_string(now) + "; it cannot become " + to_string(to) +
              " (only a trial that is " + allowed + " can)" +
              (now == Status::done ? ": a done trial is final and never trained again" : ""));
}

void insert_points(Db& db, int64_t trial_id, const std::vector<CurvePoint>& points) {
  Statement s(db, "INSERT OR REPLACE INTO curves (trial_id, step, metrics) VALUES (?, ?, ?)");
  for (const auto& p : points) {
    s.bind_all(trial_id, p.step, p.metrics.dump());
    s.run();
    s.reset();
  }
}

bool has_sqlite_header(const std::string& path) {
  static constexpr char kMagic[] = "SQLite format 3";  // 16 bytes with its terminating zero
  std::ifstream in(path, std::ios::binary);
  char head[sizeof kMagic] = {};
  in.read(head, sizeof head);
  return in.gcount() == sizeof head && std::memcmp(head, kMagic, sizeof head) == 0;
}

// "file:PATH?immutable=1" with PATH percent-encoded where a URI needs it.
std::string immutable_uri(const std::string& path) {
  std::string out = "file:";
  for (const unsigned char c : fs::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "?immutable=1";
}

}  // namespace

std::string now_utc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", date, static_cast<int>(ms));
  return out;
}

const char* rlnas_version() { return RLNAS_VERSION; }

const char* to_string(Status status) { return kStatusNames.at(static_cast<size_t>(status)); }
const char* to_string(Role role) { return kRoleNames.at(static_cast<size_t>(role)); }
Status parse_status(std::string_view text) { return parse_name<Status>(text, kStatusNames, "status"); }
Role parse_role(std::string_view text) { return parse_name<Role>(text, kRoleNames, "trial role"); }

// ---- opening ----

namespace detail {

Store open_store(const std::string& path, const OpenOptions& options, const std::vector<Migration>& history) {
  if (path.empty()) throw Error("no store file given");
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error("store '" + path + "' is a directory; expected a file");
  if (fs::exists(path, ec)) {
    // SQLite takes a short file for a new empty database and would write over it: check the header.
    if (fs::file_size(path, ec) > 0 && !has_sqlite_header(path)) {
      throw Error("'" + path + "' is not an rlnas store: it is not an SQLite database (no SQLite header)");
    }
  } else {
    if (!options.create) throw Error("no store at '" + path + "'");
    const auto parent = fs::path(path).parent_path();
    if (!parent.empty()) {
      fs::create_directories(parent, ec);
      if (ec) throw Error("cannot create the folder of store '" + path + "': " + ec.message());
    }
  }
  if (options.read_only) {
    if (!fs::exists(path, ec)) throw Error("no store at '" + path + "'");
    auto db = std::make_unique<Db>(path, SQLITE_OPEN_READONLY);
    try {
      check_readable(*db, history);
    } catch (const Error&) {
      // A read-only folder without the WAL's shared-memory file: read the file as it is.
      db = std::make_unique<Db>(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, immutable_uri(path));
      check_readable(*db, history);
    }
    return Store(path, std::move(db));
  }
  auto db = std::make_unique<Db>(path, SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0));
  // The first statement reads the file header: a file that is not a database fails here.
  {
    Statement s(*db, "PRAGMA journal_mode = WAL");
    s.step();
  }
  db->exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
  migrate(*db, history);
  // Before anything is written: a damaged store (a bad copy, a disk fault, a file from elsewhere)
  // is refused rather than damaged further. quick_check reads every page: 0.05 s for a 23 MB store
  // holding every committed result (docs/reliability.md).
  {
    Statement check(*db, "PRAGMA quick_check(3)");
    std::string problems;
    while (check.step()) {
      const std::string line = check.text(0);
      if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
    }
    if (!problems.empty()) {
      throw Error("store '" + path + "' fails SQLite's integrity check (" + problems.substr(0, 300) +
                  "): rlnas does not write to a damaged store; read what it can (rlnas runs export) into a new one");
    }
  }
  return Store(path, std::move(db));
}

}  // namespace detail

Store Store::open(const std::string& path, const OpenOptions& options) {
  return detail::open_store(path, options, detail::schema_history());
}

Store::Store(std::string path, std::unique_ptr<Db> db) : path_(std::move(path)), db_(std::move(db)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

int Store::schema_version() const { return detail::user_version(*db_); }

std::string Store::experiment_lock_path(int64_t id) const {
  return path_ + ".locks/experiment-" + std::to_string(id) + ".lock";
}

io::FileLock Store::take_experiment_lock(int64_t id) const {
  const auto path = experiment_lock_path(id);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  return io::FileLock::acquire(path, "experiment " + std::to_string(id) + " of " + path_);
}

bool Store::experiment_process_gone(const ExperimentRecord& e) const {
  return (e.status == Status::running || e.status == Status::pending) &&
         !io::FileLock::held(experiment_lock_path(e.id));
}

// ---- transactions ----

Store::Transaction::Transaction(Db& db) : db_(&db), depth_(db.transaction_depth) {
  db.exec(depth_ == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT nested_" + std::to_string(depth_));
  ++db.transaction_depth;
}

void Store::Transaction::commit() {
  if (!open_) throw std::logic_error("Store::Transaction committed twice");
  if (db_->transaction_depth != depth_ + 1) throw std::logic_error("Store::Transaction: inner transaction still open");
  db_->exec(depth_ == 0 ? std::string("COMMIT") : "RELEASE nested_" + std::to_string(depth_));
  open_ = false;
  --db_->transaction_depth;
}

Store::Transaction::~Transaction() {
  if (!open_) return;
  const std::string sql =
      depth_ == 0 ? std::string("ROLLBACK")
                  : "ROLLBACK TO nested_" + std::to_string(depth_) + "; RELEASE nested_" + std::to_string(depth_);
  sqlite3_exec(db_->handle(), sql.c_str(), nullptr, nullptr, nullptr);  // destructors do not throw
  --db_->transaction_depth;
}

Store::Transaction Store::transaction() { return Transaction(*db_); }

// ---- experiments ----

int64_t Store::create_experiment(const std::string& kind, const std::string& name, const ordered_json& config,
                                 const ordered_json& machine) {
  Statement s(*db_,
              "INSERT INTO experiments (kind, name, config, rlnas_version, machine, status, started_at) "
              "VALUES (?, ?, ?, ?, ?, 'running', ?)");
  s.bind_all(kind, name, config.dump(), rlnas_version(), machine.dump(), now_utc());
  s.run();
  return db_->last_insert_rowid();
}

void Store::set_experiment_status(int64_t experiment_id, Status status) {
  const bool ended = status == Status::done || status == Status::failed || status == Status::stopped;
  Statement s(*db_, "UPDATE experiments SET status = ?, ended_at = ? WHERE id = ?");
  s.bind(1, to_string(status)).bind(2, ended ? std::optional<std::string>(now_utc()) : std::nullopt);
  s.bind(3, experiment_id);
  s.run();
  if (db_->changes() == 0) throw Error("store '" + path_ + "' has no experiment " + std::to_string(experiment_id));
}

std::vector<ExperimentRecord> Store::experiments() const {
  Statement s(*db_, std::string("SELECT ") + kExperimentColumns + " FROM experiments ORDER BY id");
  std::vector<ExperimentRecord> out;
  while (s.step()) out.push_back(read_experiment(s));
  return out;
}

std::optional<ExperimentRecord> Store::experiment(int64_t experiment_id) const {
  Statement s(*db_, std::string("SELECT ") + kExperimentColumns + " FROM experiments WHERE id = ?");
  s.bind(1, experiment_id);
  if (!s.step()) return std::nullopt;
  return read_experiment(s);
}

// ---- trials ----

int64_t Store::add_trial(const TrialRecord& t) {
  auto tx = transaction();
  if (t.cache_key) {
    if (const auto other = find_trial_by_cache_key(*t.cache_key)) {
      throw Error("store '" + path_ + "': cache key " + *t.cache_key + " already belongs to trial " +
                  std::to_string(other->id) + " (experiment " + std::to_string(other->experiment_id) + ", " +
                  to_string(other->status) + ")");
    }
  }
  if (!experiment(t.experiment_id)) {
    throw Error("store '" + path_ + "' has no experiment " + std::to_string(t.experiment_id));
  }
  const std::string now = now_utc();
  Statement s(*db_,
              "INSERT INTO trials (experiment_id, role, status, reason, space, arch_id, architecture, seed, budget, "
              "steps, wall_seconds, params, flops, latency_ms, metrics, cache_key, run_dir, checkpoint, created_at, "
              "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind_all(t.experiment_id, to_string(t.role), to_string(t.status), t.reason, t.space, t.arch_id,
             architecture_text(t.architecture), t.seed, t.budget, t.steps, t.wall_seconds, t.params, t.flops,
             t.latency_ms, json_text(t.metrics), t.cache_key, t.run_dir, t.checkpoint, now, now);
  s.run();
  const int64_t id = db_->last_insert_rowid();
  tx.commit();
  return id;
}

void Store::update_trial(const TrialRecord& t) {
  auto tx = transaction();
  if (t.cache_key) {
    const auto other = find_trial_by_cache_key(*t.cache_key);
    if (other && other->id != t.id) {
      throw Error("store '" + path_ + "': cache key " + *t.cache_key + " already belongs to trial " +
                  std::to_string(other->id));
    }
  }
  Statement s(*db_,
              "UPDATE trials SET role = ?, status = ?, reason = ?, space = ?, arch_id = ?, architecture = ?, seed = ?, "
              "budget = ?, steps = ?, wall_seconds = ?, params = ?, flops = ?, latency_ms = ?, metrics = ?, "
              "cache_key = ?, run_dir = ?, checkpoint = ?, updated_at = ? WHERE id = ?");
  s.bind_all(to_string(t.role), to_string(t.status), t.reason, t.space, t.arch_id, architecture_text(t.architecture),
             t.seed, t.budget, t.steps, t.wall_seconds, t.params, t.flops, t.latency_ms, json_text(t.metrics),
             t.cache_key, t.run_dir, t.checkpoint, now_utc(), t.id);
  s.run();
  if (db_->changes() == 0) throw Error("store '" + path_ + "' has no trial " + std::to_string(t.id));
  tx.commit();
}

void Store::mark_running(int64_t trial_id) {
  auto tx = transaction();
  check_transition(*db_, trial_id, Status::running,
                   {Status::pending, Status::running, Status::stopped, Status::failed});
  Statement s(*db_, "UPDATE trials SET status = 'running', reason = '', updated_at = ? WHERE id = ?");
  s.bind_all(now_utc(), trial_id).run();
  tx.commit();
}

void Store::mark_done(int64_t trial_id, int64_t steps, double wall_seconds, const ordered_json& metrics) {
  auto tx = transaction();
  check_transition(*db_, trial_id, Status::done, {Status::running});
  Statement s(*db_,
              "UPDATE trials SET status = 'done', reason = '', steps = ?, wall_seconds = ?, metrics = ?, "
              "updated_at = ? WHERE id = ?");
  s.bind_all(steps, wall_seconds, json_text(metrics), now_utc(), trial_id).run();
  tx.commit();
}

void Store::mark_stopped(int64_t trial_id, int64_t steps, double wall_seconds, const std::string& reason) {
  auto tx = transaction();
  check_transition(*db_, trial_id, Status::stopped, {Status::running});
  Statement s(*db_,
              "UPDATE trials SET status = 'stopped', reason = ?, steps = ?, wall_seconds = ?, updated_at = ? "
              "WHERE id = ?");
  s.bind_all(reason, steps, wall_seconds, now_utc(), trial_id).run();
  tx.commit();
}

void Store::mark_failed(int64_t trial_id, const std::string& reason) {
  auto tx = transaction();
  check_transition(*db_, trial_id, Status::failed, {Status::pending, Status::running, Status::stopped, Status::failed});
  Statement s(*db_, "UPDATE trials SET status = 'failed', reason = ?, updated_at = ? WHERE id = ?");
  s.bind_all(reason, now_utc(), trial_id).run();
  tx.commit();
}

std::optional<TrialRecord> Store::trial(int64_t trial_id) const { return select_one_trial(*db_, "id = ?", trial_id); }

std::vector<TrialRecord> Store::trials(int64_t experiment_id) const {
  Statement s(*db_, std::string("SELECT ") + kTrialColumns + " FROM trials WHERE experiment_id = ? ORDER BY id");
  s.bind(1, experiment_id);
  std::vector<TrialRecord> out;
  while (s.step()) out.push_back(read_trial(s));
  return out;
}

std::optional<TrialRecord> Store::find_trial_by_cache_key(const std::string& cache_key) const {
  return select_one_trial(*db_, "cache_key = ?", cache_key);
}

std::optional<TrialRecord> Store::find_trial_by_run_dir(const std::string& run_dir) const {
  return select_one_trial(*db_, "run_dir = ? ORDER BY id DESC LIMIT 1", run_dir);
}

std::optional<TrialRecord> Store::find_keyed_training_by_run_dir(const std::string& run_dir) const {
  return select_one_trial(*db_, "run_dir = ? AND cache_key IS NOT NULL AND status = 'done' LIMIT 1", run_dir);
}

// ---- curves ----

void Store::add_curve_points(int64_t trial_id, const std::vector<CurvePoint>& points) {
  auto tx = transaction();
  insert_points(*db_, trial_id, points);
  tx.commit();
}

void Store::replace_curve(int64_t trial_id, const std::vector<CurvePoint>& points) {
  auto tx = transaction();
  Statement s(*db_, "DELETE FROM curves WHERE trial_id = ?");
  s.bind(1, trial_id).run();
  insert_points(*db_, trial_id, points);
  tx.commit();
}

std::vector<CurvePoint> Store::curve(int64_t trial_id) const {
  Statement s(*db_, "SELECT step, metrics FROM curves WHERE trial_id = ? ORDER BY step");
  s.bind(1, trial_id);
  std::vector<CurvePoint> out;
  while (s.step()) out.push_back({s.int64(0), json_column(s, 1)});
  return out;
}

int64_t Store::curve_length(int64_t trial_id) const {
  Statement s(*db_, "SELECT count(*) FROM curves WHERE trial_id = ?");
  s.bind(1, trial_id);
  return s.step() ? s.int64(0) : 0;
}

// ---- snapshots ----

int64_t Store::add_snapshot(int64_t experiment_id, int64_t step, const std::string& kind, const ordered_json& payload) {
  Statement s(*db_, "INSERT INTO snapshots (experiment_id, step, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)");
  s.bind_all(experiment_id, step, kind, payload.dump(), now_utc()).run();
  return db_->last_insert_rowid();
}

std::vector<SnapshotRecord> Store::snapshots(int64_t experiment_id, const std::string& kind) const {
  Statement s(*db_,
              "SELECT id, experiment_id, step, kind, payload, created_at FROM snapshots "
              "WHERE experiment_id = ? AND (? = '' OR kind = ?) ORDER BY step, id");
  s.bind_all(experiment_id, kind, kind);
  std::vector<SnapshotRecord> out;
  while (s.step()) {
    out.push_back({s.int64(0), s.int64(1), s.int64(2), s.text(3), json_column(s, 4), s.text(5)});
  }
  return out;
}

// ---- import ----

int64_t Store::insert_experiment_record(const ExperimentRecord& e) {
  Statement s(*db_,
              "INSERT INTO experiments (kind, name, config, rlnas_version, machine, status, started_at, ended_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind_all(e.kind, e.name, e.config.dump(), e.rlnas_version, e.machine.dump(), to_string(e.status), e.started_at,
             e.ended_at.empty() ? std::optional<std::string>() : std::optional<std::string>(e.ended_at));
  s.run();
  return db_->last_insert_rowid();
}

int64_t Store::insert_trial_record(const TrialRecord& t) {
  auto tx = transaction();
  const int64_t id = add_trial(t);
  Statement s(*db_, "UPDATE trials SET created_at = ?, updated_at = ? WHERE id = ?");
  s.bind_all(t.created_at.empty() ? now_utc() : t.created_at, t.updated_at.empty() ? now_utc() : t.updated_at, id)
      .run();
  tx.commit();
  return id;
}

int64_t Store::insert_snapshot_record(const SnapshotRecord& r) {
  Statement s(*db_, "INSERT INTO snapshots (experiment_id, step, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)");
  s.bind_all(r.experiment_id, r.step, r.kind, r.payload.dump(), r.created_at.empty() ? now_utc() : r.created_at).run();
  return db_->last_insert_rowid();
}

void Store::delete_experiment(int64_t experiment_id) {
  auto tx = transaction();
  Statement s(*db_, "DELETE FROM experiments WHERE id = ?");  // trials, curves, snapshots: ON DELETE CASCADE
  s.bind(1, experiment_id).run();
  if (db_->changes() == 0) throw Error("store '" + path_ + "' has no experiment " + std::to_string(experiment_id));
  tx.commit();
}

// ---- JSON ----

ordered_json to_json(const ExperimentRecord& e) {
  return {{"id", e.id},
          {"kind", e.kind},
          {"name", e.name},
          {"status", to_string(e.status)},
          {"started_at", e.started_at},
          {"ended_at", e.ended_at.empty() ? ordered_json(nullptr) : ordered_json(e.ended_at)},
          {"rlnas_version", e.rlnas_version},
          {"machine", e.machine},
          {"config", e.config}};
}

ordered_json to_json(const TrialRecord& t) {
  const auto optional = [](const auto& v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
  return {{"id", t.id},
          {"experiment_id", t.experiment_id},
          {"role", to_string(t.role)},
          {"status", to_string(t.status)},
          {"reason", t.reason},
          {"space", t.space},
          {"arch_id", t.arch_id},
          {"architecture", ordered_json::parse(t.architecture.empty() ? "{}" : t.architecture)},
          {"seed", t.seed},
          {"budget", t.budget},
          {"steps", t.steps},
          {"wall_seconds", t.wall_seconds},
          {"params", optional(t.params)},
          {"flops", optional(t.flops)},
          {"latency_ms", optional(t.latency_ms)},
          {"metrics", t.metrics},
          {"cache_key", optional(t.cache_key)},
          {"run_dir", t.run_dir},
          {"checkpoint", t.checkpoint},
          {"created_at", t.created_at},
          {"updated_at", t.updated_at}};
}

// ---- machine ----

ordered_json machine_facts(std::optional<int> torch_threads) {
  ordered_json m;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) m["hostname"] = std::string(host);
  m["cores"] = std::thread::hardware_concurrency();
  utsname u{};
  if (uname(&u) == 0) m["os"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
  if (torch_threads) m["torch_threads"] = *torch_threads;
  return m;
}

}  // namespace rlnas::store
