// YAML -> flat config entries.
#include "rlnas/core/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"

namespace rlnas {

namespace {

std::string where_of(const std::string& path, const YAML::Node& node) {
  return path + ":" + std::to_string(node.Mark().line + 1);
}

void flatten(const YAML::Node& map, const std::string& prefix, const std::string& path, std::vector<ConfigEntry>& out,
             std::set<std::string>& seen) {
  for (const auto& item : map) {
    const std::string key = prefix + item.first.as<std::string>();
    const std::string where = where_of(path, item.first);
    if (!seen.insert(key).second) throw Error(where + ": key '" + key + "' appears twice");
    const YAML::Node& value = item.second;
    if (value.IsMap()) {
      flatten(value, key + ".", path, out, seen);
    } else if (value.IsSequence()) {
      std::string text = "[";
      for (size_t i = 0; i < value.size(); ++i) {
        if (!value[i].IsScalar()) {
          throw Error(where_of(path, value[i]) + ": '" + key + "' must be a list of plain values");
        }
        text += (i ? ", " : "") + value[i].as<std::string>();
      }
      out.push_back({key, text + "]", where});
    } else if (value.IsNull()) {
      throw Error(where + ": '" + key + "' has no value");
    } else {
      out.push_back({key, value.as<std::string>(), where});
    }
  }
}

}  // namespace

std::vector<ConfigEntry> read_config_file(const std::string& path) {
  // A folder, an unreadable file or one past the size limit (a device): an Error naming it.
  const std::string text = io::read_file(path, io::kMaxInputFileBytes);
  YAML::Node root;
  try {
    const auto documents = YAML::LoadAll(text);
    if (documents.size() > 1) {
      throw Error(path + ":" + std::to_string(documents[1].Mark().line + 1) +
                  ": a second YAML document (after '---'); a configuration file holds one");
    }
    if (!documents.empty()) root = documents[0];
  } catch (const YAML::Exception& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) throw Error(path + ": expected a map of settings at the top level");
  std::vector<ConfigEntry> out;
  std::set<std::string> seen;
  flatten(root, "", path, out, seen);
  return out;
}

}  // namespace rlnas
