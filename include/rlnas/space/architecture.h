// An architecture is plain data: the name and version of its search space plus the value of each
// decision. It is never a live network; a SearchSpace builds networks from it.
//
//   {"choices": {"conv2.kernel": 4, "conv3.kernel": 3}, "space": "minatar/ss1", "version": 1}
//
// The canonical JSON (sorted keys, no spaces) is what gets hashed: the id is its SHA-256.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace rlnas::space {

struct Architecture {
  std::string space;
  int64_t version = 1;
  nlohmann::json choices = nlohmann::json::object();  // decision name -> value (any JSON)

  nlohmann::json to_json() const;
  // Parses {"space", "version", "choices"}; throws rlnas::Error naming what is missing or wrong.
  static Architecture from_json(const nlohmann::json& j);
  static Architecture parse(const std::string& text);  // JSON text

  std::string canonical_json() const;  // sorted keys, no spaces
  std::string id() const;              // SHA-256 hex of canonical_json()
  std::string short_id() const;        // first 12 hex digits
  std::string pretty() const;          // indented JSON

  bool operator==(const Architecture& other) const { return canonical_json() == other.canonical_json(); }
};

}  // namespace rlnas::space
