// Test helper: an empty folder of this test process, e.g. /tmp/rlnas_report_test_1234/NAME.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace rlnas::test_util {

inline std::filesystem::path fresh_dir(const std::string& suite, const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / (suite + "_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace rlnas::test_util
