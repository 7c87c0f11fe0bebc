// ENAS controller: LSTM sampler over a space's decisions, REINFORCE with a moving-average
// baseline, Adam with cosine-annealed learning rate (see controller.h).
#include "rlnas/search/controller.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numbers>
#include <numeric>
#include <sstream>
#include <type_traits>

#include "rlnas/core/error.h"

namespace rlnas::search {

namespace {

constexpr auto kF64 = torch::kFloat64;
constexpr int64_t kChunk = 8192;  // architectures per batched forward when enumerating
constexpr double kInitRange = 0.1;

static_assert(std::is_trivially_copyable_v<Mt19937>);

torch::Tensor rng_to_tensor(const Mt19937& rng) {
  auto t = torch::empty({static_cast<int64_t>(sizeof(Mt19937))}, torch::kUInt8);
  std::memcpy(t.data_ptr(), &rng, sizeof(Mt19937));
  return t;
}

std::vector<double> to_vector(const torch::Tensor& t) {
  const auto c = t.detach().to(kF64).contiguous();
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

}  // namespace

struct Controller::Net : torch::nn::Module {
  Net(int64_t hidden, const std::vector<int64_t>& counts) {
    const int64_t rows = std::accumulate(counts.begin(), counts.end(), int64_t{0});
    start = register_parameter("start", torch::zeros({1, hidden}));
    embedding = register_module("embedding", torch::nn::Embedding(rows, hidden));
    cell = register_module("cell", torch::nn::LSTMCell(hidden, hidden));
    for (size_t i = 0; i < counts.size(); ++i) {
      heads.push_back(register_module("head" + std::to_string(i), torch::nn::Linear(hidden, counts[i])));
    }
  }

  torch::Tensor start;
  torch::nn::Embedding embedding{nullptr};
  torch::nn::LSTMCell cell{nullptr};
  std::vector<torch::nn::Linear> heads;
};

Controller::Controller(const space::SearchSpace& space, ControllerOptions options)
    : space_(space), options_(options), decisions_(space.decisions()), rng_(static_cast<uint32_t>(options.seed)) {
  const std::string where = "ENAS controller for " + space_.name() + ": ";
  if (options_.hidden < 1) throw Error(where + "hidden must be >= 1, got " + std::to_string(options_.hidden));
  if (!(options_.lr > 0) || !std::isfinite(options_.lr)) {
    throw Error(where + "lr must be > 0, got " + std::to_string(options_.lr));
  }
  if (!std::isfinite(options_.entropy_coef)) throw Error(where + "entropy_coef must be finite");
  if (!(options_.baseline_decay >= 0 && options_.baseline_decay <= 1)) {
    throw Error(where + "baseline_decay must be in [0, 1], got " + std::to_string(options_.baseline_decay));
  }
  if (options_.total_updates < 0) {
    throw Error(where + "total_updates must be >= 0, got " + std::to_string(options_.total_updates));
  }
  if (decisions_.empty()) throw Error(where + "the space has no decisions");
  std::vector<int64_t> counts;
  int64_t offset = 0;
  for (const auto& d : decisions_) {
    if (d.options.empty()) throw Error(where + "decision '" + d.name + "' has no options");
    offsets_.push_back(offset);
    counts.push_back(static_cast<int64_t>(d.options.size()));
    offset += counts.back();
  }

  // The modules' default init draws from torch's global generator: keep its state as it was,
  // then draw every parameter from our own generator.
  auto global = at::globalContext().defaultGenerator(torch::kCPU);
  const auto global_state = global.get_state();
  net_ = std::make_shared<Net>(options_.hidden, counts);
  global.set_state(global_state);
  net_->to(kF64);
  {
    torch::NoGradGuard no_grad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(options_.seed);
    for (auto& p : net_->parameters()) p.uniform_(-kInitRange, kInitRange, gen);
  }
  optimizer_ = std::make_unique<torch::optim::Adam>(net_->parameters(), torch::optim::AdamOptions(options_.lr));
}

Controller::~Controller() = default;

std::vector<torch::Tensor> Controller::parameters() const { return net_->parameters(); }

double Controller::current_lr() const {
  if (options_.total_updates <= 0) return options_.lr;
  const double t = static_cast<double>(std::min(updates_, options_.total_updates));
  return 0.5 * options_.lr * (1.0 + std::cos(std::numbers::pi * t / static_cast<double>(options_.total_updates)));
}

void Controller::check_space(const space::Architecture& arch) const {
  try {
    space_.validate(arch);
  } catch (const Error& e) {
    throw Error("ENAS controller for " + space_.name() + ": " + e.what());
  }
}

std::vector<int64_t> Controller::indices(const space::Architecture& arch) const {
  check_space(arch);
  std::vector<int64_t> out;
  out.reserve(decisions_.size());
  for (const auto& d : decisions_) {
    const auto& v = arch.choices.at(d.name);
    const auto it = std::find(d.options.begin(), d.options.end(), v);
    out.push_back(static_cast<int64_t>(it - d.options.begin()));  // validate() found it
  }
  return out;
}

space::Architecture Controller::architecture(const std::vector<int64_t>& indices) const {
  if (indices.size() != decisions_.size()) {
    throw Error("ENAS controller for " + space_.name() + ": " + std::to_string(indices.size()) +
                " option indices for " + std::to_string(decisions_.size()) + " decisions");
  }
  nlohmann::json choices = nlohmann::json::object();
  for (size_t i = 0; i < decisions_.size(); ++i) {
    const auto& d = decisions_[i];
    if (indices[i] < 0 || indices[i] >= static_cast<int64_t>(d.options.size())) {
      throw Error("ENAS controller for " + space_.name() + ": option index " + std::to_string(indices[i]) +
                  " of decision '" + d.name + "' is outside [0, " + std::to_string(d.options.size()) + ")");
    }
    choices[d.name] = d.options[static_cast<size_t>(indices[i])];
  }
  return space_.make(std::move(choices));
}

torch::Tensor Controller::index_tensor(const std::vector<space::Architecture>& archs) const {
  const auto d = static_cast<int64_t>(decisions_.size());
  auto t = torch::empty({static_cast<int64_t>(archs.size()), d}, torch::kInt64);
  auto* p = t.data_ptr<int64_t>();
  for (const auto& a : archs) {
    for (int64_t i : indices(a)) *p++ = i;
  }
  return t;
}

std::pair<torch::Tensor, torch::Tensor> Controller::evaluate(const torch::Tensor& indices) const {
  const int64_t b = indices.size(0);
  const int64_t h_size = options_.hidden;
  auto h = torch::zeros({b, h_size}, kF64);
  auto c = torch::zeros({b, h_size}, kF64);
  torch::Tensor x = net_->start.expand({b, h_size});
  auto log_prob = torch::zeros({b}, kF64);
  auto entropy = torch::zeros({b}, kF64);
  for (size_t i = 0; i < decisions_.size(); ++i) {
    std::tie(h, c) = net_->cell(x, std::make_tuple(h, c));
    const auto lp = torch::log_softmax(net_->heads[i](h), 1);
    const auto a = indices.select(1, static_cast<int64_t>(i));
    log_prob = log_prob + lp.gather(1, a.unsqueeze(1)).squeeze(1);
    entropy = entropy - (lp.exp() * lp).sum(1);
    if (i + 1 < decisions_.size()) x = net_->embedding(a + offsets_[i]);
  }
  return {log_prob, entropy};
}

void Controller::walk(const std::function<int64_t(size_t, const std::vector<double>&)>& choose) const {
  torch::NoGradGuard no_grad;
  auto h = torch::zeros({1, options_.hidden}, kF64);
  auto c = torch::zeros({1, options_.hidden}, kF64);
  torch::Tensor x = net_->start;
  for (size_t i = 0; i < decisions_.size(); ++i) {
    std::tie(h, c) = net_->cell(x, std::make_tuple(h, c));
    const int64_t chosen = choose(i, to_vector(torch::log_softmax(net_->heads[i](h), 1)));
    if (i + 1 < decisions_.size()) x = net_->embedding(torch::tensor({offsets_[i] + chosen}, torch::kInt64));
  }
}

Controller::Sample Controller::sample() {
  Sample s;
  walk([&](size_t, const std::vector<double>& lp) {
    // inverse CDF; rounding can leave u above the last partial sum: take the last possible option
    const double u = rng_.rand();
    double cumulative = 0;
    int64_t chosen = -1, last_possible = 0;
    for (size_t k = 0; k < lp.size(); ++k) {
      const double p = std::exp(lp[k]);
      if (p > 0) last_possible = static_cast<int64_t>(k);
      cumulative += p;
      if (chosen < 0 && u < cumulative && p > 0) chosen = static_cast<int64_t>(k);
      if (p > 0) s.entropy -= p * lp[k];
    }
    if (chosen < 0) chosen = last_possible;
    s.indices.push_back(chosen);
    s.log_prob += lp[static_cast<size_t>(chosen)];
    return chosen;
  });
  s.arch = architecture(s.indices);
  return s;
}

double Controller::log_prob(const space::Architecture& arch) const {
  torch::NoGradGuard no_grad;
  auto idx = torch::tensor(indices(arch), torch::kInt64).unsqueeze(0);
  return evaluate(idx).first.item<double>();
}

double Controller::probability(const space::Architecture& arch) const { return std::exp(log_prob(arch)); }

std::vector<double> Controller::log_probs(const std::vector<space::Architecture>& archs) const {
  if (archs.empty()) return {};
  torch::NoGradGuard no_grad;
  return to_vector(evaluate(index_tensor(archs)).first);
}

std::vector<std::pair<space::Architecture, double>> Controller::rank(size_t k) const {
  std::vector<std::pair<space::Architecture, double>> out;
  if (k == 0) return out;
  torch::NoGradGuard no_grad;
  const size_t d = decisions_.size();
  std::vector<int64_t> counts;
  uint64_t total = 1;
  for (const auto& dec : decisions_) {
    counts.push_back(static_cast<int64_t>(dec.options.size()));
    const auto n = static_cast<uint64_t>(dec.options.size());
    total = total > kEnumerationLimit / n + 1 ? kEnumerationLimit + 1 : total * n;
  }

  if (total <= kEnumerationLimit) {
    // every architecture, in enumeration order (the last decision changes fastest)
    const auto n = static_cast<int64_t>(total);
    auto all = torch::empty({n, static_cast<int64_t>(d)}, torch::kInt64);
    auto* p = all.data_ptr<int64_t>();
    std::vector<int64_t> odometer(d, 0);
    for (int64_t r = 0; r < n; ++r) {
      for (size_t j = 0; j < d; ++j) *p++ = odometer[j];
      for (size_t j = d; j-- > 0;) {
        if (++odometer[j] < counts[j]) break;
        odometer[j] = 0;
      }
    }
    std::vector<double> lp;
    lp.reserve(static_cast<size_t>(n));
    for (int64_t begin = 0; begin < n; begin += kChunk) {
      const auto part = to_vector(evaluate(all.slice(0, begin, std::min(n, begin + kChunk))).first);
      lp.insert(lp.end(), part.begin(), part.end());
    }
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    const size_t keep = std::min(k, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                      [&](int64_t a, int64_t b) { return lp[a] > lp[b] || (lp[a] == lp[b] && a < b); });
    const auto acc = all.accessor<int64_t, 2>();
    for (size_t r = 0; r < keep; ++r) {
      std::vector<int64_t> idx(d);
      for (size_t j = 0; j < d; ++j) idx[j] = acc[order[r]][static_cast<int64_t>(j)];
      out.emplace_back(architecture(idx), std::exp(lp[static_cast<size_t>(order[r])]));
    }
    return out;
  }

  // beam search of width max(k, 32)
  const size_t width = std::max<size_t>(k, 32);
  std::vector<std::vector<int64_t>> prefixes(1);
  std::vector<double> scores(1, 0.0);
  auto h = torch::zeros({1, options_.hidden}, kF64);
  auto c = torch::zeros({1, options_.hidden}, kF64);
  torch::Tensor x = net_->start;
  for (size_t i = 0; i < d; ++i) {
    std::tie(h, c) = net_->cell(x, std::make_tuple(h, c));
    const auto lp = to_vector(torch::log_softmax(net_->heads[i](h), 1));
    const auto n = static_cast<size_t>(counts[i]);
    std::vector<double> cand(prefixes.size() * n);
    for (size_t b = 0; b < prefixes.size(); ++b) {
      for (size_t o = 0; o < n; ++o) cand[b * n + o] = scores[b] + lp[b * n + o];
    }
    std::vector<int64_t> order(cand.size());
    std::iota(order.begin(), order.end(), 0);
    const size_t keep = std::min(width, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                      [&](int64_t a, int64_t b) { return cand[a] > cand[b] || (cand[a] == cand[b] && a < b); });
    order.resize(keep);
    std::vector<std::vector<int64_t>> next_prefixes;
    std::vector<double> next_scores;
    std::vector<int64_t> parents, options;
    for (int64_t o : order) {
      const auto parent = static_cast<size_t>(o) / n;
      const auto option = static_cast<int64_t>(static_cast<size_t>(o) % n);
      next_prefixes.push_back(prefixes[parent]);
      next_prefixes.back().push_back(option);
      next_scores.push_back(cand[static_cast<size_t>(o)]);
      parents.push_back(static_cast<int64_t>(parent));
      options.push_back(offsets_[i] + option);
    }
    prefixes = std::move(next_prefixes);
    scores = std::move(next_scores);
    const auto parent_t = torch::tensor(parents, torch::kInt64);
    h = h.index_select(0, parent_t);
    c = c.index_select(0, parent_t);
    if (i + 1 < d) x = net_->embedding(torch::tensor(options, torch::kInt64));
  }
  for (size_t r = 0; r < std::min(k, prefixes.size()); ++r) {
    out.emplace_back(architecture(prefixes[r]), std::exp(scores[r]));
  }
  return out;
}

nlohmann::json Controller::snapshot(size_t top) const {
  torch::NoGradGuard no_grad;
  nlohmann::json j;
  j["updates"] = updates_;
  j["baseline"] = baseline_set_ ? nlohmann::json(baseline_) : nlohmann::json();
  j["lr"] = current_lr();
  nlohmann::json greedy = nlohmann::json::array();
  double greedy_log_prob = 0;
  walk([&](size_t i, const std::vector<double>& lp) {
    const auto best = static_cast<size_t>(std::max_element(lp.begin(), lp.end()) - lp.begin());
    std::vector<double> probs;
    for (double v : lp) probs.push_back(std::exp(v));
    greedy.push_back({{"decision", decisions_[i].name},
                      {"choice", decisions_[i].options[best]},
                      {"probability", probs[best]},
                      {"probabilities", probs}});
    greedy_log_prob += lp[best];
    return static_cast<int64_t>(best);
  });
  j["greedy"] = std::move(greedy);
  j["greedy_probability"] = std::exp(greedy_log_prob);
  nlohmann::json ranked = nlohmann::json::array();
  for (const auto& [arch, p] : rank(top)) {
    ranked.push_back({{"choices", arch.choices}, {"id", arch.short_id()}, {"probability", p}});
  }
  j["top"] = std::move(ranked);
  bool exact = true;
  uint64_t total = 1;
  for (const auto& d : decisions_) {
    total *= d.options.size();
    if (total > kEnumerationLimit) {
      exact = false;
      break;
    }
  }
  j["top_exact"] = exact;
  return j;
}

Metrics Controller::update(const std::vector<std::pair<space::Architecture, double>>& batch) {
  if (batch.empty()) throw Error("ENAS controller for " + space_.name() + ": update with an empty batch");
  std::vector<space::Architecture> archs;
  std::vector<double> rewards;
  archs.reserve(batch.size());
  rewards.reserve(batch.size());
  for (const auto& [arch, reward] : batch) {
    if (!std::isfinite(reward)) {
      throw Error("ENAS controller for " + space_.name() + ": reward " + std::to_string(reward) + " of architecture " +
                  arch.short_id() + " is not finite");
    }
    archs.push_back(arch);
    rewards.push_back(reward);
  }
  const auto idx = index_tensor(archs);  // validates every architecture before any change
  const double mean_reward = std::accumulate(rewards.begin(), rewards.end(), 0.0) / static_cast<double>(rewards.size());
  if (!baseline_set_) {
    baseline_ = mean_reward;
    baseline_set_ = true;
  }
  auto advantages = torch::tensor(rewards, kF64) - baseline_;  // b before this batch
  baseline_ = options_.baseline_decay * baseline_ + (1.0 - options_.baseline_decay) * mean_reward;

  const double lr = current_lr();
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  const auto [lp, ent] = evaluate(idx);
  const auto loss = -(advantages * lp).mean() - options_.entropy_coef * ent.mean();
  optimizer_->zero_grad();
  loss.backward();
  optimizer_->step();
  ++updates_;
  return {{"loss", loss.item<double>()},          {"baseline", baseline_},
          {"mean_reward", mean_reward},           {"lr", lr},
          {"entropy", ent.mean().item<double>()}, {"log_prob", lp.mean().item<double>()}};
}

void Controller::save(torch::serialize::OutputArchive& archive) const {
  std::vector<int64_t> shape{space_.version(), options_.hidden};
  for (const auto& d : decisions_) shape.push_back(static_cast<int64_t>(d.options.size()));
  archive.write("space", c10::IValue(space_.name()));
  archive.write("shape", torch::tensor(shape, torch::kInt64));
  torch::serialize::OutputArchive net, optimizer;
  net_->save(net);
  optimizer_->save(optimizer);
  archive.write("net", net);
  archive.write("optimizer", optimizer);
  archive.write("baseline", torch::tensor({baseline_, baseline_set_ ? 1.0 : 0.0}, kF64));
  archive.write("updates", torch::tensor(updates_));
  archive.write("rng", rng_to_tensor(rng_));
}

void Controller::load(torch::serialize::InputArchive& archive) {
  const std::string where = "ENAS controller for " + space_.name() + ": ";
  c10::IValue space_name;
  if (!archive.try_read("space", space_name) || !space_name.isString()) {
    throw Error(where + "the archive holds no ENAS controller");
  }
  if (space_name.toStringRef() != space_.name()) {
    throw Error(where + "the archive holds a controller of space '" + space_name.toStringRef() + "'");
  }
  torch::Tensor shape;
  archive.read("shape", shape);
  std::vector<int64_t> expected{space_.version(), options_.hidden};
  for (const auto& d : decisions_) expected.push_back(static_cast<int64_t>(d.options.size()));
  const auto saved = shape.to(torch::kInt64).contiguous();
  if (saved.numel() != static_cast<int64_t>(expected.size()) ||
      !std::equal(expected.begin(), expected.end(), saved.data_ptr<int64_t>())) {
    const auto text = [](const int64_t* p, int64_t n) {
      std::string t;
      for (int64_t i = 0; i < n; ++i) t += (i ? ", " : "") + std::to_string(p[i]);
      return "(" + t + ")";
    };
    std::ostringstream os;
    os << where << "the archive's controller has (version, hidden, option counts...) "
       << text(saved.data_ptr<int64_t>(), saved.numel()) << ", this one "
       << text(expected.data(), static_cast<int64_t>(expected.size()));
    throw Error(os.str());
  }
  torch::serialize::InputArchive net, optimizer;
  archive.read("net", net);
  archive.read("optimizer", optimizer);
  torch::Tensor baseline, updates, rng;
  archive.read("baseline", baseline);
  archive.read("updates", updates);
  archive.read("rng", rng);
  if (rng.numel() != static_cast<int64_t>(sizeof(Mt19937)) || rng.scalar_type() != torch::kUInt8) {
    throw Error(where + "the archive's RNG state has " + std::to_string(rng.numel()) + " bytes, expected " +
                std::to_string(sizeof(Mt19937)));
  }
  net_->load(net);  // in place: the optimizer holds these very tensors
  optimizer_->load(optimizer);
  const auto b = baseline.to(kF64).contiguous();
  baseline_ = b[0].item<double>();
  baseline_set_ = b[1].item<double>() != 0.0;
  updates_ = updates.item<int64_t>();
  std::memcpy(&rng_, rng.contiguous().data_ptr(), sizeof(Mt19937));
}

std::string Controller::to_bytes() const {
  torch::serialize::OutputArchive archive;
  save(archive);
  std::ostringstream os;
  archive.save_to(os);
  return os.str();
}

void Controller::from_bytes(const std::string& bytes) {
  torch::serialize::InputArchive archive;
  try {
    std::istringstream is(bytes);
    archive.load_from(is);
  } catch (const c10::Error& e) {
    throw Error("ENAS controller for " + space_.name() + ": cannot read the saved controller (" +
                std::string(e.what_without_backtrace()) + ")");
  } catch (const std::exception& e) {
    throw Error("ENAS controller for " + space_.name() + ": cannot read the saved controller (" + e.what() + ")");
  }
  load(archive);
}

}  // namespace rlnas::search
