#include "rlnas/space/architecture.h"

#include <set>
#include <vector>

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/sha256.h"

namespace rlnas::space {

nlohmann::json Architecture::to_json() const { return {{"space", space}, {"version", version}, {"choices", choices}}; }

Architecture Architecture::from_json(const nlohmann::json& j) {
  if (!j.is_object()) {
    throw Error("architecture: expected a JSON object {\"space\", \"version\", \"choices\"}, found " + json_excerpt(j));
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "space" && key != "version" && key != "choices") {
      throw Error("architecture: unknown key '" + key + "' (expected space, version, choices)");
    }
  }
  Architecture a;
  if (!j.contains("space") || !j["space"].is_string()) {
    throw Error("architecture: expected a string \"space\", found " +
                (j.contains("space") ? json_excerpt(j["space"]) : "none"));
  }
  a.space = j["space"].get<std::string>();
  if (j.contains("version")) {
    if (!j["version"].is_number_integer()) {
      throw Error("architecture: expected an integer \"version\", found " + json_excerpt(j["version"]));
    }
    a.version = j["version"].get<int64_t>();
  }
  if (j.contains("choices")) {
    if (!j["choices"].is_object()) {
      throw Error("architecture: expected \"choices\" to be an object, found " + json_excerpt(j["choices"]));
    }
    a.choices = j["choices"];
  }
  return a;
}

Architecture Architecture::parse(const std::string& text) {
  // A key given twice would silently keep its last value: refuse it instead.
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  const nlohmann::json::parser_callback_t check = [&](int, nlohmann::json::parse_event_t event,
                                                      nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) keys.emplace_back();
    if (event == E::object_end && !keys.empty()) keys.pop_back();
    if (event == E::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second &&
        duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  check_json_depth(text, "architecture");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, check);
  } catch (const nlohmann::json::exception& e) {
    throw Error("architecture: not valid JSON (" + excerpt(plain_error_text(e), 300) + "): " + excerpt(text));
  }
  if (!duplicate.empty()) {
    throw Error("architecture: the key \"" + excerpt(duplicate, 80) + "\" is given twice in " + excerpt(text) +
                "; give each key once");
  }
  return from_json(j);
}

// nlohmann::json keeps object keys sorted (std::map), and dump() without indent has no spaces.
std::string Architecture::canonical_json() const { return to_json().dump(); }
std::string Architecture::id() const { return sha256_hex(canonical_json()); }
std::string Architecture::short_id() const { return id().substr(0, 12); }
std::string Architecture::pretty() const { return to_json().dump(2); }

}  // namespace rlnas::space
