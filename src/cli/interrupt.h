// Ctrl-C and SIGTERM for long commands: the first SIGINT or any SIGTERM sets a flag that the work
// polls (it stops at a safe point, with a checkpoint, and the command exits 130). A second SIGINT
// kills at once; SIGTERMs never do, so a process that gets both a job's SIGTERM (timeout, systemd,
// Slurm) and the search's forwarded SIGINT still checkpoints.
#pragma once

#include <atomic>

namespace rlnas::cli {

// Installs the handlers and returns the flag they set.
const std::atomic<bool>* catch_interrupt();
// Default SIGINT and SIGTERM handling again.
void release_interrupt();

}  // namespace rlnas::cli
