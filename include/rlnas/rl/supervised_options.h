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
  // Largest L2 norm of the weights' gradient per minibatch (clipped to it); 0: no clipping; -1
  // (auto): 5 for supernets (DARTS's and ENAS's bound: a shared weight set trained under a new path
  // every minibatch diverges at one network's rates without it), none for one network.
  double grad_clip = -1;
  double clip(bool supernet) const { return grad_clip >= 0 ? grad_clip : (supernet ? 5.0 : 0.0); }
  std::string augment = "none";     // none | crop | flip | crop+flip (random crop with padding 2, horizontal flip)
  int64_t checkpoint_batches = 200;  // minibatches between checkpoints inside an epoch (and at every epoch's end)
};

}  // namespace rlnas::rl
