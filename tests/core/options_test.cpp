#include "rlnas/core/options.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "rlnas/core/error.h"

namespace rlnas {
namespace {

struct Example {
  int64_t steps = 100;
  double lr = 1e-3;
  bool norm = true;
  std::string schedule = "constant";
  std::vector<int64_t> hidden = {64, 64};
};

OptionTable table(Example& e) {
  OptionTable t;
  t.add("steps", &e.steps, "steps", 1)
      .add("ppo.lr", &e.lr, "learning rate", 0, 1)
      .add("ppo.norm", &e.norm, "normalize")
      .add("ppo.schedule", &e.schedule, "schedule", {"constant", "linear"})
      .add("net.hidden", &e.hidden, "widths", 1);
  return t;
}

std::string error_of(OptionTable& t, const std::string& key, const std::string& value) {
  try {
    t.set(key, value, "config.yaml:7");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OptionTable, ParsesEveryType) {
  Example e;
  auto t = table(e);
  t.set("steps", "1e6", "--set");
  t.set("ppo.lr", "2.5e-4", "--set");
  t.set("ppo.norm", "false", "--set");
  t.set("ppo.schedule", "linear", "--set");
  t.set("net.hidden", "[256, 128]", "--set");
  EXPECT_EQ(e.steps, 1000000);
  EXPECT_DOUBLE_EQ(e.lr, 2.5e-4);
  EXPECT_FALSE(e.norm);
  EXPECT_EQ(e.schedule, "linear");
  EXPECT_EQ(e.hidden, (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(t.to_json()["net.hidden"], nlohmann::json({256, 128}));
}

TEST(OptionTable, ErrorsNameKeyExpectedFoundAndWhere) {
  Example e;
  auto t = table(e);
  EXPECT_EQ(error_of(t, "ppo.lr", "fast"), "config.yaml:7: option 'ppo.lr' expects a number in [0, 1], found 'fast'");
  EXPECT_EQ(error_of(t, "ppo.lr", "2"), "config.yaml:7: option 'ppo.lr' expects a number in [0, 1], found '2'");
  EXPECT_EQ(error_of(t, "steps", "1.5"), "config.yaml:7: option 'steps' expects an integer >= 1, found '1.5'");
  EXPECT_EQ(error_of(t, "ppo.schedule", "cosine"),
            "config.yaml:7: option 'ppo.schedule' expects one of constant, linear, found 'cosine'");
  EXPECT_EQ(error_of(t, "ppo.lrr", "1"),
            "config.yaml:7: unknown option 'ppo.lrr'; valid options: ppo.lr, ppo.norm, ppo.schedule");
  EXPECT_NE(error_of(t, "net.hidden", "64,x").find("a comma-separated list of integers >= 1"), std::string::npos);
  EXPECT_EQ(e.lr, 1e-3) << "a failed set leaves the value unchanged";
}

TEST(OptionTable, AnAliasSetsItsKeyAndIsNotListed) {
  Example e;
  auto t = table(e);
  t.alias("lr", "ppo.lr");
  EXPECT_TRUE(t.contains("lr"));
  t.set("lr", "0.25", "stored configuration");
  EXPECT_DOUBLE_EQ(e.lr, 0.25);
  EXPECT_FALSE(t.to_json().contains("lr"));
  EXPECT_EQ(t.to_json().at("ppo.lr"), 0.25);
  const auto keys = t.keys();
  EXPECT_EQ(std::count(keys.begin(), keys.end(), "lr"), 0);
  EXPECT_NE(error_of(t, "lr", "7").find("ppo.lr"), std::string::npos);  // checked as the key it spells
  EXPECT_THROW(t.alias("x", "no.such.key"), Error);
}

}  // namespace
}  // namespace rlnas
