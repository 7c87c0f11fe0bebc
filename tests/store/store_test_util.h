// Test helpers: a fresh store file per test, removed afterwards.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace rlnas::test_util {

// A path in a folder of its own (the store's -wal and -shm files sit beside it).
class TempStorePath {
 public:
  TempStorePath() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / ("rlnas_store_" + std::string(info->test_suite_name()) + "_" +
                                                     info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempStorePath() { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name = "store.db") const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace rlnas::test_util
