// YAML config files read as flat (dotted key, value, line) entries, so that every value goes
// through the same strict OptionTable parser as `--set key=value`, with file:line in errors.
#pragma once

#include <string>
#include <vector>

namespace rlnas {

struct ConfigEntry {
  std::string key;    // "ppo.lr" for {ppo: {lr: ...}}
  std::string value;  // scalars as written; sequences of scalars as "[a, b, c]"
  std::string where;  // "file.yaml:12"
};

// Throws rlnas::Error for unreadable files, YAML syntax errors (with line), non-map documents,
// duplicate keys and nested sequences.
std::vector<ConfigEntry> read_config_file(const std::string& path);

}  // namespace rlnas
