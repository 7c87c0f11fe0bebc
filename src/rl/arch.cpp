#include "rlnas/rl/arch.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "rlnas/core/error.h"
#include "rlnas/rl/algorithm.h"

namespace rlnas::rl {

void ArchOptions::bind(OptionTable& t) {
  t.add("arch.lr", &lr, "mixed supernets: Adam learning rate of the architecture variables alpha", 0, 10)
      .add("arch.beta1", &beta1, "mixed supernets: Adam beta1 of alpha", 0, 1)
      .add("arch.beta2", &beta2, "mixed supernets: Adam beta2 of alpha", 0, 1)
      .add("arch.weight_decay", &weight_decay, "mixed supernets: L2 penalty on alpha in its Adam", 0, 1)
      .add("arch.level", &level, "one: weights and alpha from one loss per update; bi: bi-level", {"one", "bi"})
      .add("arch.order", &order,
           "bi-level: 1 first-order; 2 DARTS's second-order step (the supervised workload, softmax mixing)", 1, 2)
      .add("arch.temperature", &temperature, "mixing temperature T (start value when annealed)", 1e-6, 1e6)
      .add("arch.temperature_end", &temperature_end, "exponential: final temperature; step: its floor", 1e-6, 1e6)
      .add("arch.anneal", &anneal, "temperature schedule (auto: constant for softmax, exponential for gumbel)",
           {"auto", "constant", "exponential", "step"})
      .add("arch.anneal_factor", &anneal_factor, "step schedule: factor per arch.anneal_every steps", 1e-6, 1)
      .add("arch.anneal_every", &anneal_every, "step schedule: environment steps per factor", 1, 1e13)
      .add("arch.cost", &cost, "efficiency cost of alpha's loss", {"flops", "latency"})
      .add("arch.cost_lambda", &cost_lambda, "weight of the normalized expected cost in alpha's loss (0 = none)", 0,
           1e6)
      .add("arch.hard", &hard, "gumbel: run only the sampled op (straight-through, GDAS)")
      .add("arch.freeze", &freeze, "keep alpha at uniform weights (ablation)");
}

double ArchOptions::temperature_at(int64_t steps_done, int64_t total_steps, const std::string& mode) const {
  const std::string kind = anneal == "auto" ? (mode == "gumbel" ? "exponential" : "constant") : anneal;
  if (kind == "constant") return temperature;
  if (kind == "exponential") {
    const double p = total_steps > 0 ? std::clamp(static_cast<double>(steps_done) / total_steps, 0.0, 1.0) : 0.0;
    return temperature * std::pow(temperature_end / temperature, p);
  }
  if (kind == "step") {
    const double t = temperature * std::pow(anneal_factor, static_cast<double>(steps_done / anneal_every));
    return std::max(t, temperature_end);
  }
  throw Error("arch.anneal: unknown schedule '" + anneal + "'");
}

ArchUpdater::ArchUpdater(const ArchOptions& options, const std::vector<torch::nn::Module*>& modules)
    : options_(options) {
  for (size_t i = 0; i < modules.size(); ++i) {
    for (auto& s : space::find_mixed_supernets(*modules[i])) {
      supernets_.push_back(s);
      // The first module's supernets are trained (e.g. actor and critic encoders); the others
      // (a DQN target network) only follow the temperature.
      if (i > 0) continue;
      for (const auto& a : s->alphas()) {
        if (a.requires_grad()) alphas_.push_back(a);
      }
    }
  }
  if (supernets_.empty()) return;
  if (!alphas_.empty()) {
    adam_ = std::make_unique<torch::optim::Adam>(
        alphas_,
        torch::optim::AdamOptions(options_.lr).betas({options_.beta1, options_.beta2}).weight_decay(options_.weight_decay));
  }
}

std::vector<torch::Tensor> ArchUpdater::weights_of(torch::nn::Module& module) const {
  std::set<const void*> arch;
  for (const auto& s : supernets_) {
    for (const auto& a : s->alphas()) arch.insert(a.unsafeGetTensorImpl());
  }
  std::vector<torch::Tensor> out;
  for (const auto& p : module.parameters()) {
    if (!arch.count(p.unsafeGetTensorImpl())) out.push_back(p);
  }
  return out;
}

void ArchUpdater::begin_iteration(int64_t steps_done, int64_t total_steps) {
  for (const auto& s : supernets_)
    s->set_temperature(options_.temperature_at(steps_done, total_steps, s->options().mode));
}

torch::Tensor ArchUpdater::cost_loss() {
  if (!active() || options_.cost_lambda == 0 || alphas_.empty()) return torch::zeros({});
  const auto cost = supernets_.front()->expected_cost(options_.cost);
  last_cost_ = cost.item<double>();
  return options_.cost_lambda * cost.to(torch::kFloat);
}

void ArchUpdater::zero_grad() {
  for (auto& a : alphas_) {
    if (a.grad().defined()) a.mutable_grad().zero_();
  }
}

void ArchUpdater::step() {
  if (adam_) adam_->step();
}

torch::Tensor ArchUpdater::weight_loss(const torch::Tensor& loss) {
  return active() && !bilevel() ? loss + cost_loss() : loss;
}

void ArchUpdater::after_weight_step() {
  if (!bilevel()) step();
}

void ArchUpdater::step_alone(const torch::Tensor& loss) {
  zero_grad();
  (loss + cost_loss()).backward();
  step();
}

void ArchUpdater::step_unrolled(const std::vector<torch::Tensor>& weights,
                                const std::function<torch::Tensor()>& train_loss,
                                const std::function<torch::Tensor()>& validation_loss, double xi,
                                const std::vector<torch::Tensor>& step_terms) {
  const auto grads = unrolled_alpha_gradient(weights, alphas_, train_loss, validation_loss, xi, step_terms);
  zero_grad();
  for (size_t j = 0; j < alphas_.size(); ++j) {
    if (!grads[j].defined()) continue;
    if (alphas_[j].grad().defined()) {
      alphas_[j].mutable_grad().add_(grads[j]);
    } else {
      alphas_[j].mutable_grad() = grads[j].detach().clone();
    }
  }
  if (options_.cost_lambda != 0) cost_loss().backward();
  step();
}

std::vector<torch::Tensor> unrolled_alpha_gradient(const std::vector<torch::Tensor>& weights,
                                                   const std::vector<torch::Tensor>& alphas,
                                                   const std::function<torch::Tensor()>& train_loss,
                                                   const std::function<torch::Tensor()>& validation_loss, double xi,
                                                   const std::vector<torch::Tensor>& step_terms) {
  if (!step_terms.empty() && step_terms.size() != weights.size())
    throw Error("unrolled_alpha_gradient: " + std::to_string(step_terms.size()) + " step terms for " +
                std::to_string(weights.size()) + " weights");
  const auto zeros_where_unused = [](std::vector<torch::Tensor> g, const std::vector<torch::Tensor>& of) {
    for (size_t i = 0; i < g.size(); ++i) {
      if (!g[i].defined()) g[i] = torch::zeros_like(of[i]);
    }
    return g;
  };
  const auto grad = [&](const torch::Tensor& loss, const std::vector<torch::Tensor>& of) {
    return zeros_where_unused(torch::autograd::grad({loss}, of, {}, false, false, /*allow_unused=*/true), of);
  };
  std::vector<torch::Tensor> saved;
  saved.reserve(weights.size());
  for (const auto& w : weights) saved.push_back(w.detach().clone());
  const auto set_weights = [&](const std::vector<torch::Tensor>* direction, double scale) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < weights.size(); ++i) {
      auto w = weights[i];
      w.copy_(saved[i]);
      if (direction) w.add_((*direction)[i], scale);
    }
  };
  // The virtual step w' = w - xi (grad_w L_train + step_terms).
  auto step = grad(train_loss(), weights);
  for (size_t i = 0; i < step.size() && !step_terms.empty(); ++i) step[i] = step[i] + step_terms[i];
  set_weights(&step, -xi);
  // At w': grad_alpha L_val and v = grad_w' L_val.
  std::vector<torch::Tensor> both = alphas;
  both.insert(both.end(), weights.begin(), weights.end());
  const auto at_unrolled = grad(validation_loss(), both);
  std::vector<torch::Tensor> out(at_unrolled.begin(), at_unrolled.begin() + static_cast<std::ptrdiff_t>(alphas.size()));
  const std::vector<torch::Tensor> v(at_unrolled.begin() + static_cast<std::ptrdiff_t>(alphas.size()), at_unrolled.end());
  double norm2 = 0;
  for (const auto& t : v) norm2 += t.pow(2).sum().item<double>();
  if (!(norm2 > 0) || !std::isfinite(norm2)) {  // no second-order term to estimate
    set_weights(nullptr, 0);
    return out;
  }
  const double eps = 0.01 / std::sqrt(norm2);
  set_weights(&v, eps);
  const auto plus = grad(train_loss(), alphas);
  set_weights(&v, -eps);
  const auto minus = grad(train_loss(), alphas);
  set_weights(nullptr, 0);
  for (size_t j = 0; j < out.size(); ++j) out[j] = out[j] - (xi / (2 * eps)) * (plus[j] - minus[j]);
  return out;
}

std::vector<std::pair<std::string, double>> ArchUpdater::metrics() const {
  if (!active()) return {};
  const auto& s = supernets_.front();
  double entropy = 0;
  int64_t rows = 0;
  for (const auto& p : s->probabilities()) {
    entropy += -(p * p.clamp_min(1e-12).log()).sum().item<double>();
    rows += p.size(0);
  }
  double cost = last_cost_;
  if (options_.cost_lambda == 0) {
    torch::NoGradGuard no_grad;
    cost = s->expected_cost(options_.cost).item<double>();
  }
  return {{"arch.temperature", s->temperature()},
          {"arch.cost", cost},
          {"arch.entropy", rows ? entropy / static_cast<double>(rows) : 0.0}};
}

void ArchUpdater::save(torch::serialize::OutputArchive& archive) const {
  if (adam_) {
    torch::serialize::OutputArchive a;
    adam_->save(a);
    archive.write("arch_optimizer", a);
  }
}

void ArchUpdater::load(torch::serialize::InputArchive& archive) {
  if (adam_) {
    torch::serialize::InputArchive a;
    if (!archive.try_read("arch_optimizer", a)) throw Error("checkpoint has no optimizer state of alpha");
    adam_->load(a);
  }
}

void DistillOptions::bind(OptionTable& t) {
  t.add("distill.teacher", &teacher, "run directory of a trained ppo/a2c teacher (empty = no distillation)")
      .add("distill.variant", &variant, "actor_critic (A2D) | actor | teacher_critic | none",
           {"actor_critic", "actor", "teacher_critic", "none"})
      .add("distill.actor_coef", &actor_coef, "a2: weight of KL(pi_teacher || pi_student)", 0, 1e6)
      .add("distill.critic_coef", &critic_coef, "a3: weight of 0.5 (V_student - V_teacher)^2", 0, 1e6);
}

torch::Tensor distill_actor_loss(const torch::Tensor& teacher_logits, const torch::Tensor& student_logits) {
  const auto log_t = torch::log_softmax(teacher_logits.detach(), -1);
  const auto log_s = torch::log_softmax(student_logits, -1);
  return (log_t.exp() * (log_t - log_s)).sum(-1).mean();
}

torch::Tensor distill_critic_loss(const torch::Tensor& student_values, const torch::Tensor& teacher_values) {
  return 0.5 * (student_values - teacher_values.detach()).square().mean();
}

namespace {

class Distillation final : public AuxiliaryLoss {
 public:
  Distillation(const DistillOptions& distill, std::shared_ptr<Algorithm> teacher, int64_t num_steps, int64_t num_envs,
               int64_t action_dim, const torch::TensorOptions& options)
      : distill_(distill), teacher_algo_(std::move(teacher)) {
    auto net = std::dynamic_pointer_cast<nn::ActorCriticImpl>(teacher_algo_->network().shared_from_this());
    if (!net) throw Error("distill.teacher: the teacher must be a ppo or a2c run (an actor-critic network)");
    teacher_ = nn::ActorCritic(net);
    logits_ = torch::zeros({num_steps, num_envs, action_dim}, options);
    values_ = torch::zeros({num_steps, num_envs}, options);
  }
  void record(int64_t t, const torch::Tensor& obs, torch::Tensor value) override {
    const auto teacher = teacher_->forward(obs);
    logits_[t].copy_(teacher.policy.logits);
    values_[t].copy_(teacher.value);
    if (replaces_critic()) value.copy_(teacher.value);
  }
  std::optional<torch::Tensor> critic(const torch::Tensor& obs) override {
    if (!replaces_critic()) return std::nullopt;
    return teacher_->value(obs);
  }
  // teacher_critic: the student's critic is not used, so it is not trained either.
  bool trains_critic() const override { return !replaces_critic(); }
  void shuffle(const torch::Tensor& perm) override {
    e_logits_ = logits_.flatten(0, 1).index_select(0, perm);
    e_values_ = values_.flatten(0, 1).index_select(0, perm);
  }
  torch::Tensor add_to(torch::Tensor loss, int64_t start, int64_t n, const nn::ActorCriticOutput& student,
                       torch::Tensor* statistic) override {
    const auto kl = distill_actor_loss(e_logits_.narrow(0, start, n), student.policy.logits);
    loss = loss + distill_.actor_coef * kl;
    if (distill_.variant == "actor_critic") {
      loss = loss + distill_.critic_coef * distill_critic_loss(student.value, e_values_.narrow(0, start, n));
    }
    *statistic = kl.detach();
    return loss;
  }
  std::string metric_name() const override { return "distill_kl"; }

 private:
  bool replaces_critic() const { return distill_.variant == "teacher_critic"; }
  DistillOptions distill_;
  std::shared_ptr<Algorithm> teacher_algo_;  // owns teacher_
  nn::ActorCritic teacher_{nullptr};
  torch::Tensor logits_, values_;      // [num_steps, num_envs, ...] recorded in the rollout
  torch::Tensor e_logits_, e_values_;  // flat, in this epoch's order
};

}  // namespace

std::unique_ptr<AuxiliaryLoss> make_distillation(const DistillOptions& distill, std::shared_ptr<Algorithm> teacher,
                                                 int64_t num_steps, int64_t num_envs, int64_t action_dim,
                                                 const torch::TensorOptions& options) {
  return std::make_unique<Distillation>(distill, std::move(teacher), num_steps, num_envs, action_dim, options);
}

}  // namespace rlnas::rl
