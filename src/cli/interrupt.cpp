// Ctrl-C and SIGTERM handling shared by train, search, run-trial and report --watch (see interrupt.h).
#include "interrupt.h"

#include <csignal>

namespace rlnas::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_sigints{0};

void install(int sig, void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(sig, &sa, nullptr);
}

extern "C" void on_signal(int sig) {
  g_stop = true;
  if (sig == SIGINT && ++g_sigints >= 2) {  // a second Ctrl-C kills at once
    install(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
}

}  // namespace

const std::atomic<bool>* catch_interrupt() {
  install(SIGINT, on_signal);
  install(SIGTERM, on_signal);
  return &g_stop;
}

void release_interrupt() {
  install(SIGINT, SIG_DFL);
  install(SIGTERM, SIG_DFL);
}

}  // namespace rlnas::cli
