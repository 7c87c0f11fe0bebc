// Opening stores: creation, migrations of older schemas, refusal of newer ones and of files that
// are not rlnas stores, and that nothing stored is lost on the way.
#include "schema.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "../common/error_of.h"
#include "rlnas/store/store.h"
#include "store_test_util.h"

namespace rlnas::store {
namespace {

using nlohmann::ordered_json;
using test_util::error_of;
using test_util::TempStorePath;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Runs SQL on a plain connection and returns the first column of the first row ("" if none).
std::string query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(s, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

void exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A store of the current version holding one experiment, trial and curve point.
int64_t fill(const std::string& path) {
  auto store = Store::open(path);
  const int64_t exp = store.create_experiment("train", "x", ordered_json{{"env", "e"}}, ordered_json::object());
  TrialRecord t;
  t.experiment_id = exp;
  t.cache_key = "k";
  t.metrics = {{"eval_return_mean", 7.5}};
  const int64_t id = store.add_trial(t);
  store.add_curve_points(id, {{10, {{"a", 1}}}});
  return id;
}

std::vector<detail::Migration> history_plus(const std::string& sql) {
  auto h = detail::schema_history();
  h.push_back({kSchemaVersion + 1, sql});
  return h;
}

TEST(StoreSchema, NewStoreHasTheCurrentVersionAndIsMarkedAsRlnas) {
  TempStorePath tmp;
  const auto path = tmp.path("nested/folder/store.db");  // folders are created
  EXPECT_EQ(Store::open(path).schema_version(), kSchemaVersion);
  EXPECT_EQ(query(path, "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(query(path, "PRAGMA application_id"), std::to_string(detail::kApplicationId));
  EXPECT_EQ(query(path, "PRAGMA journal_mode"), "wal");
  // Opening again changes nothing.
  fill(path);
  EXPECT_EQ(Store::open(path).trials(1).size(), 1u);
}

TEST(StoreSchema, AnEmptyFileBecomesAStore) {
  TempStorePath tmp;
  std::ofstream(tmp.path()).close();
  EXPECT_EQ(Store::open(tmp.path()).schema_version(), kSchemaVersion);
}

TEST(StoreSchema, MigratesAnOlderStoreKeepingEverything) {
  TempStorePath tmp;
  const auto path = tmp.path();
  const int64_t id = fill(path);  // a store of the version before the synthetic next one
  const auto history = history_plus(
      "ALTER TABLE trials ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated';"
      "CREATE TABLE tags (trial_id INTEGER REFERENCES trials(id), tag TEXT)");
  {
    auto store = detail::open_store(path, {}, history);
    EXPECT_EQ(store.schema_version(), kSchemaVersion + 1);
    const auto t = store.trial(id);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->cache_key, "k");
    EXPECT_EQ(t->metrics["eval_return_mean"], 7.5);
    EXPECT_EQ(store.curve_length(id), 1);
    EXPECT_EQ(store.experiment(t->experiment_id)->config["env"], "e");
  }
  EXPECT_EQ(query(path, "SELECT note FROM trials"), "migrated");
  // Opening the migrated store with the same history again is a no-op.
  EXPECT_EQ(detail::open_store(path, {}, history).schema_version(), kSchemaVersion + 1);
}

TEST(StoreSchema, AFailedMigrationLeavesTheStoreAsItWas) {
  TempStorePath tmp;
  const auto path = tmp.path();
  const int64_t id = fill(path);
  const auto msg = error_of([&] {
    detail::open_store(path, {}, history_plus("CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1)"));
  });
  EXPECT_TRUE(contains(msg, "migrating store '" + path + "' to schema version " + std::to_string(kSchemaVersion + 1) +
                                " failed; the store is unchanged (version " + std::to_string(kSchemaVersion) + ")"))
      << msg;
  EXPECT_EQ(query(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"), "0");
  auto store = Store::open(path);
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  EXPECT_EQ(store.curve_length(id), 1);
}

TEST(StoreSchema, RefusesANewerStore) {
  TempStorePath tmp;
  const auto path = tmp.path();
  const int64_t id = fill(path);
  detail::open_store(path, {}, history_plus("ALTER TABLE trials ADD COLUMN note TEXT"));  // a newer rlnas wrote it
  const auto msg = error_of([&] { Store::open(path); });
  EXPECT_EQ(msg, "store '" + path + "' has schema version " + std::to_string(kSchemaVersion + 1) +
                     ", this rlnas understands up to " + std::to_string(kSchemaVersion) + "; upgrade rlnas");
  exec(path, "PRAGMA user_version = 42");
  EXPECT_TRUE(contains(error_of([&] { Store::open(path); }), "has schema version 42")) << msg;
  // Nothing was touched.
  EXPECT_EQ(query(path, "SELECT cache_key FROM trials WHERE id = " + std::to_string(id)), "k");
}

TEST(StoreSchema, AFileThatIsNotADatabaseIsAClearErrorAndStaysUntouched) {
  TempStorePath tmp;
  const auto path = tmp.path("notes.txt");
  std::string text;
  for (int i = 0; i < 100; ++i) text += "these are my notes, not a database\n";
  std::ofstream(path) << text;
  const auto msg = error_of([&] { Store::open(path); });
  EXPECT_TRUE(contains(msg, "'" + path + "' is not an rlnas store: it is not an SQLite database")) << msg;
  EXPECT_EQ(read_file(path), text);
  // SQLite itself would take a short file for an empty database and write over it.
  std::ofstream(tmp.path("short.txt")) << "x";
  EXPECT_TRUE(contains(error_of([&] { Store::open(tmp.path("short.txt")); }), "is not an rlnas store"));
  EXPECT_EQ(read_file(tmp.path("short.txt")), "x");
  // The right magic followed by garbage: SQLite's own checks speak.
  std::string fake("SQLite format 3\0", 16);
  fake += std::string(4096, '\x7f');
  std::ofstream(tmp.path("fake.db"), std::ios::binary) << fake;
  const auto fake_msg = error_of([&] { Store::open(tmp.path("fake.db")); });
  EXPECT_TRUE(contains(fake_msg, tmp.path("fake.db"))) << fake_msg;
  EXPECT_TRUE(contains(fake_msg, "not an SQLite database") || contains(fake_msg, "is corrupt")) << fake_msg;
  EXPECT_EQ(read_file(tmp.path("fake.db")), fake);
}

TEST(StoreSchema, AnotherApplicationsDatabaseIsRefused) {
  TempStorePath tmp;
  const auto path = tmp.path();
  exec(path, "CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('a')");
  const auto msg = error_of([&] { Store::open(path); });
  EXPECT_EQ(msg, "'" + path + "' is an SQLite database but not an rlnas store (no schema version; tables: customers)");
  EXPECT_EQ(query(path, "SELECT name FROM customers"), "a");
  exec(tmp.path("app.db"), "PRAGMA application_id = 1234");
  EXPECT_TRUE(contains(error_of([&] { Store::open(tmp.path("app.db")); }), "of another application"));
}

// A store from someone else (issue 26): a trigger would run inside rlnas's own writes, and a
// damaged file would be damaged further. Both are refused before anything is written; read-only
// opens read and never write.
TEST(StoreSchema, AStoreWithATriggerIsRefused) {
  TempStorePath tmp;
  const auto path = tmp.path();
  { Store::open(path); }
  exec(path, "CREATE TABLE log (x TEXT); CREATE TRIGGER spy AFTER INSERT ON experiments BEGIN INSERT INTO log "
             "VALUES (NEW.config); END");
  for (const bool read_only : {false, true}) {
    const auto msg = error_of([&] { Store::open(path, {.create = false, .read_only = read_only}); });
    EXPECT_TRUE(contains(msg, "has a trigger 'spy' that rlnas did not make")) << msg;
  }
  exec(path, "DROP TRIGGER spy");
  auto s = Store::open(path, {.create = false, .read_only = true});
  EXPECT_TRUE(s.experiments().empty());
  EXPECT_FALSE(error_of([&] { s.create_experiment("train", "x", ordered_json::object(), ordered_json::object()); })
                   .empty());  // a read-only store takes no writes
}

TEST(StoreSchema, ADamagedStoreIsNotWrittenTo) {
  TempStorePath tmp;
  const auto path = tmp.path();
  {
    auto s = Store::open(path);
    for (int i = 0; i < 200; ++i) {
      s.create_experiment("train", std::string(500, 'x'), ordered_json::object(), ordered_json::object());
    }
  }
  // Garbage over the middle of the file (an index or table page), as a bad copy leaves it.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path) / 2));
    const std::string junk(4096, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const auto msg = error_of([&] { Store::open(path); });
  EXPECT_TRUE(contains(msg, "integrity check") || contains(msg, "is corrupt")) << msg;
}

TEST(StoreSchema, MissingFilesAndFolders) {
  TempStorePath tmp;
  EXPECT_EQ(error_of([&] { Store::open(tmp.path("none.db"), {.create = false}); }),
            "no store at '" + tmp.path("none.db") + "'");
  EXPECT_FALSE(std::filesystem::exists(tmp.path("none.db")));
  std::filesystem::create_directories(tmp.path("dir.db"));
  EXPECT_TRUE(contains(error_of([&] { Store::open(tmp.path("dir.db")); }), "is a directory"));
}

}  // namespace
}  // namespace rlnas::store
