// JSON (and other text) that comes from outside rlnas: files a user or someone else wrote, command
// lines, stored records. nlohmann's parser and serializer recurse once per nesting level, so a
// document nested a hundred thousand levels deep overflows the stack; these helpers refuse such
// input with an Error before it is parsed, and keep error messages short whatever the input's size.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace rlnas {

// Deeper than any document rlnas writes (architectures, configurations and exports stay below 10).
inline constexpr size_t kMaxJsonDepth = 256;

// Throws rlnas::Error naming `where` when the arrays and objects of `text` nest deeper than
// `max_depth` (brackets inside strings do not count). Valid or not, the text is not parsed.
void check_json_depth(std::string_view text, const std::string& where, size_t max_depth = kMaxJsonDepth);

// Parses JSON from outside: the depth check, then nlohmann's parser. A malformed document is an
// Error "WHERE: not valid JSON (parse error at line L, column C: ...)".
nlohmann::json parse_json_input(std::string_view text, const std::string& where);
nlohmann::ordered_json parse_ordered_json_input(std::string_view text, const std::string& where);

// At most `max` characters of `text` for an error message: "abc..." plus "(N bytes in all)" when cut.
std::string excerpt(std::string_view text, size_t max = 200);
// A JSON value as compact text, cut the same way (dumped without a limit on depth, so only for
// values parsed through the helpers above or built by rlnas itself).
std::string json_excerpt(const nlohmann::json& value, size_t max = 200);
std::string json_excerpt(const nlohmann::ordered_json& value, size_t max = 200);

}  // namespace rlnas
