// rlnas runs list | show | export | import: what the experiment store holds, and its data as files.
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/rl/network_spec.h"
#include "rlnas/rl/workloads.h"
#include "rlnas/search/summary.h"
#include "rlnas/search/trial.h"
#include "rlnas/space/space.h"
#include "rlnas/store/exchange.h"
#include "rlnas/store/store.h"

namespace rlnas::cli {
namespace {

using nlohmann::ordered_json;

store::Store open_existing(const Context& ctx) {
  if (ctx.store.empty()) throw Error("runs: no store given (--store '' turns the store off)");
  try {
    return store::Store::open(ctx.store, {.create = false, .read_only = true});
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.rfind("no store at", 0) == 0) {
      throw Error(msg + " (rlnas train records its runs there; another store: rlnas --store FILE or RLNAS_STORE)");
    }
    throw;
  }
}

// "2025-01-31T12:00:00.000Z" -> "2025-01-31 12:00:00"
std::string short_time(const std::string& iso) {
  if (iso.size() < 19) return iso.empty() ? "-" : iso;
  std::string s = iso.substr(0, 19);
  s[10] = ' ';
  return s;
}

std::string duration_text(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(seconds));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

std::string config_text(const ordered_json& config, const char* key) {
  // A search's configuration holds the training settings under "train".
  if (config.is_object() && !config.contains(key) && config.contains("train")) return config_text(config["train"], key);
  if (!config.is_object() || !config.contains(key)) return "-";
  const auto& v = config[key];
  if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  return v.dump();
}

// Best final evaluation return among the done trials.
std::optional<double> best_return(const std::vector<store::TrialRecord>& trials) {
  std::optional<double> best;
  for (const auto& t : trials) {
    const auto r = t.metric("eval_return_mean");
    if (t.status == store::Status::done && r && (!best || *r > *best)) best = r;
  }
  return best;
}

// Space and short id of a trial's network, e.g. "minatar/ss1 3fa2c0ffee12" or "net mlp".
std::string network_text(const store::TrialRecord& t) {
  try {
    const auto spec = rl::NetworkSpec::from_cache_architecture(nlohmann::json::parse(t.architecture));
    if (spec.kind() == rl::NetworkSpec::Kind::backbone) return "net " + spec.backbone_options().name;
    if (spec.kind() == rl::NetworkSpec::Kind::architecture) return t.space + " " + t.arch_id.substr(0, 12);
    return spec.label();
  } catch (const std::exception&) {
  }
  return t.arch_id.substr(0, 12);
}

// The network line of `runs show`: a search's space and strategy (it chooses the networks); a
// training's network as its configuration spells it (NetworkSpec: the one decoding), with the
// reference name it was given by.
std::string experiment_network_text(const ordered_json& config) {
  if (config.contains("search") && config["search"].is_object()) {
    const auto& search = config["search"];
    return "search space " + config_text(search, "search.space") + " (strategy " + config_text(search, "search.strategy") +
           ")";
  }
  try {
    const auto spec = rl::NetworkSpec::from_config(config);
    return spec.label() + (spec.named().empty() ? "" : " (" + spec.named() + ")");
  } catch (const std::exception& e) {
    return std::string("? (") + e.what() + ")";
  }
}

// JSON for stdout: bytes that are not UTF-8 (a run folder's name can hold any) become U+FFFD
// instead of failing the whole listing.
std::string json_text(const ordered_json& j) { return j.dump(2, ' ', false, ordered_json::error_handler_t::replace); }

// The stored status, or "interrupted (process gone)" for a record left "running" by a process
// that no longer holds its lock (killed). JSON keeps the stored status and adds process_gone.
std::string experiment_status(const store::Store& store, const store::ExperimentRecord& e) {
  return store.experiment_process_gone(e) ? "interrupted (process gone)" : store::to_string(e.status);
}

// A "running" trial whose experiment's process is gone, or whose run folder's lock (held by the
// trial's process, see rl::train) nobody holds.
bool trial_process_gone(const store::TrialRecord& t, bool experiment_gone) {
  if (t.status != store::Status::running) return false;
  if (experiment_gone) return true;
  const std::string lock = t.run_dir + "/run.lock";
  return !t.run_dir.empty() && std::filesystem::exists(lock) && !io::FileLock::held(lock);
}

std::string trial_status(const store::TrialRecord& t, bool experiment_gone) {
  return trial_process_gone(t, experiment_gone) ? "interrupted (process gone)" : store::to_string(t.status);
}

std::string count_text(const std::optional<int64_t>& n) {
  return n ? space::format_count(static_cast<uint64_t>(*n)) : "-";
}

void list(const Context& ctx, bool as_json) {
  auto store = open_existing(ctx);
  ordered_json out = ordered_json::array();
  for (const auto& e : store.experiments()) {
    const auto trials = store.trials(e.id);
    const auto best = best_return(trials);
    out.push_back({{"id", e.id},
                   {"kind", e.kind},
                   {"status", store::to_string(e.status)},
                   {"process_gone", store.experiment_process_gone(e)},
                   {"started_at", e.started_at},
                   {"ended_at", e.ended_at.empty() ? ordered_json(nullptr) : ordered_json(e.ended_at)},
                   // What it trains on and with: an environment and RL algorithm, or a dataset and "sgd".
                   {"env", rl::stored_subject(e.config)},
                   {"algo", rl::stored_trainer(e.config)},
                   {"trials", trials.size()},
                   {"best_return", best ? ordered_json(*best) : ordered_json(nullptr)},
                   {"name", e.name}});
  }
  if (as_json) {
    std::cout << json_text(out) << "\n";
    return;
  }
  if (out.empty()) {
    std::cout << "no experiments in " << store.path() << "\n";
    return;
  }
  std::printf("%5s  %-7s %-8s %-19s  %-22s %-5s %6s %12s  %s\n", "ID", "KIND", "STATUS", "STARTED (UTC)", "ENV / DATASET", "ALGO",
              "TRIALS", "BEST RETURN", "NAME");
  for (const auto& e : out) {
    char best[32] = "-";
    if (!e["best_return"].is_null()) std::snprintf(best, sizeof best, "%.3f", e["best_return"].get<double>());
    std::printf(
        "%5lld  %-7s %-8s %-19s  %-22s %-5s %6zu %12s  %s\n", static_cast<long long>(e["id"].get<int64_t>()),
        e["kind"].get<std::string>().c_str(),
        (e["process_gone"].get<bool>() ? std::string("interrupted (process gone)") : e["status"].get<std::string>())
            .c_str(),
        short_time(e["started_at"].get<std::string>()).c_str(), e["env"].get<std::string>().c_str(),
        e["algo"].get<std::string>().c_str(), e["trials"].get<size_t>(), best, e["name"].get<std::string>().c_str());
  }
}

void show(const Context& ctx, int64_t id, bool as_json) {
  auto store = open_existing(ctx);
  const auto e = store.experiment(id);
  if (!e) {
    throw Error("no experiment " + std::to_string(id) + " in store '" + store.path() +
                "' (rlnas runs list shows the ids)");
  }
  const auto trials = store.trials(id);
  const bool gone = store.experiment_process_gone(*e);
  if (as_json) {
    ordered_json t = ordered_json::array();
    for (const auto& trial : trials) {
      auto j = store::to_json(trial);
      j["curve_points"] = store.curve_length(trial.id);
      if (trial.status == store::Status::running) j["process_gone"] = trial_process_gone(trial, gone);
      t.push_back(std::move(j));
    }
    auto experiment = store::to_json(*e);
    if (gone) experiment["process_gone"] = true;
    ordered_json out = {{"experiment", experiment}, {"trials", t}};
    // A search's summary (search/summary.h, with its schema_version): the stored one, or the rows so far.
    if (const auto summary = search::summary_of(store, id, search::network_label)) out["summary"] = summary->to_json();
    // What the strategy stored over time (kinds and times; the report shows the payloads).
    ordered_json snapshots = ordered_json::array();
    for (const auto& s : store.snapshots(id)) {
      snapshots.push_back({{"kind", s.kind}, {"step", s.step}, {"created_at", s.created_at}});
    }
    out["snapshots"] = snapshots;
    std::cout << json_text(out) << "\n";
    return;
  }
  const auto& c = e->config;
  std::printf("experiment %lld (%s): %s\n", static_cast<long long>(e->id), e->kind.c_str(),
              experiment_status(store, *e).c_str());
  std::printf("  started   %s UTC%s\n", short_time(e->started_at).c_str(),
              e->ended_at.empty() ? "" : (", ended " + short_time(e->ended_at) + " UTC").c_str());
  std::string machine = e->machine.value("hostname", std::string("?"));
  if (e->machine.contains("cores")) machine += ", " + e->machine["cores"].dump() + " cores";
  if (e->machine.contains("torch_threads")) machine += ", " + e->machine["torch_threads"].dump() + " torch thread(s)";
  std::printf("  rlnas     %s on %s\n", e->rlnas_version.c_str(), machine.c_str());
  const auto* workload = rl::stored_workload(c);
  if (workload && !workload->has_environment) {
    std::printf("  dataset   %s (%s training images of the split, %s validation, split seed %s)\n",
                config_text(c, "supervised.dataset").c_str(),
                config_text(c, "supervised.train_images") == "0" ? "all" : config_text(c, "supervised.train_images").c_str(),
                config_text(c, "supervised.validation_images").c_str(), config_text(c, "supervised.split_seed").c_str());
    std::printf("  optimizer SGD lr %s (cosine), momentum %s, nesterov %s, weight decay %s, batch %s, augment %s\n",
                config_text(c, "supervised.lr").c_str(), config_text(c, "supervised.momentum").c_str(),
                config_text(c, "supervised.nesterov").c_str(), config_text(c, "supervised.weight_decay").c_str(),
                config_text(c, "supervised.batch_size").c_str(), config_text(c, "supervised.augment").c_str());
  } else {
    std::string env = config_text(c, "env");
    const auto& train = c.contains("train") ? c["train"] : c;
    if (train.contains("env_options") && train["env_options"].is_object()) {
      for (const auto& [k, v] : train["env_options"].items())
        env += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    std::printf("  env       %s\n", env.c_str());
    std::printf("  algo      %s (preset %s)\n", config_text(c, "algo").c_str(), config_text(c, "preset").c_str());
  }
  std::printf("  network   %s\n", experiment_network_text(c).c_str());
  std::printf("  budget    %s %s, seed %s, device %s\n", config_text(c, "steps").c_str(),
              workload ? workload->budget_unit.c_str() : "steps", config_text(c, "seed").c_str(),
              config_text(c, "device").c_str());
  if (!e->name.empty()) std::printf("  name      %s\n", e->name.c_str());
  std::printf("  (full configuration: rlnas runs show %lld --json)\n\n", static_cast<long long>(e->id));

  std::printf("trials: %zu\n", trials.size());
  if (trials.empty()) return;
  // The reported test score of the workload (rl: the evaluation's return over its episodes).
  const std::string test_metric = workload ? workload->test_metric : "eval_return_mean";
  std::string test_header = workload && !workload->has_environment ? workload->test_name : "return (eval)";
  for (auto& ch : test_header) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::printf("%5s  %-9s %-8s %-25s %5s %11s %8s %9s %11s  %-24s %5s\n", "ID", "ROLE", "STATUS", "NETWORK", "SEED",
              "STEPS", "WALL", "PARAMS", "FLOPS", test_header.c_str(), "CURVE");
  for (const auto& t : trials) {
    std::string ret = "-";
    if (const auto m = t.metric(test_metric.c_str())) {
      char buf[64];
      if (t.metrics.contains("eval_episodes")) {
        std::snprintf(buf, sizeof buf, "%.3f +- %.3f (%s)", *m, t.metric("eval_return_std").value_or(0.0),
                      t.metrics["eval_episodes"].dump().c_str());
      } else {
        std::snprintf(buf, sizeof buf, "%.3f", *m);
      }
      ret = buf;
    }
    std::printf("%5lld  %-9s %-8s %-25s %5lld %11s %8s %9s %11s  %-24s %5lld\n", static_cast<long long>(t.id),
                store::to_string(t.role), trial_status(t, gone).c_str(), network_text(t).c_str(),
                static_cast<long long>(t.seed), space::format_count(static_cast<uint64_t>(t.steps)).c_str(),
                duration_text(t.wall_seconds).c_str(), count_text(t.params).c_str(), count_text(t.flops).c_str(),
                ret.c_str(), static_cast<long long>(store.curve_length(t.id)));
  }
  for (const auto& t : trials) {
    if (!t.reason.empty())
      std::printf("  trial %lld %s: %s\n", static_cast<long long>(t.id), trial_status(t, gone).c_str(),
                  t.reason.c_str());
    if (!t.run_dir.empty())
      std::printf("  trial %lld run directory: %s\n", static_cast<long long>(t.id), t.run_dir.c_str());
  }
}

// rlnas runs export ID... --out FILE: the experiments with their trials, thinned curves,
// snapshots and (searches) summaries, as one versioned document (store/exchange.h).
void export_runs(const Context& ctx, const std::vector<int64_t>& ids, const std::string& out, bool all,
                 const store::ExportOptions& options) {
  auto store = open_existing(ctx);
  std::vector<int64_t> chosen = ids;
  if (all) {
    if (!ids.empty()) throw Error("runs export: give experiment ids or --all, not both");
    for (const auto& e : store.experiments()) chosen.push_back(e.id);
    if (chosen.empty()) throw Error("runs export --all: store '" + store.path() + "' holds no experiments");
  }
  if (chosen.empty())
    throw Error("runs export: no experiment ids given (rlnas runs list shows them; --all exports every one)");
  std::vector<ordered_json> entries;
  size_t trials = 0, points = 0;
  for (const auto id : chosen) {
    auto entry = store::export_experiment(store, id, options);
    if (const auto summary = search::summary_of(store, id, search::network_label))
      entry["summary"] = summary->to_json();
    trials += entry["trials"].size();
    for (const auto& t : entry["trials"]) points += t["curve"].size();
    entries.push_back(std::move(entry));
  }
  store::write_export_file(out, store::export_document(store, std::move(entries), options));
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(out, ec);
  std::printf("exported %zu experiment(s), %zu trials, %zu curve points to %s (%s bytes)\n", chosen.size(), trials,
              points, out.c_str(), ec ? "?" : space::format_count(bytes).c_str());
}

// rlnas runs import FILE...: loads exports into the store.
void import_runs(const Context& ctx, const std::vector<std::string>& files) {
  if (ctx.store.empty()) throw Error("runs import: no store given (--store '' turns the store off)");
  // Every file is read and parsed before the store is opened or changed.
  std::vector<ordered_json> documents;
  for (const auto& f : files) documents.push_back(store::read_export_file(f));
  auto store = store::Store::open(ctx.store);
  for (size_t i = 0; i < files.size(); ++i) {
    for (const auto& r : store::import_document(store, documents[i], files[i])) {
      if (r.action == "skipped") {
        std::printf("%s: experiment %lld skipped: %s\n", files[i].c_str(), static_cast<long long>(r.original_id),
                    r.note.c_str());
        continue;
      }
      std::printf("%s: experiment %lld %s as experiment %lld: %zu trials, %zu done", files[i].c_str(),
                  static_cast<long long>(r.original_id), r.action.c_str(), static_cast<long long>(r.id), r.trials,
                  r.done);
      if (r.keys_elsewhere)
        std::printf(" (%zu already trained in this store: their cache entries kept)", r.keys_elsewhere);
      if (!r.note.empty()) std::printf("; %s", r.note.c_str());
      std::printf("\n");
    }
  }
  std::printf("store: %s\n", store.path().c_str());
}

}  // namespace

void add_runs_commands(CLI::App& app, Context& ctx) {
  auto* group =
      app.add_subcommand("runs", "experiments recorded in the store (rlnas --store FILE; default runs/rlnas.db)");
  group->require_subcommand(1);
  {
    auto* cmd =
        group->add_subcommand("list", "every experiment: id, kind, status, start, env, algo, trials, best return");
    auto as_json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *as_json, "print JSON");
    cmd->callback([&ctx, as_json] { list(ctx, *as_json); });
  }
  {
    auto* cmd = group->add_subcommand("show", "one experiment: its configuration and every trial with its results");
    auto id = std::make_shared<int64_t>(0);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("ID", *id, "experiment id (rlnas runs list)")->required();
    cmd->add_flag("--json", *as_json, "print JSON (the full configuration and every field)");
    cmd->callback([&ctx, id, as_json] { show(ctx, *id, *as_json); });
  }
  {
    auto* cmd = group->add_subcommand(
        "export",
        "experiments as one versioned JSON file (gzip when it ends in .gz): trials, metrics, summaries, "
        "curves thinned, snapshots; no checkpoints");
    auto ids = std::make_shared<std::vector<int64_t>>();
    auto out = std::make_shared<std::string>();
    auto all = std::make_shared<bool>(false);
    auto options = std::make_shared<store::ExportOptions>();
    cmd->add_option("ID", *ids, "experiment ids (rlnas runs list)");
    cmd->add_flag("--all", *all, "every experiment of the store");
    cmd->add_option("--out", *out, "file to write (FILE.json, or FILE.json.gz compressed)")->required();
    cmd->add_option("--max-curve-points", options->max_curve_points, "learning-curve points kept per trial")
        ->capture_default_str()
        ->check(whole_number(1, 1000000000));
    cmd->add_option("--max-snapshots", options->max_snapshots_per_kind, "strategy snapshots kept per kind")
        ->capture_default_str()
        ->check(whole_number(1, 1000000000));
    cmd->callback([&ctx, ids, out, all, options] { export_runs(ctx, *ids, *out, *all, *options); });
  }
  {
    auto* cmd = group->add_subcommand(
        "import", "load exports (rlnas runs export) into the store: their done trials become cache hits");
    auto files = std::make_shared<std::vector<std::string>>();
    cmd->add_option("FILE", *files, "export files (.json or .json.gz)")->required();
    cmd->callback([&ctx, files] { import_runs(ctx, *files); });
  }
}

}  // namespace rlnas::cli
