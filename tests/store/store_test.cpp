#include "rlnas/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "../common/error_of.h"
#include "rlnas/core/error.h"
#include "store_test_util.h"

namespace rlnas::store {
namespace {

using nlohmann::ordered_json;
using test_util::error_of;
using test_util::TempStorePath;

TrialRecord full_trial(int64_t experiment_id) {
  TrialRecord t;
  t.experiment_id = experiment_id;
  t.role = Role::retrain;
  t.status = Status::pending;
  t.reason = "";
  t.space = "minatar/ss1";
  t.arch_id = "3fa2c0ffee";
  t.architecture = R"({"choices":{"conv2.kernel":3},"space":"minatar/ss1","version":1})";
  t.seed = 4294967295;
  t.budget = 500000;
  t.steps = 1234;
  t.wall_seconds = 12.125;
  t.params = 131792;
  t.flops = 335872;
  t.latency_ms = 0.0625;
  t.metrics = ordered_json{{"eval_return_mean", 21.5}, {"b", nullptr}, {"a", {1, 2}}};
  t.cache_key = "abc123";
  t.run_dir = "/runs/x";
  t.checkpoint = "/runs/x/checkpoint.ckpt";
  return t;
}

void expect_same_fields(const TrialRecord& got, const TrialRecord& want) {
  EXPECT_EQ(got.experiment_id, want.experiment_id);
  EXPECT_EQ(got.role, want.role);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.reason, want.reason);
  EXPECT_EQ(got.space, want.space);
  EXPECT_EQ(got.arch_id, want.arch_id);
  EXPECT_EQ(got.architecture, want.architecture);
  EXPECT_EQ(got.seed, want.seed);
  EXPECT_EQ(got.budget, want.budget);
  EXPECT_EQ(got.steps, want.steps);
  EXPECT_EQ(got.wall_seconds, want.wall_seconds);
  EXPECT_EQ(got.params, want.params);
  EXPECT_EQ(got.flops, want.flops);
  EXPECT_EQ(got.latency_ms, want.latency_ms);
  EXPECT_EQ(got.metrics.dump(), want.metrics.dump());  // key order too
  EXPECT_EQ(got.cache_key, want.cache_key);
  EXPECT_EQ(got.run_dir, want.run_dir);
  EXPECT_EQ(got.checkpoint, want.checkpoint);
}

TEST(Store, ExperimentRoundTrip) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const ordered_json config = {{"env", "minatar/breakout"}, {"algo", "ppo"}, {"ppo.lr", 2.5e-4}, {"steps", 1000}};
  const ordered_json machine = machine_facts(2);
  const int64_t id = store.create_experiment("train", "runs/bo", config, machine);
  auto e = store.experiment(id);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id, id);
  EXPECT_EQ(e->kind, "train");
  EXPECT_EQ(e->name, "runs/bo");
  EXPECT_EQ(e->config.dump(), config.dump());
  EXPECT_EQ(e->machine.dump(), machine.dump());
  EXPECT_EQ(e->machine["torch_threads"], 2);
  EXPECT_GE(e->machine["cores"].get<int>(), 1);
  EXPECT_EQ(e->rlnas_version, rlnas_version());
  EXPECT_EQ(e->status, Status::running);
  EXPECT_EQ(e->started_at.size(), 24u) << e->started_at;  // 2025-01-31T12:00:00.000Z
  EXPECT_EQ(e->started_at.back(), 'Z');
  EXPECT_TRUE(e->ended_at.empty());

  store.set_experiment_status(id, Status::done);
  e = store.experiment(id);
  EXPECT_EQ(e->status, Status::done);
  EXPECT_GE(e->ended_at, e->started_at);
  store.set_experiment_status(id, Status::running);  // resumed
  EXPECT_TRUE(store.experiment(id)->ended_at.empty());

  EXPECT_FALSE(store.experiment(id + 1));
  EXPECT_NE(error_of([&] { store.set_experiment_status(id + 1, Status::done); }).find("has no experiment"),
            std::string::npos);
  store.create_experiment("search", "", ordered_json::object(), ordered_json::object());
  const auto all = store.experiments();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, id);
  EXPECT_EQ(all[1].kind, "search");
}

TEST(Store, TrialRoundTripKeepsEveryField) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const int64_t exp = store.create_experiment("search", "", ordered_json::object(), ordered_json::object());
  const TrialRecord want = full_trial(exp);
  const int64_t id = store.add_trial(want);
  const auto got = store.trial(id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, id);
  expect_same_fields(*got, want);
  EXPECT_FALSE(got->created_at.empty());
  EXPECT_EQ(got->created_at, got->updated_at);

  // Optional fields absent, null metrics, empty architecture.
  TrialRecord bare;
  bare.experiment_id = exp;
  const int64_t bare_id = store.add_trial(bare);
  const auto b = store.trial(bare_id);
  EXPECT_FALSE(b->params || b->flops || b->latency_ms || b->cache_key);
  EXPECT_TRUE(b->metrics.is_null());
  EXPECT_EQ(b->architecture, "{}");
  EXPECT_EQ(b->role, Role::train);

  // update_trial rewrites the fields.
  TrialRecord changed = *got;
  changed.role = Role::baseline;
  changed.steps = 99;
  changed.params.reset();
  changed.metrics = {{"x", 1}};
  changed.cache_key.reset();
  store.update_trial(changed);
  expect_same_fields(*store.trial(id), changed);

  const auto list = store.trials(exp);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, id);
  EXPECT_EQ(list[1].id, bare_id);
  EXPECT_FALSE(store.trial(12345));
  EXPECT_NE(error_of([&] { store.add_trial(full_trial(exp + 7)); }).find("has no experiment"), std::string::npos);
  TrialRecord bad = full_trial(exp);
  bad.cache_key = "other";
  bad.architecture = "{not json";
  EXPECT_NE(error_of([&] { store.add_trial(bad); }).find("architecture is not JSON"), std::string::npos);
}

TEST(Store, RunDirAndCacheKeyLookups) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const int64_t exp = store.create_experiment("train", "", ordered_json::object(), ordered_json::object());
  TrialRecord t = full_trial(exp);
  const int64_t first = store.add_trial(t);
  t.cache_key.reset();
  const int64_t second = store.add_trial(t);  // same run dir, e.g. a failed first attempt
  EXPECT_EQ(store.find_trial_by_run_dir("/runs/x")->id, second);
  EXPECT_FALSE(store.find_trial_by_run_dir("/runs/y"));
  EXPECT_EQ(store.find_trial_by_cache_key("abc123")->id, first);
  EXPECT_FALSE(store.find_trial_by_cache_key("abc"));
}

TEST(Store, CacheKeyIsUnique) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const int64_t exp = store.create_experiment("search", "", ordered_json::object(), ordered_json::object());
  const int64_t id = store.add_trial(full_trial(exp));
  const auto msg = error_of([&] { store.add_trial(full_trial(exp)); });
  EXPECT_NE(msg.find("cache key abc123 already belongs to trial " + std::to_string(id)), std::string::npos) << msg;
  EXPECT_EQ(store.trials(exp).size(), 1u);
  // Moving another trial onto the key is refused too; trials without a key are any number.
  TrialRecord other = full_trial(exp);
  other.cache_key.reset();
  other.id = store.add_trial(other);
  store.add_trial(other);
  other.cache_key = "abc123";
  EXPECT_NE(error_of([&] { store.update_trial(other); }).find("already belongs"), std::string::npos);
  // The database enforces it as well (a writer that skips the check).
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(tmp.path().c_str(), &raw), SQLITE_OK);
  EXPECT_NE(
      sqlite3_exec(raw, "UPDATE trials SET cache_key = 'abc123' WHERE cache_key IS NULL", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
}

TEST(Store, StatusTransitions) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const int64_t exp = store.create_experiment("search", "", ordered_json::object(), ordered_json::object());
  TrialRecord t = full_trial(exp);
  t.metrics = nullptr;
  const int64_t id = store.add_trial(t);

  // pending -> done skips running
  EXPECT_NE(error_of([&] {
              store.mark_done(id, 1, 1, {});
            }).find("trial " + std::to_string(id) + " is pending; it cannot become done"),
            std::string::npos);
  store.mark_running(id);
  EXPECT_EQ(store.trial(id)->status, Status::running);
  store.mark_stopped(id, 400, 3.5, "interrupted");
  auto r = store.trial(id);
  EXPECT_EQ(r->status, Status::stopped);
  EXPECT_EQ(r->reason, "interrupted");
  EXPECT_EQ(r->steps, 400);
  EXPECT_EQ(r->wall_seconds, 3.5);
  EXPECT_NE(error_of([&] { store.mark_stopped(id, 1, 1, ""); }).find("is stopped; it cannot become stopped"),
            std::string::npos);
  store.mark_running(id);  // resumed
  EXPECT_TRUE(store.trial(id)->reason.empty());
  store.mark_running(id);  // reclaimed after its process died
  store.mark_failed(id, "out of memory");
  EXPECT_EQ(store.trial(id)->reason, "out of memory");
  store.mark_running(id);  // retried
  const ordered_json metrics = {{"eval_return_mean", 3.0}};
  store.mark_done(id, 1000, 9.25, metrics);
  r = store.trial(id);
  EXPECT_EQ(r->status, Status::done);
  EXPECT_EQ(r->steps, 1000);
  EXPECT_EQ(r->wall_seconds, 9.25);
  EXPECT_EQ(r->metrics, metrics);
  EXPECT_GE(r->updated_at, r->created_at);

  // A done trial is final.
  for (const auto& fn :
       std::vector<std::function<void()>>{[&] { store.mark_running(id); }, [&] { store.mark_failed(id, "x"); },
                                          [&] { store.mark_stopped(id, 1, 1, ""); }}) {
    const auto msg = error_of(fn);
    EXPECT_NE(msg.find("a done trial is final"), std::string::npos) << msg;
  }
  EXPECT_EQ(store.trial(id)->status, Status::done);
  EXPECT_NE(error_of([&] { store.mark_running(id + 100); }).find("has no trial"), std::string::npos);
}

TEST(Store, StatusAndRoleNames) {
  for (auto s : {Status::pending, Status::running, Status::done, Status::failed, Status::stopped}) {
    EXPECT_EQ(parse_status(to_string(s)), s);
  }
  for (auto r : {Role::train, Role::proxy, Role::retrain, Role::baseline, Role::benchmark}) {
    EXPECT_EQ(parse_role(to_string(r)), r);
  }
  EXPECT_EQ(error_of([] { parse_role("search"); }),
            "unknown trial role 'search'; valid: train, proxy, retrain, baseline, benchmark");
}

TEST(Store, CurvesRoundTripAndReplace) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const int64_t exp = store.create_experiment("train", "", ordered_json::object(), ordered_json::object());
  const int64_t id = store.add_trial(full_trial(exp));
  std::vector<CurvePoint> points;
  for (int64_t step : {3000, 1000, 2000}) {
    points.push_back({step, ordered_json{{"time", step / 1000.0}, {"return_mean", nullptr}, {"loss", 0.5}}});
  }
  store.add_curve_points(id, points);
  auto c = store.curve(id);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].step, 1000);
  EXPECT_EQ(c[2].step, 3000);
  EXPECT_EQ(c[1].metrics.dump(), points[2].metrics.dump());
  EXPECT_EQ(store.curve_length(id), 3);
  // a point at an existing step replaces it
  store.add_curve_points(id, {{2000, {{"loss", 0.25}}}});
  c = store.curve(id);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[1].metrics, (ordered_json{{"loss", 0.25}}));
  store.replace_curve(id, {{500, {{"loss", 1.0}}}});
  EXPECT_EQ(store.curve_length(id), 1);
  EXPECT_EQ(store.curve(id)[0].step, 500);
  EXPECT_TRUE(store.curve(id + 1).empty());
}

TEST(Store, SnapshotsRoundTrip) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const int64_t exp = store.create_experiment("search", "", ordered_json::object(), ordered_json::object());
  const ordered_json probs = {{"conv2.kernel", {0.2, 0.2, 0.2, 0.2, 0.2}}};
  store.add_snapshot(exp, 20, "controller_probs", probs);
  store.add_snapshot(exp, 10, "controller_probs", {{"conv2.kernel", {1, 0, 0, 0, 0}}});
  const int64_t proxy = store.add_snapshot(exp, 10, "proxy_scores", ordered_json::array({{"arch", 1.5}}));
  const auto all = store.snapshots(exp);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].step, 10);
  EXPECT_EQ(all[1].id, proxy);
  EXPECT_EQ(all[2].payload, probs);
  EXPECT_EQ(all[2].experiment_id, exp);
  EXPECT_FALSE(all[2].created_at.empty());
  const auto only = store.snapshots(exp, "proxy_scores");
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].kind, "proxy_scores");
  EXPECT_EQ(only[0].payload, ordered_json::array({{"arch", 1.5}}));
  EXPECT_THROW(store.add_snapshot(exp + 1, 0, "x", {}), Error);  // no such experiment
}

TEST(Store, DataSurvivesReopening) {
  TempStorePath tmp;
  int64_t id = 0;
  {
    auto store = Store::open(tmp.path());
    const int64_t exp = store.create_experiment("train", "", ordered_json::object(), ordered_json::object());
    id = store.add_trial(full_trial(exp));
    store.add_curve_points(id, {{1, {{"a", 1}}}});
  }
  auto store = Store::open(tmp.path(), {.create = false});
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  expect_same_fields(*store.trial(id), full_trial(1));
  EXPECT_EQ(store.curve_length(id), 1);
}

TEST(Store, UncommittedTransactionLeavesNothing) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const int64_t exp = store.create_experiment("search", "", ordered_json::object(), ordered_json::object());
  {
    auto tx = store.transaction();
    const int64_t id = store.add_trial(full_trial(exp));  // its own transaction nests as a savepoint
    store.add_curve_points(id, {{1, {{"a", 1}}}, {2, {{"a", 2}}}});
    store.add_snapshot(exp, 1, "proxy_scores", {{"x", 1}});
    EXPECT_EQ(store.trials(exp).size(), 1u);  // visible inside the transaction
  }                                           // destroyed without commit
  EXPECT_TRUE(store.trials(exp).empty());
  EXPECT_TRUE(store.snapshots(exp).empty());
  {
    auto tx = store.transaction();
    store.add_trial(full_trial(exp));
    tx.commit();
  }
  EXPECT_EQ(store.trials(exp).size(), 1u);
}

TEST(Store, FailedBatchWritesNothing) {
  TempStorePath tmp;
  auto store = Store::open(tmp.path());
  const int64_t exp = store.create_experiment("search", "", ordered_json::object(), ordered_json::object());
  const int64_t id = store.add_trial(full_trial(exp));
  store.add_curve_points(id, {{1, {{"a", 1}}}});
  // The replacement's second half fails (no trial id + 1): the old curve stays whole.
  store.add_curve_points(id, {{2, {{"a", 2}}}});
  const auto attempt = [&] {
    auto tx = store.transaction();
    store.replace_curve(id, {{5, {{"a", 5}}}});
    store.add_curve_points(id + 1, {{1, {{"a", 1}}}});
    tx.commit();
  };
  EXPECT_THROW(attempt(), Error);
  const auto c = store.curve(id);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].step, 2);
}

TEST(Store, ProcessKilledMidTransactionLeavesStoreConsistent) {
  TempStorePath tmp;
  int64_t exp = 0;
  {
    auto store = Store::open(tmp.path());
    exp = store.create_experiment("search", "", ordered_json::object(), ordered_json::object());
    store.add_trial(full_trial(exp));
  }
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // child: half of a change, then kill -9
    auto store = Store::open(tmp.path());
    auto tx = store.transaction();
    TrialRecord t = full_trial(exp);
    t.cache_key = "second";
    const int64_t id = store.add_trial(t);
    store.add_curve_points(id, {{1, {{"a", 1}}}});
    std::raise(SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto store = Store::open(tmp.path());
  const auto trials = store.trials(exp);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].cache_key, "abc123");
  // The store is writable again at once: no lock was left behind.
  TrialRecord t = full_trial(exp);
  t.cache_key = "second";
  store.add_trial(t);
  EXPECT_EQ(store.trials(exp).size(), 2u);
}

TEST(Store, ReadersSeeCommittedStateWhileAWriterWrites) {
  TempStorePath tmp;
  auto writer = Store::open(tmp.path());
  const int64_t exp = writer.create_experiment("search", "", ordered_json::object(), ordered_json::object());
  auto reader = Store::open(tmp.path());
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(tmp.path().c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* mode = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &mode, nullptr);
  ASSERT_EQ(sqlite3_step(mode), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(mode, 0)), "wal");
  sqlite3_finalize(mode);
  sqlite3_close(raw);
  {
    auto tx = writer.transaction();  // holds the write lock
    const int64_t id = writer.add_trial(full_trial(exp));
    writer.add_curve_points(id, {{1, {{"a", 1}}}});
    // A reader neither blocks nor sees the uncommitted trial.
    EXPECT_TRUE(reader.trials(exp).empty());
    EXPECT_EQ(reader.experiments().size(), 1u);
    tx.commit();
  }
  ASSERT_EQ(reader.trials(exp).size(), 1u);
  EXPECT_EQ(reader.curve_length(reader.trials(exp)[0].id), 1);
}

}  // namespace
}  // namespace rlnas::store
