// Minimal leveled logging to stderr. LibTorch's own warnings and glog output are routed here
// (see runtime.h), so one --log-level controls everything the tool prints besides results.
#pragma once

#include <string>
#include <string_view>

namespace rlnas::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

void set_level(Level level);
Level level();
// "debug", "info", "warning", "error", "off"; throws rlnas::Error for anything else.
Level parse_level(std::string_view name);

void write(Level level, std::string_view message);
inline void debug(std::string_view m) { write(Level::kDebug, m); }
inline void info(std::string_view m) { write(Level::kInfo, m); }
inline void warning(std::string_view m) { write(Level::kWarning, m); }
inline void error(std::string_view m) { write(Level::kError, m); }

}  // namespace rlnas::log
