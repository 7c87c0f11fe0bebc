// The report's data (collect), its Pareto front, its diagrams' DOT and the page's assembly.
// Rendering in a browser is tests/report/browser_test.cpp.
#include "rlnas/report/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

#include "../common/error_of.h"
#include "../common/fresh_dir.h"
#include "rlnas/space/space.h"
#include "rlnas/store/store.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;
using rlnas::report::collect;
using rlnas::store::Role;
using rlnas::store::Status;
using rlnas::store::Store;
using rlnas::store::TrialRecord;
using rlnas::test_util::error_of;

fs::path fresh(const std::string& name) { return rlnas::test_util::fresh_dir("rlnas_report_test", name); }

ordered_json search_config(const std::string& strategy, const std::string& space) {
  return {{"search",
           {{"search.strategy", strategy},
            {"search.space", space},
            {"search.steps", 0},
            {"search.top_k", 1},
            {"search.seeds", 2}}},
          {"train", {{"env", "minatar/breakout"}, {"algo", "ppo"}, {"steps", 1000}, {"seed", 1}}}};
}

TrialRecord trial(int64_t exp, Role role, const rlnas::space::Architecture& arch, int64_t seed) {
  TrialRecord t;
  t.experiment_id = exp;
  t.role = role;
  t.status = Status::pending;
  t.space = arch.space;
  t.architecture = arch.canonical_json();
  t.arch_id = arch.id();
  t.seed = seed;
  t.budget = 1000;
  t.params = 1000 + seed;
  t.flops = 2000000;
  t.latency_ms = 0.1 * static_cast<double>(seed);
  return t;
}

std::vector<rlnas::store::CurvePoint> curve(std::vector<double> returns) {
  std::vector<rlnas::store::CurvePoint> points;
  for (size_t i = 0; i < returns.size(); ++i) {
    points.push_back({static_cast<int64_t>(100 * (i + 1)), ordered_json{{"return_mean", returns[i]}}});
  }
  return points;
}

const rlnas::space::Architecture& nature() { return rlnas::space::find_named_architecture("minatar/ss1/nature").arch; }

rlnas::space::Architecture other() {
  return rlnas::space::find_space("minatar/ss1").make({{"conv2.kernel", 2}, {"conv3.kernel", 5}});
}

// A search with two retrain seeds of one architecture and two of the baseline, done.
int64_t fill_search(Store& store) {
  const int64_t exp = store.create_experiment("search", "test", search_config("random", "minatar/ss1"), {});
  const double reward[2] = {1.0, 3.0};
  for (int64_t s = 0; s < 2; ++s) {
    const int64_t id = store.add_trial(trial(exp, Role::retrain, other(), s + 1));
    store.mark_running(id);
    store.mark_done(id, 1000, 1.5, {{"train_return_mean", reward[s]}, {"eval_return_mean", 2 * reward[s]}});
    store.replace_curve(id, curve({0.0, reward[s]}));
  }
  for (int64_t s = 0; s < 2; ++s) {
    const int64_t id = store.add_trial(trial(exp, Role::baseline, nature(), s + 1));
    store.mark_running(id);
    store.mark_done(id, 1000, 1.0, {{"train_return_mean", 0.5}, {"eval_return_mean", 0.25}});
    store.replace_curve(id, curve({0.5, 0.5}));
  }
  return exp;
}

TEST(ReportParetoFront, KeepsOnlyPointsNothingCheaperBeats) {
  //                           0    1    2    3    4     5
  const std::vector<double> cost{1.0, 2.0, 3.0, 4.0, 2.0, NAN};
  const std::vector<double> value{1.0, 0.5, 2.0, 2.0, 1.5, 9.0};
  // 1 is beaten by 0 (cheaper, better); 3 ties 2 at a higher cost; 5 has no cost.
  EXPECT_EQ(rlnas::report::pareto_front(cost, value), (std::vector<size_t>{0, 4, 2}));
  EXPECT_TRUE(rlnas::report::pareto_front({}, {}).empty());
}

TEST(ReportCollect, ASearchInProgressShowsTheSeedsDoneSoFar) {
  const auto dir = fresh("live");
  auto store = Store::open((dir / "s.db").string());
  const int64_t exp = fill_search(store);
  const auto r = collect(store, exp);
  EXPECT_EQ(r["kind"], "search");
  EXPECT_EQ(r["strategy"], "random");
  EXPECT_EQ(r["env"], "minatar/breakout");
  EXPECT_EQ(r["search_steps"], 1000);  // 0: the training budget
  EXPECT_EQ(r["trials"], 4);
  EXPECT_FALSE(r["rows_final"].get<bool>());
  ASSERT_EQ(r["rows"].size(), 2u);
  const auto& cand = r["rows"][0];
  EXPECT_EQ(cand["kind"], "candidate");
  EXPECT_EQ(cand["label"], "candidate 1");
  EXPECT_EQ(cand["seeds"], 2);
  EXPECT_DOUBLE_EQ(cand["reward_mean"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(cand["reward_mean_std"].get<double>(), 1.0);  // population std of {1, 3}
  EXPECT_DOUBLE_EQ(cand["total_reward"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(cand["latency_ms"].get<double>(), 0.2);  // median of {0.1, 0.2}: the upper middle
  EXPECT_EQ(r["rows"][1]["label"], "minatar/ss1/nature");   // a baseline is named by its architecture
  // One curve per row: the mean and std over seeds at each step.
  ASSERT_EQ(r["curves"].size(), 2u);
  const auto& c = r["curves"][0];
  EXPECT_EQ(c["steps"], json({100, 200}));
  EXPECT_DOUBLE_EQ(c["mean"][1].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(c["std"][1].get<double>(), 1.0);
  EXPECT_EQ(c["n"][1], 2);
  // No summary yet: nothing is "found".
  EXPECT_TRUE(r["found"].is_null());
  // Return vs FLOPs: both rows at the same cost; the better one alone is on the front.
  ASSERT_EQ(r["scatter"].size(), 2u);
  EXPECT_TRUE(r["scatter"][0]["pareto"].get<bool>());
  EXPECT_FALSE(r["scatter"][1]["pareto"].get<bool>());
}

TEST(ReportCollect, AFinishedSearchUsesItsSummaryAndDescribesTheFoundArchitecture) {
  const auto dir = fresh("done");
  auto store = Store::open((dir / "s.db").string());
  const int64_t exp = fill_search(store);
  const auto found_arch = ordered_json::parse(other().canonical_json());
  const ordered_json row = {{"arch", found_arch},  {"arch_id", other().id()}, {"proxy", nullptr},
                            {"seeds", 2},          {"reward_mean", 2.0},      {"reward_mean_std", 1.0},
                            {"total_reward", 4.0}, {"total_reward_std", 2.0}, {"params", 1001},
                            {"flops", 2000000},    {"latency_ms", 0.15}};
  ordered_json found = row, candidate = row;
  found["kind"] = "found";
  found["label"] = "found (candidate 1)";
  candidate["kind"] = "candidate";
  candidate["label"] = "candidate 1";
  store.add_snapshot(exp, 0, "summary",
                     {{"experiment_id", exp},
                      {"status", "done"},
                      {"strategy", "random"},
                      {"proxy_name", "none"},
                      {"note", "a note"},
                      {"rows", {found, candidate}}});
  store.set_experiment_status(exp, Status::done);
  const auto r = collect(store, exp);
  EXPECT_EQ(r["status"], "done");
  EXPECT_TRUE(r["rows_final"].get<bool>());
  EXPECT_EQ(r["note"], "a note");
  ASSERT_TRUE(r["found"].is_object());
  EXPECT_EQ(r["found"]["label"], "found (candidate 1)");
  EXPECT_EQ(r["found"]["flops"], 2000000);
  // The space's own description, layer by layer, for the diagram.
  ASSERT_EQ(r["found"]["lines"].size(), 4u) << r["found"].dump();
  EXPECT_NE(r["found"]["lines"][1].get<std::string>().find("kernel 2 (chosen)"), std::string::npos);
  // The found row's curve is its candidate's; found rows draw no second line.
  ASSERT_EQ(r["curves"].size(), 1u);
  EXPECT_EQ(r["curves"][0]["label"], "candidate 1");
  EXPECT_EQ(r["curves"][0]["seeds"], 2);
}

// A summary of schema version 2: what the search learned, its warnings and the comparisons with
// their intervals reach the page's data (report.js draws them under the protocol table).
TEST(ReportCollect, WhatTheSearchLearnedItsWarningsAndComparisonsAreShown) {
  const auto dir = fresh("learned");
  auto store = Store::open((dir / "s.db").string());
  const int64_t exp = fill_search(store);
  const ordered_json comparison = {{"a", "found"},
                                   {"b", "net:minatar"},
                                   {"pairing", "training seed"},
                                   {"n", 3},
                                   {"difference", 0.5},
                                   {"low", -0.2},
                                   {"high", 1.2},
                                   {"level", 0.95},
                                   {"significant", false},
                                   {"verdict", "not significant"}};
  store.add_snapshot(
      exp, 0, "summary",
      {{"schema_version", 2},
       {"experiment_id", exp},
       {"status", "done"},
       {"strategy", "enas"},
       {"proxy_name", "controller probability"},
       {"note", ""},
       {"selection", {{"select", "reward_mean"}, {"metric", "train_return_mean"}, {"test_metric", "eval_return_mean"}}},
       {"rows", ordered_json::array()},
       {"comparisons", {comparison}},
       {"learning", {{"controller_updates", 9}, {"supernet_return", 1.5}}},
       {"warnings", {"enas: the controller took 9 updates"}}});
  store.set_experiment_status(exp, Status::done);
  const auto r = collect(store, exp);
  EXPECT_EQ(r["learning"]["controller_updates"], 9);
  ASSERT_EQ(r["warnings"].size(), 1u);
  EXPECT_EQ(r["warnings"][0], "enas: the controller took 9 updates");
  ASSERT_EQ(r["comparisons"].size(), 1u);
  // A summary stored under schema 2 ("not significant") reads with today's word.
  EXPECT_EQ(r["comparisons"][0]["verdict"], "inconclusive");
  EXPECT_EQ(r["selection"]["select"], "reward_mean");
}

TEST(ReportCollect, EmptyAndFailedExperimentsAreReportedNotRejected) {
  const auto dir = fresh("empty");
  auto store = Store::open((dir / "s.db").string());
  const int64_t empty = store.create_experiment("search", "nothing yet", search_config("spos", "minatar/ss1"), {});
  const auto e = collect(store, empty);
  EXPECT_EQ(e["trials"], 0);
  EXPECT_TRUE(e["rows"].empty());
  EXPECT_TRUE(e["curves"].empty());
  EXPECT_TRUE(e["search_curves"].empty());
  EXPECT_TRUE(e["found"].is_null());

  const int64_t failed = store.create_experiment("search", "broken", search_config("spos", "minatar/ss1"), {});
  const int64_t id = store.add_trial(trial(failed, Role::train, other(), 1));
  store.mark_running(id);
  store.mark_failed(id, "trial process exited with status 134");
  store.set_experiment_status(failed, Status::failed);
  const auto f = collect(store, failed);
  EXPECT_EQ(f["status"], "failed");
  ASSERT_EQ(f["problems"].size(), 1u);
  EXPECT_EQ(f["problems"][0]["reason"], "trial process exited with status 134");
  EXPECT_EQ(f["trial_counts"]["failed"], 1);

  EXPECT_NE(error_of([&] { collect(store, 99); }).find("no experiment 99"), std::string::npos);
}

TEST(ReportCollect, ARunningSupernetIsReadFromItsRunDirectory) {
  const auto dir = fresh("running");
  auto store = Store::open((dir / "s.db").string());
  const int64_t exp = store.create_experiment("search", "darts", search_config("darts", "cell/micro"), {});
  TrialRecord t;
  t.experiment_id = exp;
  t.role = Role::train;
  t.status = Status::pending;
  t.space = "cell/micro";
  t.architecture = R"({"supernet":"cell/micro"})";
  t.arch_id = "abc";
  t.run_dir = (dir / "t1").string();
  const int64_t id = store.add_trial(t);
  store.mark_running(id);
  fs::create_directories(dir / "t1");
  std::ofstream(dir / "t1" / "metrics.jsonl") << R"({"step":128,"return_mean":0.5,"arch.temperature":5.0})"
                                              << "\n"
                                              << R"({"step":256,"return_mean":0.75,"arch.temperature":4.0})"
                                              << "\n"
                                              << R"({"step":384,"return_m)";  // a line being written
  std::ofstream(dir / "t1" / "alpha.jsonl")
      << R"({"step":128,"temperature":5.0,"groups":[{"name":"normal","ops":["zero","skip"],"rows":["node1<-input"],)"
      << R"("probs":[[0.5,0.5]]}]})"
      << "\n"
      << R"({"step":256,"temperature":4.0,"groups":[{"name":"normal","ops":["zero","skip"],"rows":["node1<-input"],)"
      << R"("probs":[[0.25,0.75]]}]})"
      << "\n";
  const auto r = collect(store, exp);
  ASSERT_EQ(r["search_curves"].size(), 1u);
  const auto& c = r["search_curves"][0];
  EXPECT_EQ(c["steps"], json({128, 256}));
  EXPECT_EQ(c["kind"], "supernet");
  EXPECT_EQ(c["arch.temperature"]["values"], json({5.0, 4.0}));
  ASSERT_TRUE(r["alpha"].is_object());
  EXPECT_EQ(r["alpha"]["steps"], json({128, 256}));
  EXPECT_EQ(r["alpha"]["groups"][0]["probs"][1], json({{0.25, 0.75}}));  // [step][row][op]
}

TEST(ReportDiagram, ACellIsADagWithItsOpsOnTheEdges) {
  const auto& sp = rlnas::space::find_space("cell/classic");
  rlnas::Mt19937 rng(3);
  const auto arch = sp.sample(rng);
  const auto graph = sp.graph(arch);
  ASSERT_TRUE(graph.contains("cells"));
  ASSERT_EQ(graph["cells"].size(), 2u);  // normal and reduction
  for (const auto& cell : graph["cells"]) {
    EXPECT_EQ(cell["nodes"].size(), 5u);           // the input and four nodes
    EXPECT_EQ(cell["edges"].size(), 7u);           // 1 + 2 + 2 + 2
    EXPECT_EQ(cell["output"]["from"].size(), 4u);  // classic concatenates every node
  }
  const std::string dot = rlnas::report::architecture_dot({{"graph", graph}, {"lines", json::array()}});
  EXPECT_NE(dot.find("cluster_normal"), std::string::npos);
  EXPECT_NE(dot.find("cluster_reduction"), std::string::npos);
  const auto& e = graph["cells"][0]["edges"][0];
  EXPECT_NE(dot.find("\"normal/" + e["from"].get<std::string>() + "\" -> \"normal/" + e["to"].get<std::string>() +
                     "\" [label=\"" + e["op"].get<std::string>() + "\"]"),
            std::string::npos)
      << dot;
  // Micro: one cell type (normal), every node into the output.
  const auto micro = rlnas::space::find_space("cell/micro").graph(rlnas::space::find_space("cell/micro").sample(rng));
  ASSERT_EQ(micro["cells"].size(), 1u);
  EXPECT_EQ(micro["cells"][0]["output"]["from"], json({"node1", "node2", "node3", "node4"}));
  // Chains have no graph: their layers make a strip.
  EXPECT_TRUE(rlnas::space::find_space("minatar/ss1").graph(nature()).is_null());
  const std::string strip = rlnas::report::architecture_dot({{"graph", nullptr}, {"lines", {"a = conv", "b"}}});
  EXPECT_NE(strip.find("in -> l0"), std::string::npos) << strip;
  EXPECT_NE(strip.find("l1 -> out"), std::string::npos) << strip;
  EXPECT_NE(strip.find("label=\"a\nconv\""), std::string::npos) << strip;  // name, then op
  EXPECT_EQ(rlnas::report::architecture_dot({{"graph", nullptr}, {"lines", json::array()}}), "");
}

TEST(ReportPage, InlinesEverythingAndNothingInTheDataCanCloseItsScript) {
  const auto dir = fresh("page");
  const auto chartjs = dir / "chart.min.js";
  std::ofstream(chartjs) << "window.Chart = function () {}; /* stand-in */";
  auto store = Store::open((dir / "s.db").string());
  const int64_t exp =
      store.create_experiment("search", "</script><script>alert(1)</script>", search_config("spos", "minatar/ss1"), {});
  rlnas::report::PageOptions options;
  options.chartjs = chartjs.string();
  const std::string html = rlnas::report::render_html({collect(store, exp)}, options);
  EXPECT_NE(html.find("window.Chart = function () {}"), std::string::npos);  // Chart.js inlined
  EXPECT_NE(html.find("id=\"rlnas-data\""), std::string::npos);
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html.find("\\u003c/script>\\u003cscript>alert(1)"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // nothing to fetch: it opens offline
  EXPECT_EQ(html.find("http-equiv=\"refresh\""), std::string::npos);
  // The data block parses back.
  const auto begin = html.find('>', html.find("id=\"rlnas-data\"")) + 1;
  const auto data = json::parse(html.substr(begin, html.find("</script>", begin) - begin));
  EXPECT_EQ(data["experiments"][0]["name"], "</script><script>alert(1)</script>");
  options.refresh_seconds = 5;
  EXPECT_NE(rlnas::report::render_html({collect(store, exp)}, options).find("http-equiv=\"refresh\" content=\"5\""),
            std::string::npos);
  // No Chart.js: a clear error naming the package.
  options.chartjs = (dir / "missing.js").string();
  const auto message = error_of([&] { rlnas::report::render_html({}, options); });
  EXPECT_NE(message.find("libjs-chart.js"), std::string::npos) << message;
  EXPECT_NE(message.find("missing.js"), std::string::npos) << message;
}

}  // namespace
