// rlnas compare ID... | FILE.json[.gz]...: a study of several searches (rlnas/search/study.h).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "commands.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/search/study.h"
#include "rlnas/store/exchange.h"
#include "rlnas/store/store.h"

namespace rlnas::cli {
namespace {

namespace fs = std::filesystem;

struct CompareArgs {
  std::vector<std::string> inputs;
  std::vector<std::string> arms;
  std::optional<double> margin;
  uint32_t seed = 1;
  bool json = false;
  bool no_baselines = false;
  std::string out;
};

bool is_id(const std::string& s) {
  return !s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// --arm NAME=ID,ID,...
std::pair<std::string, std::vector<int64_t>> parse_arm(const std::string& text) {
  const auto eq = text.find('=');
  const std::string usage = "--arm: expected NAME=ID,ID,... (experiment ids), found '" + text + "'";
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) throw UsageError(usage);
  std::vector<int64_t> ids;
  std::string rest = text.substr(eq + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    const auto comma = rest.find(',', start);
    const std::string id = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!is_id(id) || std::stoll(id) < 1) throw UsageError(usage + ": '" + id + "' is not an experiment id");
    ids.push_back(std::stoll(id));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {text.substr(0, eq), ids};
}

std::vector<search::StudyInput> gather(const Context& ctx, const std::vector<std::string>& inputs) {
  std::vector<search::StudyInput> out;
  std::vector<int64_t> ids;
  for (const auto& in : inputs) {
    if (is_id(in)) {
      const auto id = std::stoll(in);
      if (id < 1) throw UsageError("compare: experiment ids start at 1, found " + in);
      ids.push_back(id);
      continue;
    }
    if (!fs::exists(in))
      throw UsageError("compare: '" + in + "' is neither an experiment id nor an export file (rlnas runs export writes them)");
    const auto doc = store::read_export_file(in);
    for (const auto& e : store::export_experiments(doc, in)) out.push_back({nlohmann::json(e), in});
  }
  if (!ids.empty()) {
    if (ctx.store.empty()) throw UsageError("compare: experiment ids need a store (--store '' turns it off)");
    if (!fs::exists(ctx.store))
      throw Error("compare: no store at " + ctx.store + " (rlnas search records there; another: rlnas --store FILE compare ...)");
    auto store = store::Store::open(ctx.store, {.create = false, .read_only = true});
    for (auto& in : search::study_inputs(store, ids)) out.push_back(std::move(in));
  }
  return out;
}

}  // namespace

void add_compare_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand(
      "compare", "compare searches: arms against random search, each other and the baselines, with the right test");
  cmd->add_option("experiments", a->inputs, "experiment ids of the store, or export files (rlnas runs export)")
      ->required();
  cmd->add_option("--arm", a->arms,
                  "NAME=ID,ID,...: these experiments form an arm called NAME (repeatable; the rest are grouped by "
                  "strategy and the settings that differ)");
  cmd->add_option("--margin", a->margin, "also test equivalence within +-MARGIN (two one-sided tests at 5%)")
      ->check(number_in(1e-12, 1e300));
  cmd->add_option("--seed", a->seed, "seed of every resampling (permutations, randomization, bootstrap)")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "print the study as JSON (with its schema_version)");
  cmd->add_flag("--no-baselines", a->no_baselines,
                "leave the baselines and train experiments out (the searches alone; fewer comparisons for Holm)");
  cmd->add_option("--out", a->out, "also write the JSON to this file");
  cmd->footer(
      "Methods (docs/search.md, \"Reading a comparison\"): an arm against random search, a randomization test "
      "against the tabular benchmark's exact best-of-K; arm against arm, Welch's t over the searches; against a "
      "baseline, Welch's t with Hsu's conservative degrees of freedom. Verdicts: better / worse only when the 95% "
      "interval excludes 0 and Holm's p is below 0.05, else inconclusive.\n"
      "Examples:\n  rlnas compare 2 5 6 9 10\n  rlnas compare bench/results/nas-rl-table1/*.json.gz --json\n"
      "  rlnas compare 2 5 6 --arm fast=5 --arm slow=6 --margin 0.5");
  cmd->callback([&ctx, a] {
    search::CompareOptions options;
    std::set<std::string> names;
    for (const auto& text : a->arms) {
      auto arm = parse_arm(text);
      if (!names.insert(arm.first).second) throw UsageError("--arm: the name '" + arm.first + "' is given twice");
      options.arms.push_back(std::move(arm));
    }
    options.margin = a->margin;
    options.no_baselines = a->no_baselines;
    options.seed = a->seed;
    const auto inputs = gather(ctx, a->inputs);
    const auto study = search::compare_study(inputs, options);
    if (!a->out.empty()) io::write_file_atomic(a->out, study.dump(1) + "\n");
    if (a->json)
      std::cout << study.dump(1) << "\n";
    else
      std::cout << search::study_text(study);
    std::cout << std::flush;
  });
}

}  // namespace rlnas::cli
