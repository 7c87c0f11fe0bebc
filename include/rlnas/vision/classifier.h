// Image classification, the supervised workload (workload: supervised, --dataset NAME): a network
// of any kind rlnas builds (a backbone or a space's architecture) with a linear classifier head,
// trained with cross-entropy and SGD (Nesterov momentum, weight decay, cosine learning rate per
// minibatch) for a budget of epochs, selected on validation accuracy (a seeded split of the
// official training set) and reported on the official test set.
//
// Supernets (net.supernet, net.mixed) train the same way, in the supervised form their papers used:
// a single-path supernet runs one path per minibatch, drawn uniformly (SPOS) or by
// options.path_sampler (ENAS), which is rewarded with the path's accuracy on the next validation
// minibatch; a mixed supernet (DARTS softmax, GDAS Gumbel) steps its weights on the training
// minibatch and alpha on the next validation minibatch (first-order bi-level, arch.level bi, the
// default here; arch.level one steps both on the training minibatch), and writes alpha.jsonl with
// every epoch's line. The validation minibatches cycle through the validation images in order.
//
// Accuracies are written in percent (metrics.jsonl, eval.json, a trial's result.json).
//
//   run dir: config.json, metrics.jsonl (one line per epoch: "step" = epochs done), checkpoint.ckpt
//            (every supervised.checkpoint_batches minibatches, every epoch's end, on a stop: the
//            position inside the epoch is in it, so a resume continues exactly), eval.json (test)
#pragma once

#include <atomic>
#include <memory>
#include <cstdint>
#include <string>
#include <vector>

#include "rlnas/rl/trainer.h"
#include "rlnas/space/architecture.h"

namespace rlnas::vision {

struct Accuracy {
  double accuracy = 0;  // fraction correct
  double loss = 0;      // mean cross-entropy
  int64_t images = 0;
};

struct ClassifierResult {
  std::string run_dir;
  int64_t epochs = 0;   // whole epochs done
  int64_t batches = 0;  // minibatches done in all
  bool interrupted = false;
  Accuracy train;       // of the last epoch's minibatches (as trained, augmentation included)
  Accuracy validation;  // after the last epoch
  Accuracy test;        // the official test set, after the budget (not computed when interrupted)
  double seconds = 0;   // training wall-clock over all sessions
};

// The input shape ({1, H, W}) and number of classes of a configuration's dataset (loads it).
std::vector<int64_t> input_shape(const rl::TrainConfig& config);
int64_t num_classes(const rl::TrainConfig& config);

// Training images per epoch of a configuration (the split's training part, after train_images).
int64_t train_images(const rl::TrainConfig& config);

// Trains (or resumes: options.resume) the classifier of `config` into options.run_dir. Uses
// run_dir, resume, quiet, progress_seconds, stop, stop_after_batches and path_sampler of `options`.
ClassifierResult train_classifier(const rl::TrainConfig& config, const rl::TrainOptions& options);

// The trained classifier of a run on its dataset's "test" or "validation" images.
Accuracy evaluate_run(const std::string& run_dir, const rl::TrainConfig& config, const std::string& split);

// The single-path supernet trained in a run, scoring paths by their accuracy (percent) on the first
// `images` validation images with the inherited weights (SPOS's proxy on images).
class PathScorer {
 public:
  PathScorer(const std::string& run_dir, const rl::TrainConfig& config, int64_t images);
  ~PathScorer();
  Accuracy score(const space::Architecture& path);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rlnas::vision
