// Differentiable architecture search inside an RL algorithm (RL-DARTS, A2D): the options of a
// mixed supernet run (net.mixed), the temperature schedule, and the optimizer of the
// architecture variables alpha.
//
// The supernet replaces the encoder of an otherwise unchanged algorithm. alpha has its own Adam
// (A2D: lr 1e-3, beta1 0.9); the algorithm's optimizer gets every other parameter. Per update:
//   one-level (default; RL-DARTS eq. 2, A2D Algorithm 1): one backward pass of
//            L_rl + lambda * cost(alpha) gives both gradients; the weights and alpha each step.
//   bi-level (first-order DARTS): the update's minibatch is split in two halves; alpha steps on
//            the loss of the first half (+ lambda * cost) with the weights fixed, then the
//            weights step on the second half with alpha fixed. The supervised workload splits
//            training from validation data instead, and offers DARTS's second-order step
//            (arch.order 2, step_unrolled).
// Temperature (set before every iteration from the steps done):
//   constant     T = arch.temperature
//   exponential  T = T0 (T1 / T0)^progress, T1 = arch.temperature_end (A2D: 5 -> 0.1 over the budget)
//   step         T = T0 * arch.anneal_factor^floor(steps / arch.anneal_every) (A2D's absolute
//                schedule: x0.98 every 100k steps), floored at arch.temperature_end
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlnas/core/options.h"
#include "rlnas/nn/networks.h"
#include "rlnas/space/mixed.h"

namespace rlnas::rl {

class Algorithm;

struct ArchOptions {
  double lr = 1e-3;                   // Adam learning rate of alpha
  double beta1 = 0.9, beta2 = 0.999;  // Adam betas of alpha
  double weight_decay = 0.0;          // L2 penalty on alpha in its Adam (DARTS on images: 1e-3)
  std::string level = "one";          // one | bi
  int64_t order = 1;                  // bi-level: 1 first-order | 2 DARTS's second-order step (supervised)
  double temperature = 5.0;           // T0
  double temperature_end = 0.1;       // exponential: T at the end; step: floor
  std::string anneal = "auto";        // auto (softmax: constant, gumbel: exponential) | constant | exponential | step
  double anneal_factor = 0.98;        // step
  int64_t anneal_every = 100000;      // step: environment steps
  std::string cost = "flops";         // flops | latency
  double cost_lambda = 0.0;           // weight of the normalized cost in alpha's loss
  bool hard = false;                  // gumbel: straight-through one-op forward (GDAS)
  bool freeze = false;                // alpha fixed at uniform (RL-DARTS Appendix B.2 ablation)

  void bind(OptionTable& table);  // arch.* keys
  // T after `steps_done` of `total_steps`.
  double temperature_at(int64_t steps_done, int64_t total_steps, const std::string& mode) const;
};

// Finds the mixed supernets of the algorithm's modules and optimizes the alpha of those in the
// first module (an actor-critic with separate encoders holds two; a DQN target network's only
// follows the temperature). Metrics and the cost are read from the first supernet.
class ArchUpdater {
 public:
  ArchUpdater(const ArchOptions& options, const std::vector<torch::nn::Module*>& modules);
  bool active() const { return !supernets_.empty(); }
  bool bilevel() const { return active() && options_.level == "bi"; }
  bool second_order() const { return bilevel() && options_.order == 2; }
  // Every trainable parameter of `module` that is not an architecture variable.
  std::vector<torch::Tensor> weights_of(torch::nn::Module& module) const;
  // Sets the temperature of every supernet for this point of training.
  void begin_iteration(int64_t steps_done, int64_t total_steps);
  // lambda * normalized expected cost (0 without a cost), differentiable in alpha.
  torch::Tensor cost_loss();
  void zero_grad();
  void step();  // Adam on alpha (no-op when frozen or inactive)
  // The loss the weights' backward pass takes: + lambda * cost under one-level optimization (alpha
  // then steps on the same gradients, after_weight_step); the loss alone under bi-level.
  torch::Tensor weight_loss(const torch::Tensor& loss);
  void after_weight_step();  // one-level: step alpha on the weights' backward pass
  // Bi-level: alpha alone steps on `loss` (+ lambda * cost), computed on data the weights do not
  // train on; the weights' gradients it leaves behind are cleared by their next zero_grad.
  void step_alone(const torch::Tensor& loss);
  // Bi-level, second order: alpha steps on unrolled_alpha_gradient (+ lambda * the cost's gradient).
  void step_unrolled(const std::vector<torch::Tensor>& weights, const std::function<torch::Tensor()>& train_loss,
                     const std::function<torch::Tensor()>& validation_loss, double xi,
                     const std::vector<torch::Tensor>& step_terms);
  // temperature, normalized expected cost, mean entropy of the op distributions.
  std::vector<std::pair<std::string, double>> metrics() const;
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  ArchOptions options_;
  std::vector<space::MixedSupernet> supernets_;  // the first module's first
  std::vector<torch::Tensor> alphas_;
  std::unique_ptr<torch::optim::Adam> adam_;
  double last_cost_ = std::nan("");
};

// DARTS's second-order architecture gradient (Liu et al. 2019, Sec. 2.3): the gradient in alpha of
// the validation loss after one virtual SGD step of the weights,
//   w' = w - xi (grad_w L_train(w, alpha) + step_terms)    (step_terms: weight decay, momentum)
//   grad = grad_alpha L_val(w', alpha) - xi H v,  v = grad_w' L_val(w', alpha),
// the Hessian-vector product by central differences,
//   H v ~ (grad_alpha L_train(w+, alpha) - grad_alpha L_train(w-, alpha)) / (2 eps),
//   w+- = w +- eps v, eps = 0.01 / |v|.
// The losses are recomputed from the current weights at each call; `weights` are restored
// (bit for bit) and none of their .grad is touched. step_terms: empty or one per weight.
std::vector<torch::Tensor> unrolled_alpha_gradient(const std::vector<torch::Tensor>& weights,
                                                   const std::vector<torch::Tensor>& alphas,
                                                   const std::function<torch::Tensor()>& train_loss,
                                                   const std::function<torch::Tensor()>& validation_loss, double xi,
                                                   const std::vector<torch::Tensor>& step_terms);

// Actor-critic distillation (A2D Sec. 4.3, eq. 6-8) from a trained teacher run.
//   variant  actor_critic  + a2 KL(pi_teacher || pi_student) + a3 0.5 (V_student - V_teacher)^2 (A2D)
//            actor         + a2 KL only (policy distillation, Rusu et al.; a3 = 0)
//            teacher_critic + a2 KL; the teacher's values replace the student critic in the
//                           advantages and bootstraps, and the student's value loss is dropped
//            none
// The entropy coefficient a1 is the algorithm's ent_coef (A2D: 1e-2).
struct DistillOptions {
  std::string teacher;                   // run directory of a trained ppo/a2c run; empty = off
  std::string variant = "actor_critic";  // actor_critic | actor | teacher_critic | none
  double actor_coef = 0.1;               // a2
  double critic_coef = 1e-3;             // a3
  void bind(OptionTable& table);         // distill.* keys
  bool enabled() const { return !teacher.empty() && variant != "none"; }
};

// KL(p_teacher || p_student) = sum_a p_t (log p_t - log p_s), averaged over the batch; logits [B, A].
torch::Tensor distill_actor_loss(const torch::Tensor& teacher_logits, const torch::Tensor& student_logits);
// 0.5 (V_student - V_teacher)^2 averaged; the teacher's values carry no gradient.
torch::Tensor distill_critic_loss(const torch::Tensor& student_values, const torch::Tensor& teacher_values);

// An extra term of an actor-critic loss, computed from targets recorded during the rollout; the
// algorithm knows only this interface. Distillation from a teacher (A2D) is one.
class AuxiliaryLoss {
 public:
  virtual ~AuxiliaryLoss() = default;
  // Rollout step t: the observations the student acted on; `value` is the step's value estimate,
  // which the term may replace (a teacher's critic).
  virtual void record(int64_t t, const torch::Tensor& obs, torch::Tensor value) = 0;
  // The critic for bootstraps and advantages when it replaces the student's, else nullopt.
  virtual std::optional<torch::Tensor> critic(const torch::Tensor& obs) = 0;
  // False when the student's critic is not used, so its value loss is dropped.
  virtual bool trains_critic() const = 0;
  // Start of an epoch: the recorded targets in this order (a permutation of the flat rollout).
  virtual void shuffle(const torch::Tensor& perm) = 0;
  // `loss` plus the term for rows [start, start + n) of this epoch's order, given the student's
  // outputs on them; `statistic` receives the value logged as metric_name() (detached).
  virtual torch::Tensor add_to(torch::Tensor loss, int64_t start, int64_t n, const nn::ActorCriticOutput& student,
                               torch::Tensor* statistic) = 0;
  virtual std::string metric_name() const = 0;
};

// Actor-critic distillation from `teacher` (distill.*): KL(pi_teacher || pi_student) x actor_coef,
// plus (variant actor_critic) the critic term x critic_coef, or (teacher_critic) the teacher's
// critic in place of the student's. A rollout is num_steps x num_envs steps of `action_dim`
// discrete actions; `options` places the recorded targets.
std::unique_ptr<AuxiliaryLoss> make_distillation(const DistillOptions& distill, std::shared_ptr<Algorithm> teacher,
                                                 int64_t num_steps, int64_t num_envs, int64_t action_dim,
                                                 const torch::TensorOptions& options);

}  // namespace rlnas::rl
