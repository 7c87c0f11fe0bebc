// Checkpoint files: a small JSON header (what the file is for, and the SHA-256 and size of the
// payload) followed by a LibTorch archive. Written atomically (temporary file, fsync, rename);
// read back only when the checksum matches, because LibTorch itself loads a bit-flipped file
// silently.
//
//   "rlnas-checkpoint 1\n" + header JSON + "\n" + payload
#pragma once

#include <cstdint>
#include <string>

namespace rlnas::rl {

struct CheckpointHeader {
  std::string algo;
  std::string identity;  // readable description of the network and spaces it was made for
  int64_t step = 0;      // environment steps done
};

struct Checkpoint {
  CheckpointHeader header;
  std::string payload;
};

void write_checkpoint(const std::string& path, const CheckpointHeader& header, const std::string& payload);
// Throws rlnas::Error when the file is missing, not a checkpoint, truncated or corrupted.
Checkpoint read_checkpoint(const std::string& path);
// Throws rlnas::Error naming both identities when they differ.
void check_identity(const Checkpoint& checkpoint, const std::string& expected_identity, const std::string& path);

}  // namespace rlnas::rl
