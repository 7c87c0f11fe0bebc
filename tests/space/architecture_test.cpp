// Architecture as data: JSON round trip, canonical form, ids, errors; registry look-ups.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/core/sha256.h"
#include "rlnas/space/space.h"

namespace rlnas::space {
namespace {

TEST(Architecture, CanonicalJsonSortsKeysWithoutSpacesAndHashesIt) {
  const auto a = Architecture::parse(R"({ "version": 1, "space": "minatar/ss1",
      "choices": {"conv3.kernel": 3, "conv2.kernel": 4} })");
  EXPECT_EQ(a.canonical_json(), R"({"choices":{"conv2.kernel":4,"conv3.kernel":3},"space":"minatar/ss1","version":1})");
  EXPECT_EQ(a.id(), sha256_hex(a.canonical_json()));
  EXPECT_EQ(a.id().size(), 64u);
  EXPECT_EQ(a.short_id(), a.id().substr(0, 12));
  // the same content written differently has the same id; another value has another
  const auto b = Architecture::parse(R"({"choices":{"conv2.kernel":4,"conv3.kernel":3},"space":"minatar/ss1"})");
  EXPECT_EQ(a.id(), b.id());
  EXPECT_TRUE(a == b);
  auto c = a;
  c.choices["conv3.kernel"] = 2;
  EXPECT_NE(a.id(), c.id());
}

TEST(Architecture, RoundTripsThroughJsonAndPrettyText) {
  Architecture a;
  a.space = "cell/classic";
  a.version = 3;
  a.choices = {{"normal.node2", {{"conv3x3", 0}, {"skip", 1}}}, {"x", "y"}};
  EXPECT_EQ(Architecture::from_json(a.to_json()), a);
  EXPECT_EQ(Architecture::parse(a.pretty()), a);
  EXPECT_EQ(Architecture::parse(a.canonical_json()).canonical_json(), a.canonical_json());
}

TEST(Architecture, RejectsMalformedInputSayingWhat) {
  const auto message = [](const std::string& text) {
    try {
      Architecture::parse(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("{nope").find("not valid JSON"), std::string::npos);
  EXPECT_NE(message("[1, 2]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(message(R"({"choices": {}})").find("\"space\""), std::string::npos);
  EXPECT_NE(message(R"({"space": "mlp", "choices": [1]})").find("\"choices\" to be an object"), std::string::npos);
  EXPECT_NE(message(R"({"space": "mlp", "version": "1"})").find("integer \"version\""), std::string::npos);
  EXPECT_NE(message(R"({"space": "mlp", "colour": 1})").find("unknown key 'colour'"), std::string::npos);
}

TEST(Architecture, ReadsAtFileArguments) {
  const auto path = std::filesystem::temp_directory_path() / "rlnas_arch_test.json";
  std::ofstream(path) << R"({"space": "mlp", "choices": {"layers": [64], "activation": "relu"}})";
  const auto a = read_architecture_arg("@" + path.string());
  EXPECT_EQ(a.space, "mlp");
  EXPECT_THROW(read_architecture_arg("@/nonexistent/arch.json"), Error);
  std::filesystem::remove(path);
}

// Every number rewritten as a float (4 -> 4.0, also inside the cells' nested choices): the same
// architecture, so the same id and the same cache entry, in every space.
TEST(Architecture, NumbersWrittenAnotherWayGiveTheSameIdInEverySpace) {
  std::function<void(nlohmann::json&)> as_floats = [&](nlohmann::json& j) {
    if (j.is_number_integer()) {
      j = j.get<double>();
    } else if (j.is_structured()) {
      for (auto& x : j) as_floats(x);
    }
  };
  int rewritten = 0;
  for (const auto& name : space_names()) {
    const auto& space = find_space(name);
    Mt19937 rng(7);
    for (int i = 0; i < 5; ++i) {
      const auto arch = space.sample(rng);
      auto choices = arch.choices;
      as_floats(choices);
      const auto text = nlohmann::json{{"space", name}, {"version", arch.version}, {"choices", choices}}.dump();
      if (text == arch.canonical_json()) continue;  // no numbers in it
      ++rewritten;
      const auto parsed = read_architecture_arg(text);
      EXPECT_EQ(parsed.id(), arch.id()) << name << ": " << text;
      EXPECT_NO_THROW(space.validate(parsed)) << name;
    }
  }
  EXPECT_GT(rewritten, 10);
}

TEST(Architecture, AKeyGivenTwiceIsAnError) {
  try {
    read_architecture_arg(R"({"space":"minatar/ss1","choices":{"conv2.kernel":4,"conv3.kernel":3,"conv2.kernel":5}})");
    ADD_FAILURE() << "a duplicate key was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"conv2.kernel\" is given twice"), std::string::npos) << e.what();
  }
  try {
    Architecture::parse(R"({"space":"minatar/ss1","space":"minatar/ss2"})");
    ADD_FAILURE() << "a duplicate key was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"space\" is given twice"), std::string::npos) << e.what();
  }
}

TEST(SpaceRegistry, ListsEverySpaceAndFindsNamedArchitectures) {
  const auto names = space_names();
  for (const char* n : {"nas-rl/ss1", "nas-rl/ss2", "nas-rl/large", "minatar/ss1", "minatar/ss2", "cell/classic",
                        "cell/micro", "blocks", "mlp", "fixed/minatar", "fixed/nature_cnn", "fixed/impala_cnn",
                        "fixed/resnet20"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }
  EXPECT_THROW(find_space("nope"), Error);
  // every named architecture is valid in its space
  for (const auto& n : named_architectures()) {
    EXPECT_NO_THROW(find_space(n.arch.space).validate(n.arch)) << n.name;
  }
  EXPECT_EQ(find_named_architecture("minatar/ss1/nature").arch.choices["conv2.kernel"], 4);
  try {
    find_named_architecture("nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nas-rl/ss1/nature"), std::string::npos);  // lists the valid names
  }
}

TEST(SpaceRegistry, FormatsCountsWithThousandsSeparators) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(414720000000ull), "414,720,000,000");
}

}  // namespace
}  // namespace rlnas::space
