// ReplayBuffer: per-stream n-step windows feeding a preallocated ring of transitions, with a sum
// tree over priority^alpha for proportional sampling.
//
// Memory: obs and next_obs are both stored, so observations cost 2 * capacity * obs_numel *
// (1 byte compact, 4 bytes float). Sharing frames between obs and next_obs would halve that, but
// with n-step returns, several streams interleaving in the ring and episode ends, the frame a
// transition bootstraps from can be overwritten or belong to another stream; the plain copy keeps
// every slot self-contained.
#include "rlnas/rl/replay.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

#include "rlnas/core/error.h"
#include "sum_tree.h"

namespace rlnas::rl {
namespace {

std::string shape_to_string(at::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string describe(const at::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  return std::string(at::toString(t.scalar_type())) + " " + shape_to_string(t.sizes());
}

// Full precision, so that two different values never print alike in an error message.
std::string number_to_string(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

std::vector<int64_t> prepend(int64_t first, const std::vector<int64_t>& rest) {
  std::vector<int64_t> shape{first};
  shape.insert(shape.end(), rest.begin(), rest.end());
  return shape;
}

void check_shape(const std::string& where, const char* name, const at::Tensor& t, at::IntArrayRef expected) {
  if (!t.defined() || t.sizes() != expected) {
    throw Error(where + ": " + name + " must have shape " + shape_to_string(expected) + ", got " + describe(t));
  }
}

// Snapshot blobs: raw bytes of a contiguous CPU tensor region.
std::string_view bytes_of(const void* data, int64_t count) {
  return {static_cast<const char*>(data), static_cast<size_t>(count)};
}

std::string read_blob(ByteReader& in, const char* name, int64_t expected_bytes) {
  std::string blob = in.str();
  if (static_cast<int64_t>(blob.size()) != expected_bytes) {
    throw Error("ReplayBuffer::load: " + std::string(name) + " holds " + std::to_string(blob.size()) +
                " bytes, expected " + std::to_string(expected_bytes));
  }
  return blob;
}

}  // namespace

struct ReplayBuffer::Impl {
  explicit Impl(const ReplayOptions& options);

  at::Tensor storage_obs(const char* name, const at::Tensor& obs) const;
  at::Tensor storage_actions(const at::Tensor& actions) const;
  void check_indices(const std::string& where, const at::Tensor& indices) const;
  // Emits the oldest pending transition of `stream`, bootstrapping from `next_obs_row` with
  // gamma^(pending steps) when `bootstrap`, else with discount 0.
  void emit_oldest(int64_t stream, const char* next_obs_row, bool bootstrap);
  ReplayBatch batch_at(const at::Tensor& indices, at::Tensor weights) const;

  // Row k (of n_step) of a stream's pending window.
  char* pending_obs_row(int64_t stream, int64_t k) const {
    return pending_obs_data_ + (stream * options_.n_step + k) * obs_row_bytes_;
  }
  char* pending_action_row(int64_t stream, int64_t k) const {
    return pending_actions_data_ + (stream * options_.n_step + k) * action_row_bytes_;
  }

  ReplayOptions options_;
  at::ScalarType obs_dtype_;
  int64_t obs_row_bytes_;
  int64_t action_row_bytes_;

  // ring storage, preallocated once; rows [0, size_) are valid, pos_ is the next slot to write
  at::Tensor obs_, next_obs_, actions_, rewards_, discounts_;
  char* obs_data_;
  char* next_obs_data_;
  char* actions_data_;
  float* rewards_data_;
  float* discounts_data_;
  int64_t size_ = 0;
  int64_t pos_ = 0;

  // prioritized replay only
  std::optional<SumTree> tree_;
  double max_priority_ = 1.0;  // max of (p + priority_eps) so far, before the exponent

  // n-step windows: per stream a ring of up to n pending steps (obs, action, reward)
  at::Tensor pending_obs_, pending_actions_;
  char* pending_obs_data_;
  char* pending_actions_data_;
  std::vector<double> pending_rewards_;  // [num_envs * n_step]
  std::vector<int64_t> pending_head_;
  std::vector<int64_t> pending_len_;
};

ReplayBuffer::Impl::Impl(const ReplayOptions& options) : options_(options) {
  const std::string where = "ReplayBuffer";
  if (options.capacity < 1) throw Error(where + ": capacity must be >= 1, got " + std::to_string(options.capacity));
  if (options.num_envs < 1) throw Error(where + ": num_envs must be >= 1, got " + std::to_string(options.num_envs));
  for (int64_t d : options.obs_shape) {
    if (d < 1) throw Error(where + ": obs_shape dimensions must be >= 1, got " + shape_to_string(options.obs_shape));
  }
  if (options.action_dim < 0) {
    throw Error(where + ": action_dim must be 0 (discrete) or > 0 (continuous), got " +
                std::to_string(options.action_dim));
  }
  if (options.n_step < 1) throw Error(where + ": n_step must be >= 1, got " + std::to_string(options.n_step));
  if (!(options.gamma >= 0.0 && options.gamma <= 1.0)) {
    throw Error(where + ": gamma must be in [0, 1], got " + number_to_string(options.gamma));
  }
  if (!(options.alpha >= 0.0 && std::isfinite(options.alpha))) {
    throw Error(where + ": alpha must be finite and >= 0, got " + number_to_string(options.alpha));
  }
  if (!(options.priority_eps >= 0.0 && std::isfinite(options.priority_eps))) {
    throw Error(where + ": priority_eps must be finite and >= 0, got " + number_to_string(options.priority_eps));
  }

  obs_dtype_ = options.compact_obs ? at::kByte : at::kFloat;
  const auto obs_opts = at::TensorOptions().dtype(obs_dtype_);
  const bool discrete = options.action_dim == 0;
  const auto action_opts = at::TensorOptions().dtype(discrete ? at::kLong : at::kFloat);
  const auto action_row = discrete ? std::vector<int64_t>{} : std::vector<int64_t>{options.action_dim};
  const int64_t capacity = options.capacity;
  const int64_t window = options.num_envs * options.n_step;

  // at::empty, not zeros: rows past size_ are never read, and untouched pages of a large buffer
  // then cost no memory until the ring reaches them.
  obs_ = at::empty(prepend(capacity, options.obs_shape), obs_opts);
  next_obs_ = at::empty(prepend(capacity, options.obs_shape), obs_opts);
  actions_ = at::empty(prepend(capacity, action_row), action_opts);
  rewards_ = at::empty({capacity}, at::kFloat);
  discounts_ = at::empty({capacity}, at::kFloat);
  pending_obs_ = at::empty(prepend(window, options.obs_shape), obs_opts);
  pending_actions_ = at::empty(prepend(window, action_row), action_opts);

  obs_row_bytes_ = obs_.numel() / capacity * obs_.element_size();
  action_row_bytes_ = actions_.numel() / capacity * actions_.element_size();
  obs_data_ = static_cast<char*>(obs_.data_ptr());
  next_obs_data_ = static_cast<char*>(next_obs_.data_ptr());
  actions_data_ = static_cast<char*>(actions_.data_ptr());
  rewards_data_ = rewards_.data_ptr<float>();
  discounts_data_ = discounts_.data_ptr<float>();
  pending_obs_data_ = static_cast<char*>(pending_obs_.data_ptr());
  pending_actions_data_ = static_cast<char*>(pending_actions_.data_ptr());
  pending_rewards_.assign(static_cast<size_t>(window), 0.0);
  pending_head_.assign(static_cast<size_t>(options.num_envs), 0);
  pending_len_.assign(static_cast<size_t>(options.num_envs), 0);
  if (options.prioritized) tree_.emplace(capacity);
}

at::Tensor ReplayBuffer::Impl::storage_obs(const char* name, const at::Tensor& obs) const {
  const std::string where = "ReplayBuffer::add";
  check_shape(where, name, obs, prepend(options_.num_envs, options_.obs_shape));
  const auto type = obs.scalar_type();
  const bool floating = at::isFloatingType(type);
  if (!floating && type != at::kByte && type != at::kBool) {
    throw Error(where + ": " + name + " must be a float, uint8 or bool tensor, got " + describe(obs));
  }
  at::Tensor cpu = obs.detach().cpu();
  if (options_.compact_obs && floating) {
    // Checked before the cast: a float -> uint8 cast of other values would silently change them.
    const bool exact = cpu.ge(0).logical_and_(cpu.le(255)).logical_and_(cpu.eq(cpu.trunc())).all().item<bool>();
    if (!exact) {
      throw Error(where + ": compact_obs stores observations as uint8, so " + name +
                  " must hold integers in [0, 255]; found other values (set compact_obs = false)");
    }
  }
  return cpu.to(obs_dtype_).contiguous();
}

at::Tensor ReplayBuffer::Impl::storage_actions(const at::Tensor& actions) const {
  const std::string where = "ReplayBuffer::add";
  const int64_t n = options_.num_envs;
  if (options_.action_dim == 0) {
    check_shape(where, "actions", actions, {n});
    if (actions.scalar_type() != at::kLong) {
      throw Error(where + ": discrete actions must be int64 [" + std::to_string(n) + "], got " + describe(actions));
    }
    return actions.detach().cpu().contiguous();
  }
  check_shape(where, "actions", actions, {n, options_.action_dim});
  if (!at::isFloatingType(actions.scalar_type())) {
    throw Error(where + ": continuous actions must be a float tensor [" + std::to_string(n) + ", " +
                std::to_string(options_.action_dim) + "], got " + describe(actions));
  }
  return actions.detach().cpu().to(at::kFloat).contiguous();
}

void ReplayBuffer::Impl::check_indices(const std::string& where, const at::Tensor& indices) const {
  if (!indices.defined() || indices.dim() != 1 || indices.scalar_type() != at::kLong) {
    throw Error(where + ": indices must be an int64 tensor [B], got " + describe(indices));
  }
  if (indices.numel() == 0) return;
  const auto cpu = indices.cpu();
  const int64_t low = cpu.min().item<int64_t>();
  const int64_t high = cpu.max().item<int64_t>();
  if (low < 0 || high >= size_) {
    throw Error(where + ": indices must lie in [0, " + std::to_string(size_) + "), the stored transitions; found " +
                std::to_string(low < 0 ? low : high));
  }
}

void ReplayBuffer::Impl::emit_oldest(int64_t stream, const char* next_obs_row, bool bootstrap) {
  const auto s = static_cast<size_t>(stream);
  const int64_t n = options_.n_step;
  const int64_t head = pending_head_[s];
  const int64_t len = pending_len_[s];
  TORCH_INTERNAL_ASSERT(len >= 1 && len <= n, "pending window of ", len, " steps, n_step ", n);
  double ret = 0.0;
  double discount = 1.0;  // gamma^k while summing, gamma^len afterwards
  for (int64_t k = 0; k < len; ++k) {
    ret += discount * pending_rewards_[static_cast<size_t>(stream * n + (head + k) % n)];
    discount *= options_.gamma;
  }

  const int64_t slot = pos_;
  std::memcpy(obs_data_ + slot * obs_row_bytes_, pending_obs_row(stream, head), static_cast<size_t>(obs_row_bytes_));
  std::memcpy(next_obs_data_ + slot * obs_row_bytes_, next_obs_row, static_cast<size_t>(obs_row_bytes_));
  std::memcpy(actions_data_ + slot * action_row_bytes_, pending_action_row(stream, head),
              static_cast<size_t>(action_row_bytes_));
  rewards_data_[slot] = static_cast<float>(ret);
  discounts_data_[slot] = bootstrap ? static_cast<float>(discount) : 0.0f;
  if (tree_) tree_->set(slot, std::pow(max_priority_, options_.alpha));
  pos_ = (slot + 1) % options_.capacity;
  size_ = std::min(size_ + 1, options_.capacity);

  pending_head_[s] = (head + 1) % n;
  pending_len_[s] = len - 1;
}

ReplayBatch ReplayBuffer::Impl::batch_at(const at::Tensor& indices, at::Tensor weights) const {
  ReplayBatch batch;
  batch.obs = obs_.index_select(0, indices).to(at::kFloat);
  batch.actions = actions_.index_select(0, indices);
  batch.rewards = rewards_.index_select(0, indices);
  batch.next_obs = next_obs_.index_select(0, indices).to(at::kFloat);
  batch.discounts = discounts_.index_select(0, indices);
  batch.weights = std::move(weights);
  batch.indices = indices;
  return batch;
}

ReplayBuffer::ReplayBuffer(const ReplayOptions& options) : impl_(std::make_unique<Impl>(options)) {}
ReplayBuffer::~ReplayBuffer() = default;
ReplayBuffer::ReplayBuffer(ReplayBuffer&&) noexcept = default;
ReplayBuffer& ReplayBuffer::operator=(ReplayBuffer&&) noexcept = default;

int64_t ReplayBuffer::size() const { return impl_->size_; }
int64_t ReplayBuffer::capacity() const { return impl_->options_.capacity; }
const ReplayOptions& ReplayBuffer::options() const { return impl_->options_; }

void ReplayBuffer::add(const torch::Tensor& obs, const torch::Tensor& actions, const torch::Tensor& rewards,
                       const torch::Tensor& next_obs, const torch::Tensor& terminated, const torch::Tensor& truncated) {
  Impl& s = *impl_;
  const std::string where = "ReplayBuffer::add";
  const int64_t n_envs = s.options_.num_envs;
  const int64_t n = s.options_.n_step;

  // Everything is checked before the first write, so a rejected call leaves the buffer unchanged.
  const at::Tensor obs_rows = s.storage_obs("obs", obs);
  const at::Tensor next_rows = s.storage_obs("next_obs", next_obs);
  const at::Tensor action_rows = s.storage_actions(actions);
  check_shape(where, "rewards", rewards, {n_envs});
  if (!at::isFloatingType(rewards.scalar_type())) {
    throw Error(where + ": rewards must be a float tensor [" + std::to_string(n_envs) + "], got " + describe(rewards));
  }
  const at::Tensor reward_values = rewards.detach().cpu().to(at::kDouble).contiguous();
  for (const auto& [name, flags] : {std::pair{"terminated", &terminated}, std::pair{"truncated", &truncated}}) {
    check_shape(where, name, *flags, {n_envs});
    if (flags->scalar_type() != at::kBool) {
      throw Error(where + ": " + name + " must be a bool tensor [" + std::to_string(n_envs) + "], got " +
                  describe(*flags));
    }
  }
  const at::Tensor term = terminated.cpu().contiguous();
  const at::Tensor trunc = truncated.cpu().contiguous();

  const auto* obs_data = static_cast<const char*>(obs_rows.data_ptr());
  const auto* next_data = static_cast<const char*>(next_rows.data_ptr());
  const auto* action_data = static_cast<const char*>(action_rows.data_ptr());
  const double* reward_data = reward_values.data_ptr<double>();
  const bool* term_data = term.data_ptr<bool>();
  const bool* trunc_data = trunc.data_ptr<bool>();

  for (int64_t i = 0; i < n_envs; ++i) {
    const auto si = static_cast<size_t>(i);
    // append this step to the stream's window
    const int64_t k = (s.pending_head_[si] + s.pending_len_[si]) % n;
    std::memcpy(s.pending_obs_row(i, k), obs_data + i * s.obs_row_bytes_, static_cast<size_t>(s.obs_row_bytes_));
    std::memcpy(s.pending_action_row(i, k), action_data + i * s.action_row_bytes_,
                static_cast<size_t>(s.action_row_bytes_));
    s.pending_rewards_[static_cast<size_t>(i * n + k)] = reward_data[i];
    s.pending_len_[si] += 1;

    // Every pending step's return ends with this step: all of them leave the window, each
    // bootstrapping from the final observation unless the episode terminated.
    const char* next_row = next_data + i * s.obs_row_bytes_;
    if (term_data[i] || trunc_data[i]) {
      const bool bootstrap = !term_data[i];
      while (s.pending_len_[si] > 0) s.emit_oldest(i, next_row, bootstrap);
    } else if (s.pending_len_[si] == n) {
      s.emit_oldest(i, next_row, /*bootstrap=*/true);
    }
  }
}

ReplayBatch ReplayBuffer::sample(int64_t batch_size, at::Generator& gen, double beta) {
  Impl& s = *impl_;
  const std::string where = "ReplayBuffer::sample";
  if (batch_size < 1) throw Error(where + ": batch_size must be >= 1, got " + std::to_string(batch_size));
  if (s.size_ == 0) throw Error(where + ": the buffer is empty; add transitions before sampling");
  if (!(beta >= 0.0 && std::isfinite(beta))) {
    throw Error(where + ": beta must be finite and >= 0, got " + number_to_string(beta));
  }

  if (!s.tree_) {
    at::Tensor indices = at::randint(s.size_, {batch_size}, gen, at::TensorOptions().dtype(at::kLong));
    return s.batch_at(indices, at::ones({batch_size}, at::kFloat));
  }

  // Stratified proportional sampling: one uniform draw in each of batch_size equal slices of the
  // total priority mass, which spreads a batch over the distribution better than i.i.d. draws.
  const SumTree& tree = *s.tree_;
  const double total = tree.total();
  if (!(total > 0.0)) {
    throw Error(where + ": every stored priority is 0 (priority_eps is 0 and all updates were 0), nothing to draw");
  }
  const at::Tensor uniforms = at::rand({batch_size}, gen, at::TensorOptions().dtype(at::kDouble));
  const double* u = uniforms.data_ptr<double>();
  at::Tensor indices = at::empty({batch_size}, at::kLong);
  at::Tensor weights = at::empty({batch_size}, at::kFloat);
  int64_t* index_data = indices.data_ptr<int64_t>();
  float* weight_data = weights.data_ptr<float>();
  const double segment = total / static_cast<double>(batch_size);
  // Importance weights (size * P(i))^-beta, normalized by their max over this batch (as in
  // OpenAI baselines' per-batch variant and Dopamine), so they only ever scale updates down. The
  // largest weight belongs to the smallest sampled priority, so track that instead of each weight.
  double min_leaf = std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < batch_size; ++j) {
    const double mass = (static_cast<double>(j) + u[j]) * segment;
    const int64_t index = tree.find(mass);
    TORCH_INTERNAL_ASSERT(index < s.size_, "sum tree returned slot ", index, " of ", s.size_, " stored");
    index_data[j] = index;
    min_leaf = std::min(min_leaf, tree.get(index));
  }
  for (int64_t j = 0; j < batch_size; ++j) {
    // (size * p_j / total)^-beta / (size * p_min / total)^-beta = (p_j / p_min)^-beta
    weight_data[j] = static_cast<float>(std::pow(tree.get(index_data[j]) / min_leaf, -beta));
  }
  return s.batch_at(indices, weights);
}

void ReplayBuffer::update_priorities(const torch::Tensor& indices, const torch::Tensor& priorities) {
  Impl& s = *impl_;
  const std::string where = "ReplayBuffer::update_priorities";
  s.check_indices(where, indices);
  if (!priorities.defined() || priorities.dim() != 1 || !at::isFloatingType(priorities.scalar_type()) ||
      priorities.numel() != indices.numel()) {
    throw Error(where + ": priorities must be a float tensor [" + std::to_string(indices.numel()) +
                "] matching indices, got " + describe(priorities));
  }
  const at::Tensor values = priorities.detach().cpu().to(at::kDouble).contiguous();
  const at::Tensor slots = indices.cpu().contiguous();
  const double* value_data = values.data_ptr<double>();
  const int64_t* slot_data = slots.data_ptr<int64_t>();
  for (int64_t j = 0; j < values.numel(); ++j) {
    if (!(value_data[j] >= 0.0 && std::isfinite(value_data[j]))) {
      throw Error(where + ": priorities must be finite and >= 0 (e.g. |TD error|), found " +
                  number_to_string(value_data[j]) + " at position " + std::to_string(j));
    }
  }
  if (!s.tree_) return;
  for (int64_t j = 0; j < values.numel(); ++j) {
    const double p = value_data[j] + s.options_.priority_eps;
    s.tree_->set(slot_data[j], std::pow(p, s.options_.alpha));
    s.max_priority_ = std::max(s.max_priority_, p);
  }
}

ReplayBatch ReplayBuffer::gather(const torch::Tensor& indices) const {
  impl_->check_indices("ReplayBuffer::gather", indices);
  const at::Tensor cpu = indices.cpu();
  return impl_->batch_at(cpu, at::ones({cpu.numel()}, at::kFloat));
}

void ReplayBuffer::save(ByteWriter& out) const {
  const Impl& s = *impl_;
  const ReplayOptions& o = s.options_;
  out.str("ReplayBuffer");
  out.pod(o.capacity);
  out.pod(o.num_envs);
  out.pod(static_cast<int64_t>(o.obs_shape.size()));
  for (int64_t d : o.obs_shape) out.pod(d);
  out.pod(o.compact_obs);
  out.pod(o.action_dim);
  out.pod(o.n_step);
  out.pod(o.gamma);
  out.pod(o.prioritized);
  out.pod(o.alpha);
  out.pod(o.priority_eps);

  out.pod(s.size_);
  out.pod(s.pos_);
  out.pod(s.max_priority_);
  out.str(bytes_of(s.obs_data_, s.size_ * s.obs_row_bytes_));
  out.str(bytes_of(s.next_obs_data_, s.size_ * s.obs_row_bytes_));
  out.str(bytes_of(s.actions_data_, s.size_ * s.action_row_bytes_));
  out.str(bytes_of(s.rewards_data_, s.size_ * static_cast<int64_t>(sizeof(float))));
  out.str(bytes_of(s.discounts_data_, s.size_ * static_cast<int64_t>(sizeof(float))));
  if (s.tree_) {
    for (int64_t i = 0; i < s.size_; ++i) out.pod(s.tree_->get(i));
  }

  // pending windows, oldest step first
  for (int64_t i = 0; i < o.num_envs; ++i) {
    const auto si = static_cast<size_t>(i);
    out.pod(s.pending_len_[si]);
    for (int64_t k = 0; k < s.pending_len_[si]; ++k) {
      const int64_t row = (s.pending_head_[si] + k) % o.n_step;
      out.str(bytes_of(s.pending_obs_row(i, row), s.obs_row_bytes_));
      out.str(bytes_of(s.pending_action_row(i, row), s.action_row_bytes_));
      out.pod(s.pending_rewards_[static_cast<size_t>(i * o.n_step + row)]);
    }
  }
}

void ReplayBuffer::load(ByteReader& in) {
  Impl& s = *impl_;
  const ReplayOptions& o = s.options_;
  const std::string where = "ReplayBuffer::load";
  in.expect_tag("ReplayBuffer");

  // The snapshot must describe a buffer built with the same options: stored rewards depend on
  // gamma and n, stored priorities on alpha and eps, and rows on the shapes.
  auto same = [&](const char* name, auto found, auto expected) {
    if (found != expected) {
      throw Error(where + ": snapshot was saved with " + name + " = " + number_to_string(static_cast<double>(found)) +
                  ", this buffer has " + number_to_string(static_cast<double>(expected)));
    }
  };
  same("capacity", in.pod<int64_t>(), o.capacity);
  same("num_envs", in.pod<int64_t>(), o.num_envs);
  const auto obs_dims = in.pod<int64_t>();
  if (obs_dims != static_cast<int64_t>(o.obs_shape.size())) {
    throw Error(where + ": snapshot was saved with " + std::to_string(obs_dims) +
                "-dimensional observations, this buffer has obs_shape = " + shape_to_string(o.obs_shape));
  }
  std::vector<int64_t> obs_shape(o.obs_shape.size());
  for (auto& d : obs_shape) in.pod(d);
  if (obs_shape != o.obs_shape) {
    throw Error(where + ": snapshot was saved with obs_shape = " + shape_to_string(obs_shape) + ", this buffer has " +
                shape_to_string(o.obs_shape));
  }
  same("compact_obs", in.pod<bool>(), o.compact_obs);
  same("action_dim", in.pod<int64_t>(), o.action_dim);
  same("n_step", in.pod<int64_t>(), o.n_step);
  same("gamma", in.pod<double>(), o.gamma);
  same("prioritized", in.pod<bool>(), o.prioritized);
  same("alpha", in.pod<double>(), o.alpha);
  same("priority_eps", in.pod<double>(), o.priority_eps);

  const auto size = in.pod<int64_t>();
  const auto pos = in.pod<int64_t>();
  const auto max_priority = in.pod<double>();
  // A ring that has not wrapped yet writes right after its last row.
  if (size < 0 || size > o.capacity || pos < 0 || pos >= o.capacity || (size < o.capacity && pos != size)) {
    throw Error(where + ": inconsistent ring position: size " + std::to_string(size) + ", write position " +
                std::to_string(pos) + ", capacity " + std::to_string(o.capacity));
  }
  if (!(max_priority > 0.0 && std::isfinite(max_priority))) {
    throw Error(where + ": max priority must be finite and > 0, found " + number_to_string(max_priority));
  }
  // Read everything before touching the buffer, so a bad snapshot leaves it as it was.
  const std::string obs = read_blob(in, "obs", size * s.obs_row_bytes_);
  const std::string next_obs = read_blob(in, "next_obs", size * s.obs_row_bytes_);
  const std::string actions = read_blob(in, "actions", size * s.action_row_bytes_);
  const std::string rewards = read_blob(in, "rewards", size * static_cast<int64_t>(sizeof(float)));
  const std::string discounts = read_blob(in, "discounts", size * static_cast<int64_t>(sizeof(float)));
  std::vector<double> leaves;
  if (o.prioritized) {
    leaves.resize(static_cast<size_t>(size));
    for (auto& leaf : leaves) {
      in.pod(leaf);
      if (!(leaf >= 0.0 && std::isfinite(leaf))) {
        throw Error(where + ": stored priorities must be finite and >= 0, found " + number_to_string(leaf));
      }
    }
  }
  struct Pending {
    std::vector<std::string> obs, actions;
    std::vector<double> rewards;
  };
  std::vector<Pending> pending(static_cast<size_t>(o.num_envs));
  for (int64_t i = 0; i < o.num_envs; ++i) {
    const auto len = in.pod<int64_t>();
    // add() emits a window as soon as it holds n steps, so at most n - 1 are ever pending.
    if (len < 0 || len >= o.n_step) {
      throw Error(where + ": stream " + std::to_string(i) + " has " + std::to_string(len) +
                  " pending steps, expected 0 to " + std::to_string(o.n_step - 1));
    }
    auto& p = pending[static_cast<size_t>(i)];
    for (int64_t k = 0; k < len; ++k) {
      p.obs.push_back(read_blob(in, "pending obs", s.obs_row_bytes_));
      p.actions.push_back(read_blob(in, "pending action", s.action_row_bytes_));
      p.rewards.push_back(in.pod<double>());
    }
  }

  // commit
  std::memcpy(s.obs_data_, obs.data(), obs.size());
  std::memcpy(s.next_obs_data_, next_obs.data(), next_obs.size());
  std::memcpy(s.actions_data_, actions.data(), actions.size());
  std::memcpy(s.rewards_data_, rewards.data(), rewards.size());
  std::memcpy(s.discounts_data_, discounts.data(), discounts.size());
  s.size_ = size;
  s.pos_ = pos;
  s.max_priority_ = max_priority;
  if (s.tree_) s.tree_->assign(leaves);
  for (int64_t i = 0; i < o.num_envs; ++i) {
    const auto si = static_cast<size_t>(i);
    const auto& p = pending[si];
    s.pending_head_[si] = 0;
    s.pending_len_[si] = static_cast<int64_t>(p.rewards.size());
    for (size_t k = 0; k < p.rewards.size(); ++k) {
      const auto ki = static_cast<int64_t>(k);
      std::memcpy(s.pending_obs_row(i, ki), p.obs[k].data(), p.obs[k].size());
      std::memcpy(s.pending_action_row(i, ki), p.actions[k].data(), p.actions[k].size());
      s.pending_rewards_[static_cast<size_t>(i * o.n_step + ki)] = p.rewards[k];
    }
  }
}

torch::Tensor project_distribution(const torch::Tensor& next_probs, const torch::Tensor& rewards,
                                   const torch::Tensor& discounts, double v_min, double v_max) {
  const std::string where = "project_distribution";
  if (!next_probs.defined() || next_probs.dim() != 2 || next_probs.size(1) < 2 ||
      !at::isFloatingType(next_probs.scalar_type())) {
    throw Error(where + ": next_probs must be a float tensor [B, K] with K >= 2 atoms, got " + describe(next_probs));
  }
  const int64_t batch = next_probs.size(0);
  const int64_t atoms = next_probs.size(1);
  check_shape(where, "rewards", rewards, {batch});
  check_shape(where, "discounts", discounts, {batch});
  if (!(std::isfinite(v_min) && std::isfinite(v_max) && v_min < v_max)) {
    throw Error(where + ": expected finite v_min < v_max, got v_min = " + number_to_string(v_min) +
                ", v_max = " + number_to_string(v_max));
  }

  // In double, so that a target landing exactly on an atom gives an integral b and floor == ceil.
  const auto opts = next_probs.options().dtype(at::kDouble);
  const double dz = (v_max - v_min) / static_cast<double>(atoms - 1);
  const at::Tensor z = at::arange(atoms, opts) * dz + v_min;
  const at::Tensor tz =
      (rewards.to(opts).unsqueeze(1) + discounts.to(opts).unsqueeze(1) * z.unsqueeze(0)).clamp(v_min, v_max);
  // The clamp to [0, K-1] guards against (v_max - v_min) / dz rounding to just above K - 1.
  const at::Tensor b = ((tz - v_min) / dz).clamp(0.0, static_cast<double>(atoms - 1));
  const at::Tensor lower = b.floor();
  const at::Tensor upper = b.ceil();
  // The upper neighbour gets b - floor(b), the lower one the rest: for integral b that is all of
  // the mass on the atom itself (the u - b / b - l split would drop it).
  const at::Tensor upper_share = b - lower;
  const at::Tensor probs = next_probs.to(at::kDouble);
  at::Tensor target = at::zeros({batch, atoms}, opts);
  target.scatter_add_(1, lower.to(at::kLong), probs * (1.0 - upper_share));
  target.scatter_add_(1, upper.to(at::kLong), probs * upper_share);
  return target.to(next_probs.scalar_type());
}

}  // namespace rlnas::rl
