// YAML -> flat config entries.
#include "rlnas/core/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <string_view>
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

// The line (from 1) of a "---" that starts a second document: one after content, or a second
// one after a first that opened the file. Block scalars are indented, so a document marker is
// always at the start of a line.
std::optional<int64_t> second_document_line(const std::string& text) {
  bool content = false;
  int64_t line_no = 0;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find('\n', begin), text.size());
    const std::string_view line(text.data() + begin, end - begin);
    ++line_no;
    const bool marker = line.rfind("---", 0) == 0 && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' ||
                                                      line[3] == '\r');
    if (marker) {
      if (content) return line_no;
      content = true;  // "--- value" or an explicit start: what follows is the first document
    } else {
      const auto first = line.find_first_not_of(" \t\r");
      if (first != std::string_view::npos && line[first] != '#' && line.rfind("%", 0) != 0) content = true;
    }
    begin = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::vector<ConfigEntry> read_config_file(const std::string& path) {
  // A folder, an unreadable file or one past the size limit (a device): an Error naming it.
  const std::string text = io::read_file(path, io::kMaxInputFileBytes);
  // YAML::Load reads the first document and ignores the rest: a second one would be dropped
  // silently. (YAML::LoadAll would say how many there are, but yaml-cpp 0.7's loops forever,
  // allocating, on some malformed input such as ",a: 1"; fixed upstream in 0.8.)
  if (const auto line = second_document_line(text)) {
    throw Error(path + ":" + std::to_string(*line) + ": a second YAML document (after '---'); a configuration file "
                "holds one");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
  }
  if (root.IsNull()) {
    // yaml-cpp reads some malformed files (",a: 1") as nothing at all: a file with settings in it
    // that gave none is refused rather than taken as empty.
    for (size_t begin = 0; begin < text.size();) {
      const size_t end = std::min(text.find('\n', begin), text.size());
      const std::string_view line(text.data() + begin, end - begin);
      const auto first = line.find_first_not_of(" \t\r");
      if (first != std::string_view::npos && line[first] != '#' && line.substr(first, 3) != "---" &&
          line.substr(first, 3) != "..." && line.substr(first) != "~" && line.substr(first) != "null") {
        throw Error(path + ": expected a map of settings, found text that YAML reads as nothing (is it YAML?)");
      }
      begin = end + 1;
    }
    return {};
  }
  if (!root.IsMap()) throw Error(path + ": expected a map of settings at the top level");
  std::vector<ConfigEntry> out;
  std::set<std::string> seen;
  flatten(root, "", path, out, seen);
  return out;
}

}  // namespace rlnas
