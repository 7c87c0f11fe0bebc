// Schema history and migrations of the experiment store (see schema.h and docs/store.md).
#include "schema.h"

#include "rlnas/core/error.h"
#include "rlnas/store/store.h"

namespace rlnas::store::detail {

namespace {

// Version 1. JSON columns hold text checked by json_valid; timestamps are UTC ISO 8601 text.
const char* kVersion1 = R"sql(
CREATE TABLE experiments (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,
  name          TEXT NOT NULL DEFAULT '',
  config        TEXT NOT NULL CHECK (json_valid(config)),
  rlnas_version TEXT NOT NULL,
  machine       TEXT NOT NULL CHECK (json_valid(machine)),
  status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'stopped')),
  started_at    TEXT NOT NULL,
  ended_at      TEXT
);
CREATE TABLE trials (
  id            INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  role          TEXT NOT NULL CHECK (role IN ('train', 'proxy', 'retrain', 'baseline', 'benchmark')),
  status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'stopped')),
  reason        TEXT NOT NULL DEFAULT '',
  space         TEXT NOT NULL DEFAULT '',
  arch_id       TEXT NOT NULL DEFAULT '',
  architecture  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(architecture)),
  seed          INTEGER NOT NULL,
  budget        INTEGER NOT NULL,
  steps         INTEGER NOT NULL DEFAULT 0,
  wall_seconds  REAL NOT NULL DEFAULT 0,
  params        INTEGER,
  flops         INTEGER,
  latency_ms    REAL,
  metrics       TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
  cache_key     TEXT UNIQUE,
  run_dir       TEXT NOT NULL DEFAULT '',
  checkpoint    TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX trials_by_experiment ON trials(experiment_id);
CREATE INDEX trials_by_run_dir ON trials(run_dir);
CREATE TABLE curves (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  step     INTEGER NOT NULL,
  metrics  TEXT NOT NULL CHECK (json_valid(metrics)),
  PRIMARY KEY (trial_id, step)
) WITHOUT ROWID;
CREATE TABLE snapshots (
  id            INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  step          INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  payload       TEXT NOT NULL CHECK (json_valid(payload)),
  created_at    TEXT NOT NULL
);
CREATE INDEX snapshots_by_experiment ON snapshots(experiment_id, kind, step);
)sql";

int pragma_int(Db& db, const char* name) {
  Statement s(db, std::string("PRAGMA ") + name);
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

std::vector<std::string> table_names(Db& db) {
  Statement s(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  return names;
}

// rlnas's schema has no triggers and no views: a store that has one was made (or changed) by
// something else, and its trigger would run inside rlnas's own writes. Refused.
void check_foreign_objects(Db& db) {
  Statement s(db, "SELECT type, name FROM sqlite_schema WHERE type IN ('trigger', 'view') ORDER BY name");
  if (s.step()) {
    throw Error("store '" + db.path() + "' has a " + s.text(0) + " '" + s.text(1).substr(0, 80) +
                "' that rlnas did not make (an rlnas store has no triggers or views); rlnas does not use such a "
                "store: export what you need from a trusted copy instead");
  }
}

// Throws unless `db` is an rlnas store of a version `latest` covers, or an empty database.
void check_identity(Db& db, int version, int latest) {
  if (version > latest) {
    throw Error("store '" + db.path() + "' has schema version " + std::to_string(version) +
                ", this rlnas understands up to " + std::to_string(latest) + "; upgrade rlnas");
  }
  check_foreign_objects(db);
  const int app = pragma_int(db, "application_id");
  if (app != 0 && app != kApplicationId) {
    throw Error("'" + db.path() + "' is an SQLite database of another application (application_id " +
                std::to_string(app) + "), not an rlnas store");
  }
  if (version == 0) {
    const auto tables = table_names(db);
    if (!tables.empty()) {
      std::string list;
      for (size_t i = 0; i < tables.size() && i < 5; ++i) list += (i ? ", " : "") + tables[i];
      if (tables.size() > 5) list += ", ...";
      throw Error("'" + db.path() +
                  "' is an SQLite database but not an rlnas store (no schema version; tables: " + list + ")");
    }
  }
}

}  // namespace

const std::vector<Migration>& schema_history() {
  static const std::vector<Migration> history = {{1, kVersion1}};
  return history;
}

int user_version(Db& db) { return pragma_int(db, "user_version"); }

void migrate(Db& db, const std::vector<Migration>& history) {
  const int latest = history.empty() ? 0 : history.back().version;
  int version = user_version(db);
  check_identity(db, version, latest);
  if (version == latest) return;
  // Take the write lock, then look again: another process may have migrated meanwhile.
  db.exec("BEGIN IMMEDIATE");
  try {
    version = user_version(db);
    check_identity(db, version, latest);
    for (const auto& m : history) {
      if (m.version <= version) continue;
      try {
        db.exec(m.sql);
      } catch (const Error& e) {
        throw Error("migrating store '" + db.path() + "' to schema version " + std::to_string(m.version) +
                    " failed; the store is unchanged (version " + std::to_string(version) + "): " + e.what());
      }
    }
    db.exec("PRAGMA user_version = " + std::to_string(latest) +
            "; PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void check_readable(Db& db, const std::vector<Migration>& history) {
  const int latest = history.empty() ? 0 : history.back().version;
  const int version = user_version(db);
  check_identity(db, version, latest);
  if (version != latest) {
    throw Error("store '" + db.path() + "' has schema version " + std::to_string(version) +
                "; this command only reads, and reading needs version " + std::to_string(latest) +
                ": a command that writes (rlnas runs import, train, search) migrates it first");
  }
}

}  // namespace rlnas::store::detail
