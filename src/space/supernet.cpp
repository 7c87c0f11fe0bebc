#include "rlnas/space/supernet.h"

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"

namespace rlnas::space {

ChoiceLayerImpl::ChoiceLayerImpl(std::string decision, const std::vector<Candidate>& candidates)
    : OpImpl("choice"), decision_(std::move(decision)) {
  if (candidates.empty()) throw Error("choice layer '" + decision_ + "' without candidates");
  for (size_t i = 0; i < candidates.size(); ++i) {
    options_.push_back(candidates[i].value);
    ops_.push_back(register_module(std::to_string(i), make_op(candidates[i].op, candidates[i].args)));
  }
}

void ChoiceLayerImpl::select(const nlohmann::json& value) {
  for (size_t i = 0; i < options_.size(); ++i) {
    if (options_[i] == value) {
      active_ = i;
      return;
    }
  }
  throw Error("choice layer '" + decision_ + "' has no candidate " + json_excerpt(value));
}

SupernetImpl::SupernetImpl(const SearchSpace& space, const std::vector<int64_t>& obs_shape) : space_(space) {
  body_ = register_module(
      "body", space.build_with(obs_shape, [this](const std::string& decision, const std::vector<Candidate>& c) -> Op {
        choices_.push_back(std::make_shared<ChoiceLayerImpl>(decision, c));
        return choices_.back();
      }));
  // Every decision of the space must be a choice point of the network, and vice versa.
  const auto decisions = space.decisions();
  if (decisions.size() != choices_.size()) {
    throw Error(space.name() + ": its network has " + std::to_string(choices_.size()) + " choice points for " +
                std::to_string(decisions.size()) + " decisions");
  }
  nlohmann::json first = nlohmann::json::object();
  for (const auto& d : decisions) first[d.name] = d.options.at(0);
  set_path(space.make(first));
}

void SupernetImpl::set_path(const Architecture& arch) {
  space_.validate(arch);
  for (auto& c : choices_) c->select(arch.choices.at(c->decision()));
  path_ = arch;
}

void SupernetImpl::pretty_print(std::ostream& stream) const {
  stream << "rlnas::space::Supernet(" << space_.name() << ", " << choices_.size() << " choice points, path "
         << path_.short_id() << ")";
}

std::vector<Supernet> find_supernets(torch::nn::Module& module) {
  std::vector<Supernet> out;
  for (const auto& m : module.modules(/*include_self=*/true)) {
    if (auto s = std::dynamic_pointer_cast<SupernetImpl>(m)) out.push_back(s);
  }
  return out;
}

Supernet make_supernet(const SearchSpace& space, const std::vector<int64_t>& obs_shape) {
  return std::make_shared<SupernetImpl>(space, obs_shape);
}

}  // namespace rlnas::space
