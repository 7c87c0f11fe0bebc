// ENAS path sampler: the controller picks every child of a supernet run (see enas.h).
#include "rlnas/search/enas.h"

#include <fstream>
#include <sstream>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/rl/checkpoint.h"

namespace rlnas::search {

using nlohmann::json;

namespace {

std::optional<double> child_reward(const std::string& definition, const rl::IterationReturns& r) {
  if (definition == "rollout_return") return r.rollout_return;
  if (definition == "episode_return") return r.episode_return;
  throw Error("enas options: reward: expected rollout_return or episode_return, found '" + definition + "'");
}

}  // namespace

json EnasOptions::to_json() const {
  return {{"kind", "enas"},
          {"hidden", controller.hidden},
          {"lr", controller.lr},
          {"entropy_coef", controller.entropy_coef},
          {"baseline_decay", controller.baseline_decay},
          {"total_updates", controller.total_updates},
          {"seed", controller.seed},
          {"batch", batch},
          {"reward", reward}};
}

EnasOptions EnasOptions::from_json(const json& j) {
  EnasOptions o;
  const auto field = [&](const char* key, auto& target) {
    if (!j.contains(key)) return;
    try {
      target = j.at(key).get<std::decay_t<decltype(target)>>();
    } catch (const std::exception&) {
      throw Error(std::string("enas options: '") + key + "' has the wrong type: " + j.at(key).dump());
    }
  };
  field("hidden", o.controller.hidden);
  field("lr", o.controller.lr);
  field("entropy_coef", o.controller.entropy_coef);
  field("baseline_decay", o.controller.baseline_decay);
  field("total_updates", o.controller.total_updates);
  field("seed", o.controller.seed);
  field("batch", o.batch);
  // Samplers described before the field existed rewarded episode returns.
  o.reward = "episode_return";
  field("reward", o.reward);
  child_reward(o.reward, {});  // a valid definition
  if (o.batch < 1) throw Error("enas options: batch must be at least 1, found " + std::to_string(o.batch));
  return o;
}

EnasSampler::EnasSampler(const space::SearchSpace& space, const EnasOptions& options, std::string snapshots_path)
    : options_(options), controller_(space, options.controller), snapshots_path_(std::move(snapshots_path)) {}

space::Architecture EnasSampler::next(int64_t) {
  ++children_;
  return controller_.sample().arch;
}

void EnasSampler::observe(const space::Architecture& path, const rl::IterationReturns& returns, int64_t steps_done) {
  const auto reward = child_reward(options_.reward, returns);
  if (!reward) return;
  pending_.emplace_back(path, *reward);
  ++rewarded_;
  if (static_cast<int64_t>(pending_.size()) < options_.batch) return;
  const auto metrics = controller_.update(pending_);
  pending_.clear();
  if (snapshots_path_.empty()) return;
  json payload = controller_.snapshot(5);
  payload["children"] = children_;
  payload["rewarded_children"] = rewarded_;
  for (const auto& [k, v] : metrics) payload["update"][k] = v;
  io::append_line(snapshots_path_, json{{"step", steps_done}, {"kind", "controller"}, {"payload", payload}}.dump());
}

void EnasSampler::save(torch::serialize::OutputArchive& archive) {
  torch::serialize::OutputArchive c;
  controller_.save(c);
  archive.write("controller", c);
  json pending = json::array();
  for (const auto& [arch, r] : pending_) pending.push_back({arch.to_json(), r});
  archive.write("pending", c10::IValue(pending.dump()));
  archive.write("counters", torch::tensor({children_, rewarded_}, torch::kInt64));
}

void EnasSampler::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive c;
  archive.read("controller", c);
  controller_.load(c);
  c10::IValue pending;
  archive.read("pending", pending);
  pending_.clear();
  for (const auto& p : json::parse(pending.toStringRef())) {
    pending_.emplace_back(space::Architecture::from_json(p.at(0)), p.at(1).get<double>());
  }
  torch::Tensor counters;
  archive.read("counters", counters);
  children_ = counters[0].item<int64_t>();
  rewarded_ = counters[1].item<int64_t>();
}

void EnasSampler::write_controller(const std::string& path) const {
  io::write_file_atomic(path, controller_.to_bytes(), io::Target::own);
}

std::unique_ptr<Controller> read_controller(const std::string& path, const space::SearchSpace& space,
                                            const ControllerOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read the ENAS controller '" + path + "'");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto c = std::make_unique<Controller>(space, options);
  c->from_bytes(bytes.str());
  return c;
}

}  // namespace rlnas::search
