// Reports rendered in headless Chromium (Debian's chromium): small real searches, then the page's
// self-check (#rlnas-check: every chart with the elements it drew and the pixels it painted, and
// every script error) read from the DOM after the scripts ran, and a screenshot.
//
// RLNAS_BROWSER_TESTS=1 (scripts/test's default; scripts/setup then installs Chromium): they run,
// and a missing Chromium fails them: a browser test that silently skips in CI proves nothing.
// =0: skipped. Unset: run when Chromium is there, skipped otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "../cli/cli_util.h"
#include "../common/fresh_dir.h"
#include "rlnas/store/store.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

using rlnas::cli_test::Run;

Run sh(const std::string& cmd) { return rlnas::cli_test::run_command(cmd); }
Run rlnas(const std::string& args) { return rlnas::cli_test::run(args); }

std::string chromium() {
  const char* env = std::getenv("RLNAS_CHROMIUM");
  return env && *env ? env : "/usr/bin/chromium";
}

fs::path fresh(const std::string& name) { return rlnas::test_util::fresh_dir("rlnas_browser_test", name); }

std::string browser_tests() {
  const char* v = std::getenv("RLNAS_BROWSER_TESTS");
  return v ? v : "";
}

#define REQUIRE_CHROMIUM()                                                                            \
  do {                                                                                                \
    if (browser_tests() == "0") GTEST_SKIP() << "RLNAS_BROWSER_TESTS=0";                              \
    if (!fs::exists(chromium())) {                                                                    \
      if (browser_tests() == "1") FAIL() << "RLNAS_BROWSER_TESTS=1 but no Chromium at " << chromium(); \
      GTEST_SKIP() << "no Chromium at " << chromium() << " (RLNAS_BROWSER_TESTS=1 bash scripts/setup)"; \
    }                                                                                                 \
  } while (0)

// Chromium as the machine allows it here: headless, as root, no network chatter, a fresh profile.
std::string chromium_command(const fs::path& profile) {
  return "timeout 120 " + chromium() +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync --hide-scrollbars --virtual-time-budget=10000 --user-data-dir=" +
         profile.string();
}

std::string unescape_html(std::string s) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"}, {"&amp;", "&"}}) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  }
  return s;
}

struct Rendered {
  std::string dom;
  json check;  // {"charts": [...], "errors": [...]}
};

// The page's DOM after its scripts ran, and its self-check.
Rendered render(const fs::path& html, const fs::path& dir) {
  const auto r = sh(chromium_command(dir / "profile-dom") + " --dump-dom file://" + html.string());
  Rendered out;
  out.dom = r.out;
  const auto begin = r.out.find("<pre id=\"rlnas-check\"");
  if (begin == std::string::npos) return out;
  const auto open_end = r.out.find('>', begin) + 1;
  const auto end = r.out.find("</pre>", open_end);
  try {
    out.check = json::parse(unescape_html(r.out.substr(open_end, end - open_end)));
  } catch (const std::exception&) {
  }
  return out;
}

TEST(ReportInBrowser, ReportsOfRealSearchesDrawEveryPlotWithoutScriptErrors) {
  REQUIRE_CHROMIUM();
  const auto dir = fresh("searches");
  const std::string store = (dir / "s.db").string();
  // MinAtar Breakout at tiny budgets: the tabular benchmark of minatar/ss1 (25 trainings), ENAS
  // over it (controller, random-search row, histogram) and RL-DARTS on micro cells (alpha, cell DAG).
  const std::string common =
      " --env minatar/breakout --steps 1024 --set ppo.num_envs=4 --set ppo.num_steps=32 --set log_every=128 "
      "--set checkpoint_every=1024 --set search.eval_episodes=2 --set search.proxy_episodes=1 --quiet";
  for (const std::string& args :
       {"--space minatar/ss1 --strategy grid --seeds 1 --baselines none" + common,
        "--space minatar/ss1 --strategy enas --search-steps 4096 --top-k 2 --seeds 2" + common,
        "--space cell/micro --strategy darts --top-k 1 --seeds 1" + common}) {
    const auto r = rlnas("--store " + store + " search " + args);
    ASSERT_EQ(r.code, 0) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("report (HTML with plots): rlnas --store " + store + " report"), std::string::npos) << r.out;
  }
  const auto html = dir / "report.html";
  const auto w = rlnas("--store " + store + " report 1 2 3 --out " + html.string());
  ASSERT_EQ(w.code, 0) << w.out;

  const auto page = render(html, dir);
  ASSERT_TRUE(page.check.is_object()) << "no self-check in the rendered page:\n" << page.dom.substr(0, 2000);
  EXPECT_TRUE(page.check["errors"].empty()) << page.check["errors"].dump(2);
  std::set<std::string> ids;
  for (const auto& c : page.check["charts"]) {
    ids.insert(c["id"].get<std::string>());
    // Every plot drew its marks (Chart.js elements for its data) and painted its canvas.
    EXPECT_GT(c["marks"].get<int>(), 0) << c.dump();
    EXPECT_GT(c["painted"].get<int>(), 1000) << c.dump();
    EXPECT_GT(c["width"].get<int>(), 100) << c.dump();
  }
  for (const char* want :
       {"compare-curves", "compare-histogram", "e0-curves", "e0-histogram", "e0-pareto", "e1-curves", "e1-supernet", "e1-histogram",
        "e1-controller-0", "e1-controller-1", "e1-pareto", "e2-curves", "e2-supernet", "e2-alpha-0-0",
        "e2-alpha-0-9", "e2-temperature", "e2-sequence", "e2-pareto"}) {
    EXPECT_TRUE(ids.count(want)) << "missing plot " << want << " in " << page.check["charts"].dump();
  }
  // The found cell drawn by Graphviz, the protocol table with its random-search row.
  EXPECT_NE(page.dom.find("<svg"), std::string::npos);
  EXPECT_NE(page.dom.find("normal cell"), std::string::npos);
  EXPECT_NE(page.dom.find("random search (best of 2"), std::string::npos);

  // A screenshot, kept with the build for people to look at.
  fs::create_directories(RLNAS_ARTIFACT_DIR);
  const auto png = fs::path(RLNAS_ARTIFACT_DIR) / "report.png";
  fs::remove(png);
  const auto s = sh(chromium_command(dir / "profile-shot") + " --window-size=1280,2400 --screenshot=" + png.string() +
                    " file://" + html.string());
  ASSERT_TRUE(fs::exists(png)) << s.out;
  EXPECT_GT(fs::file_size(png), 50000u);
  std::ifstream in(png, std::ios::binary);
  std::array<char, 8> magic{};
  in.read(magic.data(), magic.size());
  EXPECT_EQ(std::string(magic.data() + 1, 3), "PNG");
}

TEST(ReportInBrowser, EmptyAndFailedExperimentsSaySo) {
  REQUIRE_CHROMIUM();
  const auto dir = fresh("empty");
  const std::string store_path = (dir / "s.db").string();
  {
    auto store = rlnas::store::Store::open(store_path);
    const ordered_json config = {{"search", {{"search.strategy", "spos"}, {"search.space", "minatar/ss1"}}},
                                 {"train", {{"env", "minatar/breakout"}, {"algo", "ppo"}, {"steps", 1000}}}};
    store.create_experiment("search", "nothing yet", config, {});  // 1: running, no trials
    const int64_t failed = store.create_experiment("search", "broken", config, {});
    rlnas::store::TrialRecord t;
    t.experiment_id = failed;
    t.role = rlnas::store::Role::train;
    t.status = rlnas::store::Status::pending;
    t.architecture = R"({"supernet":"minatar/ss1"})";
    t.arch_id = "x";
    const int64_t id = store.add_trial(t);
    store.mark_running(id);
    store.mark_failed(id, "trial process exited with status 134");
    store.set_experiment_status(failed, rlnas::store::Status::failed);
  }
  for (const auto& [id, expect] : std::vector<std::pair<int, std::string>>{
           {1, "has no trials yet"}, {2, "trial process exited with status 134"}}) {
    const auto html = dir / ("r" + std::to_string(id) + ".html");
    const auto w = rlnas("--store " + store_path + " report " + std::to_string(id) + " --out " + html.string());
    ASSERT_EQ(w.code, 0) << w.out;
    const auto page = render(html, dir);
    ASSERT_TRUE(page.check.is_object()) << page.dom.substr(0, 2000);
    EXPECT_TRUE(page.check["errors"].empty()) << page.check["errors"].dump(2);
    EXPECT_TRUE(page.check["charts"].empty()) << page.check.dump();
    EXPECT_NE(page.dom.find(expect), std::string::npos) << page.dom.substr(0, 4000);
  }
  EXPECT_NE(render(dir / "r2.html", dir).dom.find("Failed:"), std::string::npos);
}

}  // namespace
