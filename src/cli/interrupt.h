// Ctrl-C for long commands: the first SIGINT sets a flag that the work polls (it stops at a safe
// point, with a checkpoint); a second one kills at once.
#pragma once

#include <atomic>

namespace rlnas::cli {

// Installs the handler and returns the flag it sets.
const std::atomic<bool>* catch_interrupt();
// Default SIGINT handling again.
void release_interrupt();

}  // namespace rlnas::cli
