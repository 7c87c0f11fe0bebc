// Image classification, the supervised workload (workload: supervised, --dataset NAME): a network
// of any kind rlnas builds (a backbone or a space's architecture) with a linear classifier head,
// trained with cross-entropy and SGD (Nesterov momentum, weight decay, cosine learning rate per
// minibatch) for a budget of epochs, selected on validation accuracy (a seeded split of the
// official training set) and reported on the official test set.
//
// Accuracies are written in percent (metrics.jsonl, eval.json, a trial's result.json).
//
//   run dir: config.json, metrics.jsonl (one line per epoch: "step" = epochs done), checkpoint.ckpt
//            (every supervised.checkpoint_batches minibatches, every epoch's end, on a stop: the
//            position inside the epoch is in it, so a resume continues exactly), eval.json (test)
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "rlnas/rl/trainer.h"

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

// Trains (or resumes: options.resume) the classifier of `config` into options.run_dir. Uses
// run_dir, resume, quiet, progress_seconds, stop and stop_after_batches of `options`.
ClassifierResult train_classifier(const rl::TrainConfig& config, const rl::TrainOptions& options);

// The trained classifier of a run on its dataset's "test" or "validation" images.
Accuracy evaluate_run(const std::string& run_dir, const rl::TrainConfig& config, const std::string& split);

}  // namespace rlnas::vision
