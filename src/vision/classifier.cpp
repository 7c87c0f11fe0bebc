// The supervised workload's training loop (classifier.h).
#include "rlnas/rl/workloads.h"
#include "rlnas/vision/classifier.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/log.h"
#include "rlnas/core/sha256.h"
#include "rlnas/data/idx.h"
#include "rlnas/core/rng.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/rl/arch.h"
#include "rlnas/space/mixed.h"
#include "rlnas/space/space.h"
#include "rlnas/space/supernet.h"

namespace rlnas::vision {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

using rl::format_duration;
using rl::kAlphaFile;
using rl::kCheckpointFile;
using rl::kEvalFile;
using rl::kMetricsFile;

namespace {

constexpr const char* kAlgo = "sgd";
constexpr int64_t kEvalBatch = 1000;
constexpr int64_t kCropPadding = 2;

// A dataset's images as normalised float tensors [N, 1, H, W] (the training split's pixel mean and
// standard deviation) and int64 labels [N], for the training and validation parts of the split and
// the official test set.
struct Part {
  torch::Tensor x, y;
  int64_t size() const { return x.size(0); }
};
struct Prepared {
  data::ImageDataset dataset;  // images freed once the tensors exist
  data::PixelStats stats;
  Part train, validation, test;
  std::vector<int64_t> input_shape;
  int64_t classes = 0;
};

Part gather(const data::IdxArray& images, const data::IdxArray& labels, const std::vector<int64_t>& indices,
            const data::PixelStats& stats) {
  const int64_t n = images.count(), h = images.dims.at(1), w = images.dims.at(2);
  const auto all = torch::from_blob(const_cast<uint8_t*>(images.values.data()), {n, h, w}, torch::kUInt8);
  const auto all_labels = torch::from_blob(const_cast<uint8_t*>(labels.values.data()), {n}, torch::kUInt8);
  const auto index = torch::tensor(indices, torch::kInt64);
  Part p;
  p.x = ((all.index_select(0, index).to(torch::kFloat32) / 255.0 - stats.mean) / stats.std).unsqueeze(1).contiguous();
  p.y = all_labels.index_select(0, index).to(torch::kInt64);
  return p;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

// Loaded once per process and configuration of the data (a search's in-process trials share it).
std::shared_ptr<const Prepared> prepare(const rl::SupervisedOptions& o) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Prepared>> cache;
  const std::string key = o.dataset + "|" + std::to_string(o.validation_images) + "|" + std::to_string(o.split_seed) +
                          "|" + std::to_string(o.train_images);
  std::lock_guard<std::mutex> guard(mutex);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  auto p = std::make_shared<Prepared>();
  p->dataset = data::load_image_dataset(o.dataset);
  const int64_t n = p->dataset.train_images.count();
  if (o.validation_images >= n) {
    throw Error("supervised.validation_images: expected fewer than the " + std::to_string(n) + " training images of " +
                o.dataset + ", found " + std::to_string(o.validation_images));
  }
  const auto split = data::split_train_validation(n, o.validation_images, static_cast<uint32_t>(o.split_seed),
                                                  o.train_images);
  p->stats = data::pixel_stats(p->dataset.train_images, split.train);
  p->train = gather(p->dataset.train_images, p->dataset.train_labels, split.train, p->stats);
  p->validation = gather(p->dataset.train_images, p->dataset.train_labels, split.validation, p->stats);
  p->test = gather(p->dataset.test_images, p->dataset.test_labels, iota(p->dataset.test_images.count()), p->stats);
  p->input_shape = {1, p->dataset.height, p->dataset.width};
  p->classes = p->dataset.classes;
  p->dataset.train_images = {};
  p->dataset.test_images = {};
  cache[key] = p;
  return p;
}

// The terms DARTS's virtual weight step adds to the training gradient (second order): weight decay
// and, once SGD has one, the momentum buffer times the momentum (plain momentum, as DARTS's code
// does; our SGD's Nesterov correction is left out of the approximation). The optimizer state's key
// is a string in LibTorch 1.x and the tensor's address in 2.x.
template <class Key>
Key optimizer_state_key(const torch::Tensor& w) {
  if constexpr (std::is_same_v<Key, std::string>) {
    return c10::guts::to_string(w.unsafeGetTensorImpl());
  } else {
    return w.unsafeGetTensorImpl();
  }
}

std::vector<torch::Tensor> sgd_step_terms(torch::optim::SGD& optimizer, const std::vector<torch::Tensor>& weights,
                                          double momentum, double weight_decay) {
  auto& state = optimizer.state();
  using Key = typename std::decay_t<decltype(state)>::key_type;
  std::vector<torch::Tensor> out;
  out.reserve(weights.size());
  for (const auto& w : weights) {
    auto term = (weight_decay * w).detach();
    if (const auto it = state.find(optimizer_state_key<Key>(w)); momentum > 0 && it != state.end()) {
      const auto& buffer = static_cast<torch::optim::SGDParamState&>(*it->second).momentum_buffer();
      if (buffer.defined()) term = term + momentum * buffer;
    }
    out.push_back(term);
  }
  return out;
}

// A backbone (any network rlnas builds) and a linear layer to the classes' logits.
class ClassifierImpl : public torch::nn::Module {
 public:
  ClassifierImpl(const nn::NetOptions& net, const std::vector<int64_t>& input_shape, int64_t classes) {
    body_ = register_module("body", nn::make_backbone(net, input_shape));
    head_ = register_module("head", torch::nn::Linear(body_->feature_dim(), classes));
  }
  torch::Tensor forward(const torch::Tensor& x) { return head_->forward(body_->forward(x)); }

 private:
  nn::Backbone body_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(Classifier);

Classifier build(const rl::TrainConfig& config, const Prepared& data, const torch::Device& device) {
  torch::manual_seed(static_cast<uint64_t>(config.seed));  // weight initialisation
  space::MixOptions mix;
  mix.hard = config.arch.hard;
  mix.freeze = config.arch.freeze;
  mix.seed = static_cast<uint64_t>(config.seed);
  Classifier model(config.net.net_options(mix), data.input_shape, data.classes);
  model->to(device);
  return model;
}

std::string identity(const rl::TrainConfig& config, const Prepared& data) {
  return std::string("workload=supervised dataset=") + config.supervised.dataset + " input=" +
         std::to_string(data.input_shape[0]) + "x" + std::to_string(data.input_shape[1]) + "x" +
         std::to_string(data.input_shape[2]) + " classes=" + std::to_string(data.classes) +
         config.net.identity(config.arch.hard);
}

// Seeds of the data order and augmentation, from the run's seed and the position: a resumed run
// draws exactly what an uninterrupted one would.
uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ULL + b + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

torch::Tensor augment(torch::Tensor x, const std::string& how, uint64_t seed, float pad_value) {
  if (how == "none") return x;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t b = x.size(0), h = x.size(2), w = x.size(3);
  if (how == "crop" || how == "crop+flip") {
    const auto padded = torch::constant_pad_nd(x, {kCropPadding, kCropPadding, kCropPadding, kCropPadding}, pad_value);
    const auto offsets = torch::randint(0, 2 * kCropPadding + 1, {b, 2}, gen, torch::kInt64);
    auto out = torch::empty_like(x);
    const auto* o = offsets.data_ptr<int64_t>();
    for (int64_t i = 0; i < b; ++i) {
      out[i].copy_(padded[i].narrow(1, o[2 * i], h).narrow(2, o[2 * i + 1], w));
    }
    x = out;
  }
  if (how == "flip" || how == "crop+flip") {
    const auto flip = torch::rand({b}, gen) < 0.5;
    x = torch::where(flip.view({b, 1, 1, 1}).to(x.device()), x.flip({3}), x);
  }
  return x;
}

// Loss and accuracy on a split. A single-path supernet (`supernets` not empty) runs a path drawn
// uniformly for every evaluation batch (seeded by `path_seed`): its figure is the mean over paths,
// not one path's.
Accuracy evaluate(Classifier& model, const Part& part, const torch::Device& device,
                  const std::vector<space::Supernet>& supernets = {}, uint64_t path_seed = 0) {
  torch::NoGradGuard no_grad;
  model->eval();
  double loss = 0;
  int64_t correct = 0;
  Mt19937 rng(static_cast<uint32_t>(path_seed));
  for (int64_t start = 0; start < part.size(); start += kEvalBatch) {
    const int64_t n = std::min(kEvalBatch, part.size() - start);
    if (!supernets.empty()) {
      const auto path = supernets.front()->space().sample(rng);
      for (const auto& net : supernets) net->set_path(path);
    }
    const auto x = part.x.narrow(0, start, n).to(device), y = part.y.narrow(0, start, n).to(device);
    const auto logits = model->forward(x);
    loss += torch::nn::functional::cross_entropy(
                logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  model->train();
  Accuracy a;
  a.images = part.size();
  if (a.images > 0) {
    a.loss = loss / static_cast<double>(a.images);
    a.accuracy = static_cast<double>(correct) / static_cast<double>(a.images);
  }
  return a;
}

// Loss and accuracy of one batch.
std::pair<torch::Tensor, torch::Tensor> batch_loss(Classifier& model, const torch::Tensor& x, const torch::Tensor& y) {
  const auto logits = model->forward(x);
  return {torch::nn::functional::cross_entropy(logits, y), logits.argmax(1).eq(y).to(torch::kFloat64).mean()};
}


ordered_json accuracy_json(const Accuracy& a) {
  return {{"accuracy", 100 * a.accuracy}, {"loss", a.loss}, {"images", a.images}};
}

}  // namespace

std::vector<int64_t> input_shape(const rl::TrainConfig& config) { return prepare(config.supervised)->input_shape; }
int64_t num_classes(const rl::TrainConfig& config) { return prepare(config.supervised)->classes; }
int64_t train_images(const rl::TrainConfig& config) { return prepare(config.supervised)->train.size(); }

ClassifierResult train_classifier(const rl::TrainConfig& config, const rl::TrainOptions& options) {
  if (rl::workload_of(config).kind != rl::WorkloadKind::supervised) {
    throw Error("train_classifier: the configuration's workload is '" + config.workload + "', not supervised");
  }
  const auto& o = config.supervised;
  const fs::path dir(options.run_dir);
  const auto ckpt_path = (dir / kCheckpointFile).string();
  rl::check_run_folder(config, options);
  const auto data = prepare(o);
  const torch::Device device = rl::parse_device(config.device);
  Classifier model = build(config, *data, device);  // a network that cannot be built leaves no run folder
  const std::string ident = identity(config, *data);
  const std::vector<std::string> logs = {(dir / kMetricsFile).string(), (dir / kAlphaFile).string()};
  const rl::RunFolder folder = rl::open_run_folder(config, options, logs);
  // Supernets: the single-path ones' paths, a mixed one's alpha (its own Adam; SGD gets the rest).
  const auto supernets = space::find_supernets(*model);
  const auto mixed = space::find_mixed_supernets(*model);
  rl::ArchUpdater arch(config.arch, {model.get()});
  rl::PathSampler* sampler = supernets.empty() ? nullptr : options.path_sampler;
  torch::optim::SGD optimizer(
      arch.active() ? arch.weights_of(*model) : model->parameters(),
      torch::optim::SGDOptions(o.lr).momentum(o.momentum).nesterov(o.nesterov).weight_decay(o.weight_decay));
  const double grad_clip = o.clip(config.net.is_supernet());
  const int64_t n_val = data->validation.size();
  // The validation minibatch after `batches_done` minibatches (ENAS's reward, DARTS's alpha step).
  const auto validation_batch = [&](int64_t batches_done) {
    const int64_t first = (batches_done * o.batch_size) % n_val;
    const int64_t count = std::min(o.batch_size, n_val - first);
    return std::pair{data->validation.x.narrow(0, first, count).to(device),
                     data->validation.y.narrow(0, first, count).to(device)};
  };
  const int64_t n = data->train.size();
  const int64_t per_epoch = (n + o.batch_size - 1) / o.batch_size;
  const int64_t total = per_epoch * config.steps;
  // Minibatch t's rate: a linear warmup over the first warmup x total minibatches (deep nets
  // without batch normalisation otherwise die early at some seeds), times the cosine decay to 0.
  const double warmup = std::ceil(o.warmup * static_cast<double>(total));
  const auto learning_rate = [&](int64_t t) {
    const double cosine = 0.5 * o.lr * (1.0 + std::cos(M_PI * static_cast<double>(t) / static_cast<double>(total)));
    return warmup > 0 ? cosine * std::min(1.0, static_cast<double>(t + 1) / warmup) : cosine;
  };
  // Position and the current epoch's sums (loss, correct, images), saved in every checkpoint.
  int64_t epoch = 0, batch = 0, done = 0;
  double loss_sum = 0, elapsed_before = 0;
  int64_t correct = 0, seen = 0;
  int64_t metrics_lines = 0;
  Sha256 metrics_hash;
  Accuracy last_validation;
  if (folder.resume) {
    const auto ckpt = rl::read_checkpoint(ckpt_path);
    rl::check_identity(ckpt, ident, ckpt_path);
    std::istringstream is(ckpt.payload);
    torch::serialize::InputArchive archive, model_archive, optimizer_archive;
    archive.load_from(is, device);
    archive.read("model", model_archive);
    model->load(model_archive);
    archive.read("optimizer", optimizer_archive);
    optimizer.load(optimizer_archive);
    if (arch.active()) {
      torch::serialize::InputArchive arch_archive;
      archive.read("arch", arch_archive);
      arch.load(arch_archive);
    }
    if (sampler) {
      torch::serialize::InputArchive sampler_archive;
      archive.read("path_sampler", sampler_archive);
      sampler->load(sampler_archive);
    }
    torch::Tensor position, sums;
    archive.read("position", position);
    archive.read("sums", sums);
    epoch = position[0].item<int64_t>();
    batch = position[1].item<int64_t>();
    done = position[2].item<int64_t>();
    correct = position[3].item<int64_t>();
    seen = position[4].item<int64_t>();
    loss_sum = sums[0].item<double>();
    elapsed_before = sums[1].item<double>();
    last_validation = {sums[2].item<double>(), sums[3].item<double>(), position[5].item<int64_t>()};
    std::tie(metrics_lines, metrics_hash) = rl::cut_logs_to(logs, epoch);
    log::info("resuming " + options.run_dir + " at epoch " + std::to_string(epoch + 1) + ", minibatch " +
              std::to_string(batch) + " of " + std::to_string(per_epoch));
  }

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  io::AppendFile metrics((dir / kMetricsFile).string());
  std::optional<io::AppendFile> alpha_log;
  if (!mixed.empty()) alpha_log.emplace((dir / kAlphaFile).string());
  auto save = [&] {
    metrics.sync();
    if (alpha_log) alpha_log->sync();
    const double elapsed = elapsed_before + std::chrono::duration<double>(Clock::now() - start).count();
    torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
    model->save(model_archive);
    optimizer.save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    if (arch.active()) {
      torch::serialize::OutputArchive arch_archive;
      arch.save(arch_archive);
      archive.write("arch", arch_archive);
    }
    if (sampler) {
      torch::serialize::OutputArchive sampler_archive;
      sampler->save(sampler_archive);
      archive.write("path_sampler", sampler_archive);
    }
    archive.write("position", torch::tensor({epoch, batch, done, correct, seen, last_validation.images}, torch::kInt64));
    archive.write("sums", torch::tensor({loss_sum, elapsed, last_validation.accuracy, last_validation.loss},
                                        torch::kFloat64));
    std::ostringstream os;
    archive.save_to(os);
    rl::write_checkpoint(ckpt_path,
                         {kAlgo, ident, epoch, config.to_json().dump(), folder.nonce, metrics_lines,
                          Sha256(metrics_hash).hex_digest()},
                         os.str());
  };

  ClassifierResult result;
  result.run_dir = options.run_dir;
  const float pad_value = static_cast<float>((0.0 - data->stats.mean) / data->stats.std);
  // Throughput, on the clock of this session: training images per second of minibatch steps (the
  // epoch's line: that epoch's steps), evaluation images per second of evaluation.
  int64_t images_this_session = 0, epoch_images = 0;
  double epoch_seconds = 0;
  auto last_progress = start;
  torch::Tensor order;
  model->train();
  while (epoch < config.steps) {
    if (!order.defined() || batch == 0) {  // a new epoch, or a resume inside one
      auto gen = at::make_generator<at::CPUGeneratorImpl>(mix(static_cast<uint64_t>(config.seed), epoch));
      order = torch::randperm(n, gen, torch::kInt64);
    }
    bool stopped = false;
    epoch_images = 0;
    epoch_seconds = 0;
    while (batch < per_epoch) {
      const auto step_start = Clock::now();
      if ((options.stop && options.stop->load()) ||
          (options.stop_after_batches && done >= *options.stop_after_batches)) {
        stopped = true;
        break;
      }
      const int64_t first = batch * o.batch_size, count = std::min(o.batch_size, n - first);
      const auto index = order.narrow(0, first, count);
      auto x = data->train.x.index_select(0, index);
      const auto y = data->train.y.index_select(0, index).to(device);
      x = augment(x, o.augment, mix(mix(static_cast<uint64_t>(config.seed), epoch), batch + 1), pad_value).to(device);
      const double lr = learning_rate(done);
      for (auto& group : optimizer.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      if (!supernets.empty()) {
        space::Architecture path;
        if (sampler) {
          path = sampler->next(done);
        } else {
          Mt19937 rng(static_cast<uint32_t>(mix(static_cast<uint64_t>(config.seed), static_cast<uint64_t>(done))));
          path = supernets.front()->space().sample(rng);
        }
        for (const auto& net : supernets) net->set_path(path);
      }
      if (arch.active()) {
        arch.begin_iteration(done, total);
        if (arch.second_order()) {  // alpha first, on the validation loss after a virtual weight step
          const auto validation = validation_batch(done);
          const auto weights = arch.weights_of(*model);
          arch.step_unrolled(
              weights, [&] { return torch::nn::functional::cross_entropy(model->forward(x), y); },
              [&] { return batch_loss(model, validation.first, validation.second).first; }, lr,
              sgd_step_terms(optimizer, weights, o.momentum, o.weight_decay));
        } else if (arch.bilevel()) {  // alpha first, on validation data, with the weights fixed
          const auto [xv, yv] = validation_batch(done);
          arch.step_alone(batch_loss(model, xv, yv).first);
        }
      }
      optimizer.zero_grad();
      const auto logits = model->forward(x);
      const auto loss = torch::nn::functional::cross_entropy(logits, y);
      (arch.active() ? arch.weight_loss(loss) : loss).backward();
      if (grad_clip > 0) {
        for (const auto& group : optimizer.param_groups()) torch::nn::utils::clip_grad_norm_(group.params(), grad_clip);
      }
      optimizer.step();
      if (arch.active()) arch.after_weight_step();
      if (sampler) {  // the path's reward: its accuracy on the next validation minibatch
        const auto [xv, yv] = validation_batch(done);
        rl::IterationReturns r;
        {  // no graph for the reward; the sampler's own update (ENAS's controller) needs gradients
          torch::NoGradGuard no_grad;
          r.episode_return = r.rollout_return = 100 * batch_loss(model, xv, yv).second.item<double>();
        }
        r.episodes = 1;
        r.steps = count;
        sampler->observe(supernets.front()->path(), r, done + 1);
      }
      loss_sum += loss.item<double>() * static_cast<double>(count);
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      seen += count;
      ++batch;
      ++done;
      images_this_session += count;
      epoch_images += count;
      epoch_seconds += std::chrono::duration<double>(Clock::now() - step_start).count();
      const double now = std::chrono::duration<double>(Clock::now() - start).count();
      if (!options.quiet &&
          std::chrono::duration<double>(Clock::now() - last_progress).count() >= options.progress_seconds) {
        last_progress = Clock::now();
        const double rate = now > 0 ? static_cast<double>(images_this_session) / now : 0.0;
        const double left = rate > 0 ? static_cast<double>((total - done) * o.batch_size) / rate : 0.0;
        char buf[256];
        std::snprintf(buf, sizeof buf, "%5.1f%%  epoch %lld/%lld  minibatch %lld/%lld  loss %.4f  accuracy %.2f%%  %.0f images/s  eta %s",
                      100.0 * static_cast<double>(done) / static_cast<double>(total), static_cast<long long>(epoch + 1),
                      static_cast<long long>(config.steps), static_cast<long long>(batch),
                      static_cast<long long>(per_epoch), loss_sum / static_cast<double>(std::max<int64_t>(seen, 1)),
                      100.0 * static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(seen, 1)), rate,
                      format_duration(left).c_str());
        log::info(buf);
      }
      if (batch < per_epoch && batch % o.checkpoint_batches == 0) save();
    }
    if (stopped) break;
    // The epoch's line: its minibatches as trained, then the validation images.
    result.train = {static_cast<double>(correct) / static_cast<double>(seen), loss_sum / static_cast<double>(seen), seen};
    const auto eval_start = Clock::now();
    last_validation = evaluate(model, data->validation, device, supernets,
                               mix(mix(static_cast<uint64_t>(config.seed), static_cast<uint64_t>(epoch)), 0x5eed));
    const double eval_seconds = std::chrono::duration<double>(Clock::now() - eval_start).count();
    const double now = std::chrono::duration<double>(Clock::now() - start).count();
    ordered_json line = {{"step", epoch + 1},
                         {"time", elapsed_before + now},
                         {"train_loss", result.train.loss},
                         {"train_accuracy", 100 * result.train.accuracy},
                         {"validation_loss", last_validation.loss},
                         {"validation_accuracy", 100 * last_validation.accuracy},
                         {"lr", learning_rate(std::min(done, total - 1))},
                         {"images_per_s", epoch_seconds > 0 ? static_cast<double>(epoch_images) / epoch_seconds : 0.0},
                         {"eval_images_per_s",
                          eval_seconds > 0 ? static_cast<double>(last_validation.images) / eval_seconds : 0.0}};
    line["minibatches"] = done;
    if (arch.active()) {
      for (const auto& [k, v] : arch.metrics()) line[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    }
    const std::string text = line.dump() + "\n";
    metrics.write(text);
    ++metrics_lines;
    metrics_hash.update(text);
    if (alpha_log) {
      ordered_json a = {{"step", epoch + 1}};
      const auto snapshot = mixed.front()->snapshot();
      for (const auto& [k, v] : snapshot.items()) a[k] = v;
      alpha_log->write_line(a.dump());
    }
    if (!options.quiet) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "epoch %lld/%lld: training loss %.4f accuracy %.2f%%, validation loss %.4f accuracy %.2f%%",
                    static_cast<long long>(epoch + 1), static_cast<long long>(config.steps), result.train.loss,
                    100 * result.train.accuracy, last_validation.loss, 100 * last_validation.accuracy);
      log::info(buf);
    }
    ++epoch;
    batch = 0;
    loss_sum = 0;
    correct = 0;
    seen = 0;
    save();
  }
  if (epoch < config.steps) {
    result.interrupted = true;
    save();
  }
  metrics.close();
  if (alpha_log) alpha_log->close();
  result.epochs = epoch;
  result.batches = done;
  result.validation = last_validation;
  result.seconds = elapsed_before + std::chrono::duration<double>(Clock::now() - start).count();
  if (result.interrupted) {
    log::info("stopped at epoch " + std::to_string(epoch + 1) + ", minibatch " + std::to_string(batch) +
              "; continue with: rlnas train --resume " + options.run_dir);
    return result;
  }
  // A supernet is many networks: no test figure (its architectures are retrained and tested).
  ordered_json e = {{"split", "test"}};
  if (!config.net.is_supernet()) {
    result.test = evaluate(model, data->test, device);
    e["test"] = accuracy_json(result.test);
  }
  e["validation"] = accuracy_json(result.validation);
  io::write_file_atomic((dir / kEvalFile).string(), e.dump(2) + "\n", io::Target::own);
  return result;
}

namespace {

// The classifier of a run with the weights of its checkpoint (identity checked).
Classifier load_trained(const std::string& run_dir, const rl::TrainConfig& config, const Prepared& data,
                        const torch::Device& device) {
  Classifier model = build(config, data, device);
  const auto path = (fs::path(run_dir) / kCheckpointFile).string();
  const auto ckpt = rl::read_checkpoint(path);
  rl::check_identity(ckpt, identity(config, data), path);
  std::istringstream is(ckpt.payload);
  torch::serialize::InputArchive archive, model_archive;
  archive.load_from(is, device);
  archive.read("model", model_archive);
  model->load(model_archive);
  return model;
}

}  // namespace

Accuracy evaluate_run(const std::string& run_dir, const rl::TrainConfig& config, const std::string& split) {
  if (split != "test" && split != "validation") {
    throw Error("evaluate_run: split: expected test or validation, found '" + split + "'");
  }
  const auto data = prepare(config.supervised);
  const torch::Device device = rl::parse_device(config.device);
  Classifier model = load_trained(run_dir, config, *data, device);
  return evaluate(model, split == "test" ? data->test : data->validation, device);
}

struct PathScorer::State {
  std::shared_ptr<const Prepared> data;
  torch::Device device = torch::kCPU;
  Classifier model{nullptr};
  std::vector<space::Supernet> supernets;
  Part images;
};

PathScorer::PathScorer(const std::string& run_dir, const rl::TrainConfig& config, int64_t images)
    : state_(std::make_unique<State>()) {
  auto& s = *state_;
  if (!config.net.is_single_path()) {
    throw Error("'" + run_dir + "' trained one network, not a single-path supernet (net.supernet)");
  }
  s.data = prepare(config.supervised);
  s.device = rl::parse_device(config.device);
  s.model = load_trained(run_dir, config, *s.data, s.device);
  s.supernets = space::find_supernets(*s.model);
  if (s.supernets.empty()) throw Error("'" + run_dir + "': no supernet inside the trained network");
  const int64_t n = std::min(images, s.data->validation.size());
  s.images = {s.data->validation.x.narrow(0, 0, n), s.data->validation.y.narrow(0, 0, n)};
}

PathScorer::~PathScorer() = default;

Accuracy PathScorer::score(const space::Architecture& path) {
  auto& s = *state_;
  for (const auto& net : s.supernets) net->set_path(path);
  auto a = evaluate(s.model, s.images, s.device);
  a.accuracy *= 100;
  return a;
}

}  // namespace rlnas::vision
