// rlnas runs export / import at the library level (store/exchange.h).
#include "rlnas/store/exchange.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../common/error_of.h"
#include "rlnas/core/error.h"
#include "rlnas/core/gzip.h"
#include "rlnas/store/store.h"
#include "store_test_util.h"

namespace rlnas::store {
namespace {

using nlohmann::ordered_json;
using test_util::error_of;
using test_util::TempStorePath;

TrialRecord trial(int64_t experiment_id, const std::string& key, int64_t seed) {
  TrialRecord t;
  t.experiment_id = experiment_id;
  t.role = Role::benchmark;
  t.status = Status::pending;
  t.space = "minatar/ss1";
  t.arch_id = "arch-" + key;
  t.architecture = R"({"choices":{"conv2.kernel":3},"space":"minatar/ss1","version":1})";
  t.seed = seed;
  t.budget = 1000;
  t.params = 10;
  t.cache_key = key;
  t.run_dir = "/runs/" + key;
  return t;
}

// A search with two done trials (one with a 500-point curve), one still running, its snapshots.
int64_t fill(Store& s) {
  const int64_t e = s.create_experiment("search", "grid minatar/ss1", {{"env", "minatar/breakout"}, {"steps", 1000}},
                                        machine_facts());
  const int64_t a = s.add_trial(trial(e, "key-a", 1));
  s.mark_running(a);
  s.mark_done(a, 1000, 2.5, {{"eval_return_mean", 4.5}, {"train_return_mean", 3.5}});
  std::vector<CurvePoint> curve;
  for (int64_t i = 0; i < 500; ++i) curve.push_back({i * 10, {{"return", static_cast<double>(i)}}});
  s.add_curve_points(a, curve);
  const int64_t b = s.add_trial(trial(e, "key-b", 2));
  s.mark_running(b);
  s.mark_done(b, 1000, 3.0, {{"eval_return_mean", 5.0}, {"train_return_mean", 4.0}});
  const int64_t c = s.add_trial(trial(e, "key-c", 3));
  s.mark_running(c);
  for (int64_t i = 0; i < 300; ++i) s.add_snapshot(e, i, "controller_probs", {{"p", i}});
  for (int64_t i = 0; i < 5; ++i) s.add_snapshot(e, i, "strategy_state", {{"state", i}});
  s.add_snapshot(e, 7, "proxy_scores", {{"trial_id", b}, {"score", 1.5}});
  s.add_snapshot(e, 0, "summary", {{"experiment_id", e}, {"rows", ordered_json::array()}});
  return e;
}

TEST(Exchange, ThinnedIndicesKeepFirstAndLastAndAreEvenlySpread) {
  EXPECT_EQ(thinned_indices(5, 200), (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(thinned_indices(10, 4), (std::vector<size_t>{0, 3, 6, 9}));
  EXPECT_EQ(thinned_indices(10, 1), (std::vector<size_t>{9}));
  for (const size_t n : {201u, 257u, 1000u, 12345u}) {
    const auto idx = thinned_indices(n, 200);
    ASSERT_EQ(idx.size(), 200u);
    EXPECT_EQ(idx.front(), 0u);
    EXPECT_EQ(idx.back(), n - 1);
    for (size_t i = 1; i < idx.size(); ++i) {
      EXPECT_GT(idx[i], idx[i - 1]);
      EXPECT_LE(idx[i] - idx[i - 1], n / 199 + 1);
    }
  }
}

TEST(Exchange, AnExportImportsWithItsRecordsTimestampsCurvesAndSnapshots) {
  TempStorePath dir;
  auto from = Store::open(dir.path("from.db"));
  const int64_t e = fill(from);
  const auto doc = export_document(from, {export_experiment(from, e)});
  EXPECT_EQ(doc["format"], kExportFormat);
  EXPECT_EQ(doc["version"], kExportFormatVersion);
  const auto& x = doc["experiments"][0];
  ASSERT_EQ(x["trials"].size(), 3u);
  EXPECT_EQ(x["trials"][0]["curve"].size(), 200u);
  EXPECT_EQ(x["trials"][0]["curve_points_stored"], 500);
  EXPECT_EQ(x["trials"][0]["curve"].front()["step"], 0);
  EXPECT_EQ(x["trials"][0]["curve"].back()["step"], 4990);
  std::map<std::string, int> kinds;
  for (const auto& s : x["snapshots"]) kinds[s["kind"].get<std::string>()]++;
  EXPECT_EQ(kinds["controller_probs"], 200);
  EXPECT_EQ(kinds["strategy_state"], 1);  // only the newest resume state
  EXPECT_EQ(kinds["proxy_scores"], 1);
  EXPECT_EQ(x["snapshots_stored"], 307);

  // Into a store that already has an experiment, so that ids differ.
  auto to = Store::open(dir.path("to.db"));
  to.create_experiment("train", "other", ordered_json::object(), machine_facts());
  write_export_file(dir.path("x.json.gz"), doc);
  const auto imported = import_document(to, read_export_file(dir.path("x.json.gz")), "x.json.gz");
  ASSERT_EQ(imported.size(), 1u);
  EXPECT_EQ(imported[0].action, "imported");
  EXPECT_EQ(imported[0].original_id, e);
  EXPECT_EQ(imported[0].trials, 3u);
  EXPECT_EQ(imported[0].done, 2u);
  const int64_t id = imported[0].id;
  EXPECT_NE(id, e);

  const auto ex = *to.experiment(id);
  const auto orig = *from.experiment(e);
  EXPECT_EQ(ex.kind, orig.kind);
  EXPECT_EQ(ex.name, orig.name);
  EXPECT_EQ(ex.config, orig.config);
  EXPECT_EQ(ex.started_at, orig.started_at);
  EXPECT_EQ(ex.status, Status::stopped);  // it was running: no process will end it here
  const auto ft = from.trials(e);
  const auto tt = to.trials(id);
  ASSERT_EQ(tt.size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(tt[i].status, Status::done);
    EXPECT_EQ(tt[i].cache_key, ft[i].cache_key);  // a cache hit for later work
    EXPECT_EQ(tt[i].metrics.dump(), ft[i].metrics.dump());
    EXPECT_EQ(tt[i].created_at, ft[i].created_at);
    EXPECT_EQ(tt[i].updated_at, ft[i].updated_at);
    EXPECT_EQ(tt[i].wall_seconds, ft[i].wall_seconds);
    EXPECT_EQ(tt[i].architecture, ft[i].architecture);
    EXPECT_EQ(tt[i].params, ft[i].params);
  }
  EXPECT_EQ(to.find_trial_by_cache_key("key-a")->id, tt[0].id);
  EXPECT_EQ(tt[2].status, Status::failed);  // was running: no checkpoint came with it
  EXPECT_FALSE(tt[2].cache_key);
  EXPECT_NE(tt[2].reason.find("was running"), std::string::npos) << tt[2].reason;
  EXPECT_EQ(to.curve(tt[0].id).size(), 200u);
  EXPECT_EQ(to.snapshots(id, "proxy_scores").at(0).payload["trial_id"], tt[1].id);  // mapped
  EXPECT_EQ(to.snapshots(id, "summary").at(0).payload["experiment_id"], id);
  const auto provenance = to.snapshots(id, "import");
  ASSERT_EQ(provenance.size(), 1u);
  EXPECT_EQ(provenance[0].payload["source"], "x.json.gz");
  EXPECT_EQ(provenance[0].payload["original_id"], e);
  EXPECT_EQ(provenance[0].payload["exported_status"], "running");
}

TEST(Exchange, ALaterExportReplacesAnEarlierImportAndTheOriginalIsNeverTouched) {
  TempStorePath dir;
  auto from = Store::open(dir.path("from.db"));
  const int64_t e = fill(from);
  auto to = Store::open(dir.path("to.db"));
  import_document(to, export_document(from, {export_experiment(from, e)}), "first");
  // The search goes on: its running trial finishes.
  const int64_t running = from.trials(e)[2].id;
  from.mark_done(running, 1000, 1.0, {{"eval_return_mean", 6.0}});
  from.set_experiment_status(e, Status::done);
  const auto second = import_document(to, export_document(from, {export_experiment(from, e)}), "second");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].action, "replaced");
  EXPECT_EQ(second[0].done, 3u);
  EXPECT_EQ(to.experiments().size(), 1u);
  EXPECT_EQ(to.experiment(second[0].id)->status, Status::done);
  EXPECT_EQ(to.find_trial_by_cache_key("key-c")->status, Status::done);

  // Into the store that holds the original: nothing changes.
  const auto before = from.trials(e);
  const auto back = import_document(from, export_document(from, {export_experiment(from, e)}), "back");
  EXPECT_EQ(back[0].action, "skipped");
  EXPECT_EQ(from.experiments().size(), 1u);
  EXPECT_EQ(from.curve(before[0].id).size(), 500u);  // not replaced by the thinned curve
}

TEST(Exchange, ADoneTrialWhoseKeyThisStoreAlreadyTrainedKeepsTheStoresOwn) {
  TempStorePath dir;
  auto from = Store::open(dir.path("from.db"));
  const int64_t e = fill(from);
  auto to = Store::open(dir.path("to.db"));
  const int64_t mine = to.create_experiment("search", "mine", ordered_json::object(), machine_facts());
  const int64_t t = to.add_trial(trial(mine, "key-b", 2));
  const auto r = import_document(to, export_document(from, {export_experiment(from, e)}), "x");
  EXPECT_EQ(r[0].keys_elsewhere, 1u);
  EXPECT_EQ(to.find_trial_by_cache_key("key-b")->id, t);
  EXPECT_EQ(to.find_trial_by_cache_key("key-a")->experiment_id, r[0].id);
}

// A search continued from an imported one reuses its done trainings (cache copies without a key of
// their own); its export carries their keys, so that a third store can continue from it alone.
TEST(Exchange, AnExperimentThatReusedImportedTrainingsExportsTheirKeys) {
  TempStorePath dir;
  auto first = Store::open(dir.path("first.db"));
  const int64_t e1 = fill(first);
  const auto trained = first.trials(e1)[0];  // done, holds key-a
  const int64_t e2 = first.create_experiment("search", "continued", ordered_json::object(), machine_facts());
  auto copy = trial(e2, "key-a", 1);
  copy.cache_key.reset();  // as the search plans a cache hit: the key stays with the training
  copy.run_dir = trained.run_dir;
  const int64_t c = first.add_trial(copy);
  first.mark_running(c);
  first.mark_done(c, 1000, 2.5, trained.metrics);
  first.add_trial(trial(e2, "key-d", 4));  // not done: its key is its own
  ASSERT_FALSE(first.trial(c)->cache_key);

  const auto doc = export_document(first, {export_experiment(first, e2)});
  const auto& trials = doc["experiments"][0]["trials"];
  EXPECT_EQ(trials[0]["cache_key"], "key-a");
  EXPECT_EQ(trials[1]["cache_key"], "key-d");
  EXPECT_FALSE(first.trial(c)->cache_key) << "exporting changes nothing in the store";

  auto third = Store::open(dir.path("third.db"));
  const auto r = import_document(third, doc, "continued");
  const auto found = third.find_trial_by_cache_key("key-a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->experiment_id, r[0].id);
  EXPECT_EQ(found->status, Status::done);
  EXPECT_FALSE(third.find_trial_by_cache_key("key-d")) << "an unfinished trial's key is not imported";
}

TEST(Exchange, ADocumentThatIsNotAnExportIsRefusedAndTheStoreUnchanged) {
  TempStorePath dir;
  auto from = Store::open(dir.path("from.db"));
  const int64_t e = fill(from);
  auto to = Store::open(dir.path("to.db"));
  auto doc = export_document(from, {export_experiment(from, e), export_experiment(from, e)});
  EXPECT_NE(error_of([&] {
              import_document(to, ordered_json{{"experiments", 1}}, "f.json");
            }).find("not an rlnas runs export"),
            std::string::npos);
  auto newer = doc;
  newer["version"] = kExportFormatVersion + 1;
  EXPECT_NE(error_of([&] { import_document(to, newer, "f.json"); }).find("upgrade rlnas"), std::string::npos);
  // The second experiment is broken: the first is not kept either.
  doc["experiments"][1]["trials"][1]["seed"] = "two";
  const auto msg = error_of([&] { import_document(to, doc, "f.json"); });
  EXPECT_NE(msg.find("f.json: experiments[1].trials[1].seed should be an integer, found \"two\""), std::string::npos)
      << msg;
  doc["experiments"][1]["trials"][1]["seed"] = 2;
  doc["experiments"][1]["trials"][0]["status"] = "finished";
  EXPECT_NE(error_of([&] { import_document(to, doc, "f.json"); }).find("experiments[1].trials[0].status"),
            std::string::npos);
  EXPECT_TRUE(to.experiments().empty());
}

TEST(Exchange, GzipFilesRoundTripAndBrokenOnesAreNamed) {
  TempStorePath dir;
  const ordered_json doc = {{"format", kExportFormat}, {"text", std::string(10000, 'x')}};
  write_export_file(dir.path("a.json.gz"), doc);
  write_export_file(dir.path("a.json"), doc);
  EXPECT_EQ(read_export_file(dir.path("a.json.gz")), doc);
  EXPECT_EQ(read_export_file(dir.path("a.json")), doc);
  std::ifstream in(dir.path("a.json.gz"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_LT(bytes.size(), 1000u);
  std::ofstream(dir.path("cut.json.gz"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const auto msg = error_of([&] { read_export_file(dir.path("cut.json.gz")); });
  EXPECT_NE(msg.find("cut.json.gz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("gzip"), std::string::npos) << msg;
  std::ofstream(dir.path("bad.json")) << "{\"format\": ";
  EXPECT_NE(error_of([&] { read_export_file(dir.path("bad.json")); }).find("is not JSON"), std::string::npos);
}

// Files from others (issue 26): a gzip bomb stops at the limit, negative counts are refused, an
// import never replaces an experiment whose lock a process holds, and a store's own export with
// names that are not UTF-8 is recognised there.
TEST(Exchange, HostileDocumentsAreRefusedAndTheStoreUnchanged) {
  TempStorePath dir;
  const std::string bomb = io::gzip_compress(std::string(8 << 20, ' '));
  EXPECT_LT(bomb.size(), 64u << 10);
  const auto msg = error_of([&] { gzip_decompress(bomb, "bomb.json.gz", 1 << 20); });
  EXPECT_NE(msg.find("'bomb.json.gz' inflates to more than 1 MiB"), std::string::npos) << msg;

  auto from = Store::open(dir.path("from.db"));
  const int64_t e = fill(from);
  auto to = Store::open(dir.path("to.db"));
  auto doc = export_document(from, {export_experiment(from, e)});
  for (const char* key : {"steps", "budget", "seed", "wall_seconds"}) {
    auto bad = doc;
    bad["experiments"][0]["trials"][0][key] = -5;
    const auto m = error_of([&] { import_document(to, bad, "f.json"); });
    EXPECT_NE(m.find(std::string("experiments[0].trials[0].") + key + " should be a number >= 0, found -5"),
              std::string::npos)
        << m;
  }
  EXPECT_TRUE(to.experiments().empty());

  import_document(to, doc, "first");
  {
    const auto lock = to.take_experiment_lock(1);
    const auto m = error_of([&] { import_document(to, doc, "second"); });
    EXPECT_NE(m.find("experiment 1 of"), std::string::npos) << m;
    EXPECT_EQ(to.experiments().size(), 1u);
    EXPECT_EQ(to.trials(1).size(), 3u);
  }
  EXPECT_EQ(import_document(to, doc, "third")[0].action, "replaced");
}

TEST(Exchange, AStoresOwnExportWithNamesThatAreNotUtf8IsRecognisedThere) {
  TempStorePath dir;
  auto s = Store::open(dir.path("s.db"));
  const int64_t e = s.create_experiment("train", "runs/caf\xe9", {{"env", "x"}}, machine_facts());
  write_export_file(dir.path("e.json"), export_document(s, {export_experiment(s, e)}));
  const auto r = import_document(s, read_export_file(dir.path("e.json")), "e.json");
  EXPECT_EQ(r[0].action, "skipped");
  EXPECT_EQ(s.experiments().size(), 1u);
}

}  // namespace
}  // namespace rlnas::store
