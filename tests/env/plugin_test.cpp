// Loading environment plugins: the example plugin, and every way a plugin can be refused (the
// registry left unchanged each time).
#include "rlnas/env/plugin.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "../common/error_of.h"
#include "rlnas/core/error.h"
#include "rlnas/env/checker.h"

namespace rlnas::env {
namespace {

namespace fs = std::filesystem;

using test_util::error_of;

EnvRegistry builtin() {
  EnvRegistry r;
  register_builtin_envs(r);
  return r;
}

std::string test_plugin(const std::string& name) {
  return std::string(RLNAS_TEST_PLUGIN_DIR) + "/rlnas_test_plugin_" + name + ".so";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Plugin, TheExampleRegistersItsEnvironmentWithPathAndHash) {
  auto r = builtin();
  const auto& record = load_plugin(r, RLNAS_CATCH_PLUGIN);
  const auto path = fs::canonical(RLNAS_CATCH_PLUGIN).string();
  EXPECT_EQ(record.path, path);
  EXPECT_EQ(record.sha256, file_sha256(path));
  EXPECT_EQ(record.sha256.size(), 64u);
  EXPECT_EQ(record.name, "example");
  EXPECT_EQ(record.envs, std::vector<std::string>{"example/catch"});
  const auto& entry = r.entry("example/catch");
  EXPECT_EQ(entry.plugin_path, path);
  EXPECT_EQ(entry.plugin_sha256, record.sha256);
  EXPECT_TRUE(r.entry("classic/cartpole").plugin_path.empty());
  // The plugin's factory, options and time limit work as a built-in's.
  auto env = r.make("example/catch", {{"cols", "7"}});
  EXPECT_EQ(env->observation_spec().shape, (std::vector<int64_t>{1, 10, 7}));
  const auto report = check_env(*env);
  EXPECT_TRUE(report.ok()) << report.to_string();
  // An option out of range: the plugin's OptionReader error, thrown across the boundary.
  const auto msg = error_of([&] { r.make("example/catch", {{"cols", "0"}}); });
  EXPECT_TRUE(has(msg, "env 'example/catch': option 'cols' expects an integer in [1, 100], found '0'")) << msg;
  // Loading the same file again is the first load.
  EXPECT_EQ(&load_plugin(r, RLNAS_CATCH_PLUGIN), &r.plugins().front());
  EXPECT_EQ(r.plugins().size(), 1u);
}

TEST(Plugin, AnotherAbiIsRefusedWithBothNumbersBeforeRegistering) {
  auto r = builtin();
  const auto names = r.names();
  const auto msg = error_of([&] { load_plugin(r, test_plugin("wrong_abi")); });
  EXPECT_TRUE(has(msg, "built for plugin ABI " + std::to_string(RLNAS_PLUGIN_ABI + 998) +
                           ", but this rlnas has plugin ABI " + std::to_string(RLNAS_PLUGIN_ABI)))
      << msg;
  EXPECT_EQ(r.names(), names);
  EXPECT_TRUE(r.plugins().empty());
}

TEST(Plugin, EveryOtherRefusalNamesTheFileAndChangesNothing) {
  auto r = builtin();
  const auto names = r.names();
  struct Case {
    std::string path, expected;
  };
  const std::vector<Case> cases = {
      {"/nonexistent/plugin.so", "plugin '/nonexistent/plugin.so': no such file"},
      {test_plugin("no_entry"), "no 'rlnas_plugin' entry point"},
      {test_plugin("missing_symbol"), "function_from_another_rlnas"},  // dlopen names the symbol
      {test_plugin("throws"), "(faulty): registering its environments failed: the plugin's own error"},
      {test_plugin("taken"), "(faulty) registers 'classic/cartpole', which is built in"},
  };
  for (const auto& c : cases) {
    const auto msg = error_of([&] { load_plugin(r, c.path); });
    EXPECT_TRUE(has(msg, c.expected)) << c.path << ": " << msg;
    EXPECT_TRUE(has(msg, "plugin '")) << msg;
    EXPECT_EQ(r.names(), names) << c.path;
  }
  EXPECT_TRUE(r.plugins().empty());
}

TEST(Plugin, AFileChangedSinceItWasLoadedIsRefused) {
  const auto dir = fs::temp_directory_path() / "rlnas_plugin_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto copy = (dir / "catch.so").string();
  fs::copy_file(RLNAS_CATCH_PLUGIN, copy);
  auto r = builtin();
  const auto sha = load_plugin(r, copy).sha256;
  std::ofstream(copy, std::ios::app) << "changed";
  const auto msg = error_of([&] { load_plugin(r, copy); });
  EXPECT_TRUE(has(msg, "the file changed since this process loaded it (sha256 " + sha.substr(0, 12))) << msg;
  fs::remove_all(dir);
}

TEST(Plugin, ListsParseFromTheEnvironmentVariableAndFromConfigurationFiles) {
  EXPECT_EQ(parse_plugin_list("a.so:/x/b.so::"), (std::vector<std::string>{"a.so", "/x/b.so"}));
  EXPECT_EQ(parse_plugin_list("[a.so, \"b c.so\", 'd.so']"), (std::vector<std::string>{"a.so", "b c.so", "d.so"}));
  EXPECT_TRUE(parse_plugin_list("").empty());
  EXPECT_TRUE(parse_plugin_list("[]").empty());
}

}  // namespace
}  // namespace rlnas::env
