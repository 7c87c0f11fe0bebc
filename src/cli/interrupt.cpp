// Ctrl-C handling shared by train, search and run-trial (see interrupt.h).
#include "interrupt.h"

#include <csignal>

namespace rlnas::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_interrupt(int) {
  g_stop = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
}

}  // namespace

const std::atomic<bool>* catch_interrupt() {
  std::signal(SIGINT, on_interrupt);
  return &g_stop;
}

void release_interrupt() { std::signal(SIGINT, SIG_DFL); }

}  // namespace rlnas::cli
