// The experiment store: one SQLite file holding experiments, their trials, learning curves and
// strategy snapshots, so that everything a report shows comes from one place.
//
//   experiment (kind, resolved config, rlnas version, machine) 1──n trial (role, architecture,
//   seed, budget, status, results, cache key, run dir) 1──n curve point (step, metrics JSON)
//   experiment 1──n snapshot (step, kind, JSON payload: controller probabilities, proxy scores, ...)
//
// SQLite in WAL mode (readers never block the writer), a 10 s busy timeout, foreign keys on. Every
// write of one logical change is one transaction, so a process killed at any point leaves the
// store as it was before or after that change, never in between. One process writes a store; any
// number may read it. A Store object is one connection: use it from one thread at a time.
// Schema, cache key and migrations: docs/store.md.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlnas/core/io.h"

namespace rlnas::store {

class Store;
struct OpenOptions;
namespace detail {
class Db;
struct Migration;
// Store::open with an explicit schema history (tests migrate synthetic versions with it).
Store open_store(const std::string& path, const OpenOptions& options, const std::vector<Migration>& history);
}  // namespace detail

// Schema version this rlnas writes; older stores are migrated on open, newer ones refused.
inline constexpr int kSchemaVersion = 1;

// The rlnas version (CMake's PROJECT_VERSION) recorded with every experiment.
const char* rlnas_version();
// The time now, UTC, as the store writes it: "2026-12-03T07:15:02.123Z".
std::string now_utc();

// Life cycle of trials and experiments. `stopped`: interrupted on purpose (Ctrl-C) with a
// checkpoint to resume from; `failed`: an error ended it (the reason is stored).
enum class Status { pending, running, done, failed, stopped };
// What a trial is for.
enum class Role { train, proxy, retrain, baseline, benchmark };

const char* to_string(Status status);
const char* to_string(Role role);
Status parse_status(std::string_view text);  // throws rlnas::Error listing the valid values
Role parse_role(std::string_view text);

struct ExperimentRecord {
  int64_t id = 0;
  std::string kind;                // "train", "search", ...
  std::string name;                // free label, e.g. the run directory
  nlohmann::ordered_json config;   // the resolved configuration
  std::string rlnas_version;       // set by the store
  nlohmann::ordered_json machine;  // machine_facts()
  Status status = Status::running;
  std::string started_at;  // UTC, ISO 8601 with milliseconds ("2025-01-31T12:00:00.000Z"); set by the store
  std::string ended_at;    // empty while running
};

struct TrialRecord {
  int64_t id = 0;  // set by add_trial
  int64_t experiment_id = 0;
  Role role = Role::train;
  Status status = Status::pending;
  std::string reason;        // why it failed or stopped; empty otherwise
  std::string space;         // search space name; empty for a fixed backbone
  std::string arch_id;       // the architecture's id (SHA-256 hex)
  std::string architecture;  // the architecture as canonical JSON text
  int64_t seed = 0;
  int64_t budget = 0;       // environment-step budget
  int64_t steps = 0;        // environment steps done
  double wall_seconds = 0;  // training wall-clock time, over all resumes
  std::optional<int64_t> params, flops;
  std::optional<double> latency_ms;
  nlohmann::ordered_json metrics;        // final metrics (null until known); keys in docs/store.md
  std::optional<std::string> cache_key;  // trial_cache_key(); unique in a store
  std::string run_dir;
  std::string checkpoint;
  std::string created_at, updated_at;  // set by the store

  // A numeric final metric (e.g. "eval_return_mean"), if the trial has it.
  std::optional<double> metric(const char* key) const {
    if (!metrics.is_object() || !metrics.contains(key) || !metrics[key].is_number()) return std::nullopt;
    return metrics[key].get<double>();
  }
};

struct CurvePoint {
  int64_t step = 0;                // environment steps
  nlohmann::ordered_json metrics;  // e.g. a metrics.jsonl line
};

struct SnapshotRecord {
  int64_t id = 0;
  int64_t experiment_id = 0;
  int64_t step = 0;  // the strategy's clock: environment steps, children sampled, generations, ...
  std::string kind;  // "controller_probs", "proxy_scores", "arch_params", ...
  nlohmann::ordered_json payload;
  std::string created_at;  // set by the store
};

struct OpenOptions {
  bool create = true;  // create the file (and its folder) if missing; otherwise a missing file is an error
  // Only read (runs list/show/export, report): the store may sit on a read-only path. Nothing is
  // created or migrated; an older schema is refused with a message (a writing command migrates it).
  bool read_only = false;
};

class Store {
 public:
  // Opens (or creates) the store at `path` and brings its schema to kSchemaVersion. Throws
  // rlnas::Error naming the file when it is not an SQLite database, not an rlnas store, or has a
  // newer schema than this rlnas understands.
  static Store open(const std::string& path, const OpenOptions& options = {});
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::string& path() const { return path_; }
  int schema_version() const;

  // The lock file that the process running experiment `id` holds (io::FileLock), beside the
  // store: <store>.locks/experiment-<id>.lock. A "running" experiment whose lock nobody holds was
  // left by a process that is gone (killed); take_experiment_lock refuses a second process.
  std::string experiment_lock_path(int64_t id) const;
  io::FileLock take_experiment_lock(int64_t id) const;
  bool experiment_process_gone(const ExperimentRecord& e) const;

  // A transaction grouping several calls into one atomic change: commit() makes it durable; the
  // destructor rolls back what was not committed. Transactions nest (inner ones are savepoints)
  // and must end in reverse order. The outermost takes the write lock at once (BEGIN IMMEDIATE).
  class Transaction {
   public:
    explicit Transaction(detail::Db& db);  // use Store::transaction()
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

   private:
    detail::Db* db_;
    int depth_;
    bool open_ = true;
  };
  Transaction transaction();

  // Experiments. create_experiment sets status running, the start time and the rlnas version.
  int64_t create_experiment(const std::string& kind, const std::string& name, const nlohmann::ordered_json& config,
                            const nlohmann::ordered_json& machine);
  // done / failed / stopped set the end time; running clears it (a resumed experiment).
  void set_experiment_status(int64_t experiment_id, Status status);
  std::vector<ExperimentRecord> experiments() const;  // oldest first
  std::optional<ExperimentRecord> experiment(int64_t experiment_id) const;

  // Trials. add_trial stores every field but id and the timestamps, and returns the id; a cache
  // key that another trial holds is an error naming that trial.
  int64_t add_trial(const TrialRecord& trial);
  // Rewrites every field of trial `trial.id` but its experiment and creation time. It does not
  // check status transitions (the mark_* calls do); the cache key must still be unique.
  void update_trial(const TrialRecord& trial);
  // Status transitions: pending/stopped/failed/running -> running (running again: reclaiming a
  // trial whose process died); running -> done | stopped; anything but done -> failed. A done
  // trial is final: it is never trained again. Other transitions throw rlnas::Error.
  void mark_running(int64_t trial_id);
  void mark_done(int64_t trial_id, int64_t steps, double wall_seconds, const nlohmann::ordered_json& metrics);
  void mark_stopped(int64_t trial_id, int64_t steps, double wall_seconds, const std::string& reason);
  void mark_failed(int64_t trial_id, const std::string& reason);
  std::optional<TrialRecord> trial(int64_t trial_id) const;
  std::vector<TrialRecord> trials(int64_t experiment_id) const;  // in creation order
  // The trial holding `cache_key`, whatever its status: a done one is the cached result.
  std::optional<TrialRecord> find_trial_by_cache_key(const std::string& cache_key) const;
  // The newest trial recorded with this run directory (as stored: callers normalise paths).
  std::optional<TrialRecord> find_trial_by_run_dir(const std::string& run_dir) const;
  // The done trial that holds a cache key and trained in this run directory: the training a cache
  // copy (a done trial without a key of its own and the same run_dir) reuses.
  std::optional<TrialRecord> find_keyed_training_by_run_dir(const std::string& run_dir) const;

  // Learning curves: a point at a step the trial already has replaces it. Each call is one
  // transaction; replace_curve drops the trial's old points first (e.g. after a resume).
  void add_curve_points(int64_t trial_id, const std::vector<CurvePoint>& points);
  void replace_curve(int64_t trial_id, const std::vector<CurvePoint>& points);
  std::vector<CurvePoint> curve(int64_t trial_id) const;  // by step
  int64_t curve_length(int64_t trial_id) const;

  // Strategy snapshots over time.
  int64_t add_snapshot(int64_t experiment_id, int64_t step, const std::string& kind,
                       const nlohmann::ordered_json& payload);
  // By step then id; an empty kind means every kind.
  std::vector<SnapshotRecord> snapshots(int64_t experiment_id, const std::string& kind = "") const;

  // Records written as given, timestamps, status and version included (ids are new): for
  // `rlnas runs import` (store/exchange.h). A trial's cache key must be free, as for add_trial.
  int64_t insert_experiment_record(const ExperimentRecord& experiment);
  int64_t insert_trial_record(const TrialRecord& trial);
  int64_t insert_snapshot_record(const SnapshotRecord& snapshot);
  // Removes an experiment with its trials, their curves and its snapshots (one transaction).
  void delete_experiment(int64_t experiment_id);

 private:
  Store(std::string path, std::unique_ptr<detail::Db> db);
  friend Store detail::open_store(const std::string&, const OpenOptions&, const std::vector<detail::Migration>&);
  std::string path_;
  std::unique_ptr<detail::Db> db_;
};

// Records as JSON objects (field names as in the tables; a trial's architecture as a JSON value),
// for `rlnas runs ... --json` and reports.
nlohmann::ordered_json to_json(const ExperimentRecord& experiment);
nlohmann::ordered_json to_json(const TrialRecord& trial);

// Facts about the machine recorded with an experiment: hostname, cores, OS; `torch_threads` when
// the caller knows it (the store does not use LibTorch).
nlohmann::ordered_json machine_facts(std::optional<int> torch_threads = std::nullopt);

}  // namespace rlnas::store
