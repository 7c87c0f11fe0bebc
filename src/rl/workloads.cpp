// The workload table (workloads.h). The one file of the configuration layer that names
// workloads; the others ask an entry.
#include "rlnas/rl/workloads.h"

#include "rlnas/core/error.h"
#include "rlnas/rl/trainer.h"

namespace rlnas::rl {

const std::vector<WorkloadEntry>& workloads() {
  static const std::vector<WorkloadEntry> table = {
      {.kind = WorkloadKind::rl,
       .name = "rl",
       .flag = "--env NAME",
       .option_prefix = "",
       .implied_by = "",
       .budget_unit = "environment steps",
       .subject_key = "env",
       .trainer = "",
       .has_environment = true,
       .builds_network = true,
       // Selected on training returns (search.select), reported on the final policy's evaluation.
       .select_values = {"reward_mean", "late_return"},
       .test_metric = "eval_return_mean",
       .test_name = "total reward",
       .objectives = {"train_return_mean"}},
      {.kind = WorkloadKind::supervised,
       .name = "supervised",
       .flag = "--dataset NAME",
       .option_prefix = "supervised.",
       .implied_by = "supervised.dataset",
       .budget_unit = "epochs",
       .subject_key = "supervised.dataset",
       .trainer = "sgd",
       .has_environment = false,
       .builds_network = true,
       // Selected on the held-out validation split, reported on the official test set (percent).
       .select_values = {"validation_accuracy"},
       .test_metric = "test_accuracy",
       .test_name = "test accuracy",
       .objectives = {"validation_accuracy"}},
      {.kind = WorkloadKind::synthetic,
       .name = "synthetic",
       .flag = "--workload synthetic",
       .option_prefix = "synthetic.",
       .implied_by = "",
       .budget_unit = "simulated steps",
       .subject_key = "env",
       .trainer = "",
       .has_environment = true,  // its configurations carry an (unused) environment, as rl's
       .builds_network = false,
       // Its trials write RL-shaped results: a noisy training score and a noiseless evaluation.
       .select_values = {"reward_mean", "late_return"},
       .test_metric = "eval_return_mean",
       .test_name = "total reward",
       .objectives = {"train_return_mean"}},
  };
  return table;
}

std::vector<std::string> workload_names() {
  std::vector<std::string> out;
  for (const auto& w : workloads()) out.push_back(w.name);
  return out;
}

namespace {

const WorkloadEntry* lookup(std::string_view name) {
  for (const auto& w : workloads()) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

}  // namespace

const WorkloadEntry& find_workload(std::string_view name) {
  if (const auto* w = lookup(name)) return *w;
  std::string names;
  for (const auto& n : workload_names()) names += (names.empty() ? "" : ", ") + n;
  throw Error("workload: expected one of " + names + ", found '" + std::string(name) + "'");
}

namespace {

template <class Json>
const WorkloadEntry* stored_workload_of(const Json& config) {
  if (!config.is_object()) return &workloads().front();
  if (!config.contains("workload") && config.contains("train")) return stored_workload_of(config["train"]);
  if (!config.contains("workload") || !config["workload"].is_string()) return &workloads().front();
  return lookup(config["workload"].template get_ref<const std::string&>());
}

}  // namespace

const WorkloadEntry* stored_workload(const nlohmann::json& config) { return stored_workload_of(config); }
const WorkloadEntry* stored_workload(const nlohmann::ordered_json& config) { return stored_workload_of(config); }

const WorkloadEntry& workload_of(const TrainConfig& config) { return find_workload(config.workload); }

std::string subject_of(const TrainConfig& config) {
  return workload_of(config).kind == WorkloadKind::supervised ? config.supervised.dataset : config.rl.env;
}

std::string trainer_of(const TrainConfig& config) {
  const auto& w = workload_of(config);
  return w.trainer.empty() ? config.rl.algo : w.trainer;
}

namespace {

// A string setting of a stored configuration, under "train" for a search's; "-" where absent.
std::string stored_text(const nlohmann::ordered_json& config, const std::string& key) {
  if (!config.is_object()) return "-";
  if (!config.contains(key) && config.contains("train")) return stored_text(config["train"], key);
  if (!config.contains(key) || !config[key].is_string() || config[key].get_ref<const std::string&>().empty()) return "-";
  return config[key].get<std::string>();
}

}  // namespace

std::string stored_subject(const nlohmann::ordered_json& config) {
  const auto* w = stored_workload(config);
  return stored_text(config, w ? w->subject_key : "env");
}

std::string stored_trainer(const nlohmann::ordered_json& config) {
  const auto* w = stored_workload(config);
  return w && !w->trainer.empty() ? w->trainer : stored_text(config, "algo");
}

}  // namespace rlnas::rl
