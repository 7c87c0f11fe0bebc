// Depth-checked JSON input and short excerpts for error messages (see json_input.h).
#include "rlnas/core/json_input.h"

#include "rlnas/core/error.h"

namespace rlnas {

void check_json_depth(std::string_view text, const std::string& where, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        throw Error(where + ": JSON nested deeper than " + std::to_string(max_depth) +
                    " levels (an array or object opened at byte " + std::to_string(i) +
                    "); rlnas reads no document nested that deep");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

namespace {
template <typename Json>
Json parse_checked(std::string_view text, const std::string& where) {
  check_json_depth(text, where);
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": not valid JSON (" + excerpt(plain_error_text(e), 300) + ")");  // its "last read" may be long
  }
}
}  // namespace

nlohmann::json parse_json_input(std::string_view text, const std::string& where) {
  return parse_checked<nlohmann::json>(text, where);
}

nlohmann::ordered_json parse_ordered_json_input(std::string_view text, const std::string& where) {
  return parse_checked<nlohmann::ordered_json>(text, where);
}

std::string excerpt(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max)) + "... (" + std::to_string(text.size()) + " bytes in all)";
}

std::string json_excerpt(const nlohmann::json& value, size_t max) {
  return excerpt(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), max);
}

std::string json_excerpt(const nlohmann::ordered_json& value, size_t max) {
  return excerpt(value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), max);
}

}  // namespace rlnas
