// `rlnas report` as a user runs it: where the page goes, bad arguments, --watch on a running
// experiment. What the page draws is tests/report (collect) and the browser test.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../common/fresh_dir.h"
#include "cli_util.h"
#include "rlnas/store/store.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using rlnas::cli_test::contains;
using rlnas::cli_test::run;

fs::path fresh(const std::string& name) { return rlnas::test_util::fresh_dir("rlnas_report_cli_test", name); }

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A store with one experiment (running, no trials yet) and a Chart.js stand-in: the page is
// assembled, not drawn, here.
struct Fixture {
  fs::path dir;
  std::string store;
  explicit Fixture(const std::string& name) : dir(fresh(name)), store((dir / "s.db").string()) {
    auto s = rlnas::store::Store::open(store);
    s.create_experiment("search", "test",
                        {{"search", {{"search.strategy", "spos"}, {"search.space", "minatar/ss1"}}},
                         {"train", {{"env", "minatar/breakout"}, {"algo", "ppo"}, {"steps", 1000}}}},
                        {});
    std::ofstream(dir / "chart.min.js") << "window.Chart = function () {};";
    ::setenv("RLNAS_CHARTJS", (dir / "chart.min.js").c_str(), 1);
  }
  ~Fixture() { ::unsetenv("RLNAS_CHARTJS"); }
};

TEST(ReportCli, WritesThePageBesideTheStoreOrWhereAsked) {
  Fixture f("out");
  auto r = run("--store " + f.store + " report 1");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "report written: " + (f.dir / "report-1.html").string())) << r.out;
  const auto page = read(f.dir / "report-1.html");
  EXPECT_TRUE(contains(page, "<!DOCTYPE html>"));
  EXPECT_TRUE(contains(page, "window.Chart = function () {};"));  // the Chart.js file, inlined
  r = run("--store " + f.store + " report 1 1 --out " + (f.dir / "sub" / "two.html").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(f.dir / "sub" / "two.html"));
}

TEST(ReportCli, BadArgumentsSayWhatIsWrong) {
  Fixture f("errors");
  auto r = run("--store " + f.store + " report");
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.out, "ids")) << r.out;
  r = run("--store " + f.store + " report 7");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "no experiment 7")) << r.out;
  r = run("--store " + (f.dir / "none.db").string() + " report 1");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "no store at")) << r.out;
  EXPECT_FALSE(fs::exists(f.dir / "none.db"));  // a report never creates a store
  r = run("--store " + f.store + " report 1 --chartjs " + (f.dir / "nope.js").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "libjs-chart.js")) << r.out;
  EXPECT_FALSE(fs::exists(f.dir / "report-1.html"));
}

TEST(ReportCli, WatchRewritesTheRunningExperimentsPageUntilItEnds) {
  Fixture f("watch");
  const auto html = f.dir / "w.html";
  const auto log = f.dir / "watch.log";
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cmd = "exec " + std::string(RLNAS_BIN) + " --store " + f.store + " report 1 --watch --interval 1 --out " +
                            html.string() + " > " + log.string() + " 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto wait_for = [](auto pred, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  // While the experiment runs the page reloads itself, and it is rewritten.
  ASSERT_TRUE(wait_for([&] { return contains(read(log), "report rewritten"); }, 30)) << read(log);
  EXPECT_TRUE(contains(read(html), "http-equiv=\"refresh\" content=\"1\""));
  {
    auto s = rlnas::store::Store::open(f.store);
    s.set_experiment_status(1, rlnas::store::Status::done);
  }
  int status = 0;
  const bool ended = wait_for([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 30);
  if (!ended) kill(pid, SIGKILL);
  ASSERT_TRUE(ended) << read(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read(log);
  EXPECT_TRUE(contains(read(log), "final page")) << read(log);
  EXPECT_FALSE(contains(read(html), "http-equiv=\"refresh\""));  // the final page stays still
}

}  // namespace
