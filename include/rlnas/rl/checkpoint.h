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
  // What ties the checkpoint to its run (empty / negative in checkpoints of older rlnas versions,
  // which resume unchecked): the resolved configuration it was made with (JSON text), the run's
  // nonce (config.json's "run_nonce", drawn when the run started at step 0), and how many lines
  // metrics.jsonl held when it was written with their SHA-256 (clock fields make it the run's own).
  std::string config;
  std::string run_nonce;
  int64_t metrics_lines = -1;
  std::string metrics_sha256;
};

struct Checkpoint {
  CheckpointHeader header;
  std::string payload;
};

void write_checkpoint(const std::string& path, const CheckpointHeader& header, const std::string& payload);
// Throws rlnas::Error when the file is missing, not a checkpoint, truncated or corrupted.
// A checkpoint is trusted input past its header: the payload goes to LibTorch's deserializer once
// its SHA-256 matches, and rlnas does not defend against a crafted payload (docs/reliability.md).
Checkpoint read_checkpoint(const std::string& path);
// The header alone (the payload is neither read nor checked).
CheckpointHeader read_checkpoint_header(const std::string& path);
// Throws rlnas::Error naming both identities when they differ.
void check_identity(const Checkpoint& checkpoint, const std::string& expected_identity, const std::string& path);

}  // namespace rlnas::rl
