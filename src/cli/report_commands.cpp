// rlnas report ID [ID ...]: an experiment of the store as one self-contained HTML page.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "commands.h"
#include "interrupt.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/log.h"
#include "rlnas/report/report.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/search/study.h"
#include "rlnas/store/store.h"

namespace rlnas::cli {
namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::vector<int64_t> ids;
  std::string out;
  bool watch = false;
  double interval = 30;
  std::string chartjs;
};

std::string default_out(const std::string& store_path, const std::vector<int64_t>& ids) {
  std::string name = "report";
  for (const auto id : ids) name += "-" + std::to_string(id);
  return (fs::path(store_path).parent_path() / (name + ".html")).string();
}

// Writes the page; returns whether any of the experiments is still running.
bool write_report(const Context& ctx, const ReportArgs& a, const std::string& out, bool watching) {
  auto store = store::Store::open(ctx.store, {.create = false, .read_only = true});
  std::vector<nlohmann::ordered_json> experiments;
  bool running = false;
  for (const auto id : a.ids) {
    experiments.push_back(report::collect(store, id));
    const auto status = experiments.back()["status"].get<std::string>();
    running = running || status == "running" || status == "pending";
  }
  report::PageOptions options;
  options.chartjs = a.chartjs;
  // Several finished searches: the study of them (rlnas compare) as a section.
  if (a.ids.size() >= 2 && !running) {
    try {
      options.comparison = search::study_text(search::compare_study(search::study_inputs(store, a.ids)));
    } catch (const Error& e) {
      options.comparison = std::string("No comparison of these experiments: ") + e.what();
    }
  }
  options.refresh_seconds = watching && running ? a.interval : 0;
  io::write_file_atomic(out, report::render_html(experiments, options));  // a reloading browser never sees half
  return running;
}

}  // namespace

void add_report_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<ReportArgs>();
  auto* cmd =
      app.add_subcommand("report", "write an experiment (or several, side by side) as one HTML page with plots");
  cmd->add_option("ids", a->ids, "experiment ids (rlnas runs list)")->required()->check(whole_number(1, INT64_MAX));
  cmd->add_option("--out", a->out, "the HTML file (default: report-ID.html beside the store)");
  cmd->add_flag("--watch", a->watch,
                "rewrite the page every --interval seconds while an experiment runs; the page reloads itself");
  cmd->add_option("--interval", a->interval, "seconds between rewrites with --watch")->check(number_in(1, 86400));
  cmd->add_option(
      "--chartjs", a->chartjs,
      "Chart.js file to inline (default: $RLNAS_CHARTJS, else /usr/share/javascript/chart.js/chart.min.js)");
  cmd->footer(
      "The page opens offline: Chart.js, the data and the diagrams (Graphviz) are inlined.\n"
      "Examples:\n  rlnas report 3\n  rlnas report 3 4 --out compare.html\n  rlnas report --watch 5");
  cmd->callback([&ctx, a] {
    if (ctx.store.empty()) throw Error("report: no store given (--store '' turns the store off)");
    if (!fs::exists(ctx.store)) {
      throw Error("report: no store at " + ctx.store +
                  " (rlnas train and rlnas search record there; another store: rlnas --store FILE report ...)");
    }
    a->chartjs = report::find_chartjs(a->chartjs);  // before any work: say what is missing
    const std::string out = a->out.empty() ? default_out(ctx.store, a->ids) : a->out;
    if (const auto dir = fs::path(out).parent_path(); !dir.empty()) io::create_folders(dir.string(), "--out");
    bool running = write_report(ctx, *a, out, a->watch);
    std::cout << "report written: " << out << "\n" << std::flush;
    if (!a->watch) return;
    const auto* stop = catch_interrupt();
    while (running && !stop->load()) {
      std::cout << "watching: rewriting every " << a->interval << " s while the experiment runs (Ctrl-C stops)\n"
                << std::flush;
      const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(a->interval);
      while (!stop->load() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      if (stop->load()) break;
      try {
        running = write_report(ctx, *a, out, true);
      } catch (const std::exception& e) {  // e.g. the store busy for long: keep the last page, try again
        log::warning(std::string("report: could not rewrite ") + out + ": " + e.what() + "; trying again");
        continue;
      }
      std::cout << "report rewritten: " << out << (running ? "" : " (the experiment has ended; final page)") << "\n"
                << std::flush;
    }
    release_interrupt();
  });
}

}  // namespace rlnas::cli
