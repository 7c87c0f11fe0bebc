// JSON from outside: a depth limit before parsing (nlohmann recurses per level), short excerpts.
#include "rlnas/core/json_input.h"

#include <gtest/gtest.h>

#include "../common/error_of.h"

namespace rlnas {
namespace {

using test_util::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string nested(size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(JsonInput, NestingPastTheLimitIsRefusedBeforeParsing) {
  EXPECT_NO_THROW(check_json_depth(nested(kMaxJsonDepth), "x"));
  auto e = error_of([&] { check_json_depth(nested(kMaxJsonDepth + 1), "F"); });
  EXPECT_TRUE(contains(e, "F: JSON nested deeper than 256 levels (an array or object opened at byte 256)")) << e;
  // Objects count like arrays; brackets inside strings (escaped quotes included) do not.
  std::string objects;
  for (int i = 0; i < 300; ++i) objects += "{\"a\":";
  EXPECT_FALSE(error_of([&] { check_json_depth(objects, "x"); }).empty());
  const std::string in_string = "[\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"]";
  EXPECT_NO_THROW(check_json_depth(in_string, "x"));
  EXPECT_EQ(parse_json_input(in_string, "x")[0].get<std::string>().size(), 2001u);
  // A million levels: an error, not a stack overflow.
  e = error_of([&] { parse_ordered_json_input(nested(1000000), "deep.json"); });
  EXPECT_TRUE(contains(e, "deep.json: JSON nested deeper")) << e;
}

TEST(JsonInput, MalformedInputNamesWhereAndTheParserPosition) {
  const auto e = error_of([&] { parse_json_input("{\"a\": [1, 2}", "config.json"); });
  EXPECT_TRUE(contains(e, "config.json: not valid JSON (parse error at line 1, column ")) << e;
  EXPECT_FALSE(contains(e, "[json.exception")) << e;
}

TEST(JsonInput, ExcerptsAreShortWhateverTheInput) {
  EXPECT_EQ(excerpt("short"), "short");
  const std::string big(50 << 20, 'x');
  const auto e = excerpt(big);
  EXPECT_EQ(e.substr(0, 200), big.substr(0, 200));
  EXPECT_TRUE(contains(e, "... (52428800 bytes in all)")) << e.substr(200);
  EXPECT_LT(e.size(), 240u);
  EXPECT_EQ(json_excerpt(nlohmann::json{{"a", 1}}), "{\"a\":1}");
  // Bytes that are not UTF-8 do not throw while an error message is built.
  EXPECT_NO_THROW(json_excerpt(nlohmann::json(std::string("\xff\xfe"))));
}

}  // namespace
}  // namespace rlnas
