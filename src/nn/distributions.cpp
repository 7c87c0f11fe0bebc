// PolicyDistribution: categorical over logits or diagonal Gaussian, with sampling driven by the
// caller's generator so that a seeded run draws the same actions every time.
#include <cmath>
#include <limits>
#include <numbers>

#include "rlnas/nn/networks.h"

namespace rlnas::nn {
namespace {

const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);

void check_discrete(const PolicyDistribution& dist) {
  TORCH_INTERNAL_ASSERT(dist.logits.defined(), "categorical PolicyDistribution without logits");
}
void check_continuous(const PolicyDistribution& dist) {
  TORCH_INTERNAL_ASSERT(dist.mean.defined() && dist.log_std.defined(),
                        "Gaussian PolicyDistribution without mean or log_std");
}

// The most negative finite value of the tensor's dtype: masked actions have log-probability
// -inf, and 0 * -inf would turn their (zero) entropy term into NaN.
double lowest_finite(const torch::Tensor& t) {
  return t.scalar_type() == torch::kDouble ? std::numeric_limits<double>::lowest()
                                           : static_cast<double>(std::numeric_limits<float>::lowest());
}

}  // namespace

// Draws are not reparameterised (as torch.distributions' sample()): the result carries no
// gradient. SAC's reparameterised draw is SquashedGaussianActor::sample.
torch::Tensor PolicyDistribution::sample(at::Generator& gen) const {
  torch::NoGradGuard no_grad;
  if (discrete) {
    check_discrete(*this);
    const auto probs = torch::softmax(logits, /*dim=*/-1);
    return torch::multinomial(probs, /*num_samples=*/1, /*replacement=*/false, gen).squeeze(-1);
  }
  check_continuous(*this);
  const auto noise = torch::randn(mean.sizes(), gen, mean.options());
  return mean + log_std.exp() * noise;
}

torch::Tensor PolicyDistribution::log_prob(const torch::Tensor& action) const {
  if (discrete) {
    check_discrete(*this);
    const auto log_p = torch::log_softmax(logits, /*dim=*/-1);
    return log_p.gather(-1, action.to(torch::kLong).unsqueeze(-1)).squeeze(-1);
  }
  check_continuous(*this);
  const auto z = (action - mean) * (-log_std).exp();
  return (-0.5 * z.square() - log_std - kHalfLog2Pi).sum(-1);
}

torch::Tensor PolicyDistribution::entropy() const {
  if (discrete) {
    check_discrete(*this);
    const auto log_p = torch::log_softmax(logits, /*dim=*/-1);
    return -(log_p.exp() * log_p.clamp_min(lowest_finite(log_p))).sum(-1);
  }
  check_continuous(*this);
  // log_std may be a state-independent [D]: broadcast it to [B, D] before summing over D.
  return (log_std + (0.5 + kHalfLog2Pi)).expand_as(mean).sum(-1);
}

torch::Tensor PolicyDistribution::mode() const {
  if (discrete) {
    check_discrete(*this);
    return logits.argmax(-1);
  }
  check_continuous(*this);
  return mean;
}

}  // namespace rlnas::nn
