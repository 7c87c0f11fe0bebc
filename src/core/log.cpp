// Leveled logging to stderr with elapsed-time stamps.
#include "rlnas/core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>

#include "rlnas/core/error.h"

namespace rlnas::log {

namespace {
std::atomic<Level> g_level{Level::kInfo};
const auto g_start = std::chrono::steady_clock::now();
constexpr const char* kNames[] = {"debug", "info", "warning", "error", "off"};
}  // namespace

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }

Level parse_level(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(Level::kOff); ++i) {
    if (name == kNames[i]) return static_cast<Level>(i);
  }
  throw Error("log level: expected one of debug, info, warning, error, off; found '" + std::string(name) + "'");
}

void write(Level level, std::string_view message) {
  if (level < g_level.load() || level == Level::kOff) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - g_start).count();
  std::fprintf(stderr, "[%8.2fs %s] %.*s\n", seconds, kNames[static_cast<int>(level)], static_cast<int>(message.size()),
               message.data());
}

}  // namespace rlnas::log
