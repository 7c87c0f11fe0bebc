// The options of the supervised image-classification workload (supervised.* keys of a training
// configuration with workload: supervised; the training itself is src/vision). A plain struct, so
// that the training configuration carries them without depending on the vision library.
#pragma once

#include <cstdint>
#include <string>

namespace rlnas::rl {

struct SupervisedOptions {
  std::string dataset = "fashion-mnist";  // fashion-mnist | idx:DIR (data/idx.h)
  int64_t validation_images = 10000;      // of the official training set, held out by the seeded split
  int64_t split_seed = 0;                 // the training/validation split (numpy RandomState(seed).permutation)
  int64_t train_images = 0;               // 0: every training image of the split; N: its first N (short runs)
  int64_t batch_size = 128;
  double lr = 0.02;  // peak learning rate of the cosine schedule (per minibatch, to 0 at the end)
  double warmup = 0.05;  // fraction of the budget's minibatches over which the rate rises linearly from 0
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4;
  std::string augment = "none";     // none | crop | flip | crop+flip (random crop with padding 2, horizontal flip)
  int64_t checkpoint_batches = 200;  // minibatches between checkpoints inside an epoch (and at every epoch's end)
};

}  // namespace rlnas::rl
