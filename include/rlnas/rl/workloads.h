// The workload table: what trials train, one entry per workload (the `workload` key of a training
// configuration). Every place that behaves differently per workload asks its entry (a field, or
// the typed `kind`); no file outside a workload's own compares a workload's name
// (scripts/lint_strategy_names). What a workload trains with (an environment's Workload object,
// its baselines and input shape) is search/workload.h; this table is what configuration,
// selection, stores and messages need, below the search layer.
//
//   rl          reinforcement learning on an environment (--env NAME; the default)
//   supervised  image classification on a dataset (--dataset NAME; supervised.*; src/vision)
//   synthetic   the known-answer score table (--workload synthetic; synthetic.*)
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace rlnas::rl {

struct TrainConfig;

enum class WorkloadKind { rl, supervised, synthetic };

struct WorkloadEntry {
  WorkloadKind kind;
  std::string name;         // the value of the `workload` key
  std::string flag;         // how a command line says it: "--env NAME"
  std::string option_prefix;  // its own configuration keys ("supervised."), empty: none of its own
  std::string implied_by;     // a key whose setting says the workload where `workload` is unset
  std::string budget_unit;  // what `steps` counts: "environment steps", "epochs"
  std::string subject_key;  // the configuration key of what it trains on: "env", "supervised.dataset"
  std::string trainer;      // what it trains with, where fixed ("sgd"); empty: the `algo` key
  bool has_environment;     // trains on an environment (env, env_options, an RL algorithm)
  bool builds_network;      // trains a network (its trials have a size and a latency)
  // The trial metrics of the one protocol: the search.select values it takes (the first is the
  // default; summary.h maps each to its trial metric) and the reported test score (metric, label).
  std::vector<std::string> select_values;
  std::string test_metric, test_name;
  std::vector<std::string> objectives;  // what a multi-objective search may trade: "score", "params", ...
};

// Every workload, in the order of the help text.
const std::vector<WorkloadEntry>& workloads();
// Throws rlnas::Error naming the workloads.
const WorkloadEntry& find_workload(std::string_view name);
// A stored configuration's workload (config.json, or a search's with its training settings under
// "train"): its `workload` value (absent: rl, the only workload before the key existed), or null
// for a name this rlnas does not know (a newer export).
const WorkloadEntry* stored_workload(const nlohmann::json& config);
const WorkloadEntry* stored_workload(const nlohmann::ordered_json& config);
const WorkloadEntry& workload_of(const TrainConfig& config);
// The names, "rl | supervised | synthetic".
std::vector<std::string> workload_names();

// What a run trains on and with, for names and labels: the environment or the dataset; the RL
// algorithm or the optimizer ("sgd").
std::string subject_of(const TrainConfig& config);
std::string trainer_of(const TrainConfig& config);
// The same for a stored configuration (a search's with its training settings under "train"); "-"
// where it does not say.
std::string stored_subject(const nlohmann::ordered_json& config);
std::string stored_trainer(const nlohmann::ordered_json& config);

}  // namespace rlnas::rl
