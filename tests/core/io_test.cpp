// Checked file output: errors name the path and the reason; devices are written, never replaced;
// JSON-lines repair on resume; folder locks.
#include "rlnas/core/io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../common/error_of.h"
#include "../common/fresh_dir.h"
#include "rlnas/core/error.h"

namespace rlnas::io {
namespace {

namespace fs = std::filesystem;
using test_util::error_of;
using test_util::fresh_dir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A device like /dev/full (every write fails with ENOSPC), made in a test folder: the system's own
// /dev/full is never touched. Empty when this process may not make device nodes.
fs::path full_device(const fs::path& dir) {
  const auto p = dir / "full";
  if (::mknod(p.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) return {};
  return p;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(WriteFileAtomic, ReplacesARegularFileAndLeavesNoTemporary) {
  const auto dir = fresh_dir("io_test", "atomic");
  const auto path = dir / "a.json";
  write_file_atomic(path.string(), "one");
  write_file_atomic(path.string(), "two");
  EXPECT_EQ(slurp(path), "two");
  EXPECT_FALSE(fs::exists(dir / "a.json.tmp"));
}

TEST(WriteFileAtomic, FollowsASymlinkToItsTarget) {
  const auto dir = fresh_dir("io_test", "symlink");
  write_file_atomic((dir / "target").string(), "old");
  fs::create_symlink(dir / "target", dir / "link");
  write_file_atomic((dir / "link").string(), "new");
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_EQ(slurp(dir / "target"), "new");
}

TEST(WriteFileAtomic, WritesADeviceInPlaceAndReportsItsError) {
  const auto dir = fresh_dir("io_test", "device");
  const auto full = full_device(dir);
  if (full.empty()) GTEST_SKIP() << "cannot make a device node here (not root?)";
  const auto e = error_of([&] { write_file_atomic(full.string(), "data"); });
  EXPECT_TRUE(contains(e, full.string()) && contains(e, "No space left on device")) << e;
  EXPECT_TRUE(fs::is_character_file(full)) << "the device was replaced";
  EXPECT_FALSE(fs::exists(dir / "full.tmp"));
  // rlnas's own logs are regular files: a device where one belongs is refused (issue 26).
  const auto append = error_of([&] { AppendFile f(full.string()); });
  EXPECT_TRUE(contains(append, "not a regular file")) << append;
}

TEST(WriteFileAtomic, RefusesAFolderAndAMissingParent) {
  const auto dir = fresh_dir("io_test", "folder");
  EXPECT_TRUE(contains(error_of([&] { write_file_atomic(dir.string(), "x"); }), "it is a folder"));
  const auto missing = error_of([&] { write_file_atomic((dir / "no" / "f").string(), "x"); });
  EXPECT_TRUE(contains(missing, "No such file or directory")) << missing;
}

TEST(ReadFile, NamesFoldersAndMissingFiles) {
  const auto dir = fresh_dir("io_test", "read");
  EXPECT_TRUE(contains(error_of([&] { read_file(dir.string()); }), "it is a folder"));
  EXPECT_TRUE(contains(error_of([&] { read_file((dir / "none").string()); }), "No such file or directory"));
}

TEST(CreateFolders, NamesAFileInTheWay) {
  const auto dir = fresh_dir("io_test", "mkdir");
  write_file_atomic((dir / "file").string(), "x");
  const auto e = error_of([&] { create_folders((dir / "file" / "sub").string(), "--out"); });
  EXPECT_TRUE(contains(e, "--out") && contains(e, "is a file")) << e;
}

TEST(TruncateJsonl, RemovesLinesPastTheStepAndACutLastLine) {
  const auto dir = fresh_dir("io_test", "truncate");
  const auto path = (dir / "m.jsonl").string();
  std::ofstream(path) << "{\"step\":1}\n{\"step\":2,\"x\":1}\n{\"step\":3}\n{\"step\":4}\n{\"ste";
  EXPECT_EQ(truncate_jsonl_after(path, 2), 3);
  EXPECT_EQ(slurp(path), "{\"step\":1}\n{\"step\":2,\"x\":1}\n");
  EXPECT_EQ(truncate_jsonl_after(path, 2), 0);  // nothing more to remove: unchanged
  EXPECT_EQ(truncate_jsonl_after((dir / "missing.jsonl").string(), 2), 0);
  EXPECT_FALSE(fs::exists(dir / "missing.jsonl"));
}

TEST(TruncateJsonl, RefusesADamagedLineAndKeepsTheFile) {
  const auto dir = fresh_dir("io_test", "damaged");
  const auto path = (dir / "m.jsonl").string();
  const std::string text = "{\"step\":1}\nnot json\n{\"step\":3}\n";
  std::ofstream(path) << text;
  const auto e = error_of([&] { truncate_jsonl_after(path, 1); });
  EXPECT_TRUE(contains(e, path + ":2") && contains(e, "not json") && contains(e, "Repair")) << e;
  EXPECT_EQ(slurp(path), text);
  std::ofstream(path) << "{\"step\":1}\n{\"no_step\":2}\n";
  EXPECT_TRUE(contains(error_of([&] { truncate_jsonl_after(path, 5); }), path + ":2"));
}

TEST(FileLock, ASecondHolderIsRefusedWithThePidOfTheFirst) {
  const auto dir = fresh_dir("io_test", "lock");
  const auto path = (dir / "x.lock").string();
  EXPECT_FALSE(FileLock::held(path));
  {
    const auto lock = FileLock::acquire(path, "run folder X");
    EXPECT_TRUE(FileLock::held(path));
    const auto e = error_of([&] { FileLock::acquire(path, "run folder X"); });
    EXPECT_TRUE(contains(e, "run folder X is in use by pid " + std::to_string(::getpid()) + " on host")) << e;
  }
  EXPECT_FALSE(FileLock::held(path));
  EXPECT_NO_THROW(FileLock::acquire(path, "run folder X"));
}

// The files rlnas names itself are never reached through a link, nor a device or FIFO (issue 26).
TEST(OwnFiles, LinksDevicesAndFifosAreRefusedAndTheirTargetsUntouched) {
  const auto dir = fresh_dir("io_test", "own");
  const auto victim = dir / "victim";
  std::ofstream(victim) << "precious";
  const auto link = (dir / "link").string();
  fs::create_symlink(victim, link);
  auto e = error_of([&] { FileLock::acquire(link, "run folder X"); });
  EXPECT_TRUE(contains(e, "symbolic link")) << e;
  e = error_of([&] { AppendFile f(link); });
  EXPECT_TRUE(contains(e, "symbolic link")) << e;
  e = error_of([&] { write_file_atomic(link, "overwritten", Target::own); });
  EXPECT_TRUE(contains(e, "is a symbolic link")) << e;
  e = error_of([&] { truncate_jsonl_after(link, 0); });
  EXPECT_TRUE(contains(e, "is a symbolic link")) << e;
  EXPECT_EQ(slurp(victim), "precious");
  EXPECT_FALSE(FileLock::held(link));
  // A FIFO would block a writer: refused at once.
  const auto fifo = (dir / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  e = error_of([&] { AppendFile f(fifo); });
  EXPECT_TRUE(contains(e, "not a regular file")) << e;
  e = error_of([&] { FileLock::acquire(fifo, "run folder X"); });
  EXPECT_TRUE(contains(e, "not a regular file")) << e;
  // The user's own paths (--out) keep following links.
  write_file_atomic(link, "through the link");
  EXPECT_EQ(slurp(victim), "through the link");
  EXPECT_TRUE(fs::is_symlink(link));
}

TEST(ReadFile, StopsAtItsLimitEvenOnAnEndlessDevice) {
  const auto dir = fresh_dir("io_test", "limit");
  const auto path = (dir / "f").string();
  std::ofstream(path) << std::string(1000, 'x');
  EXPECT_EQ(read_file(path, 1000).size(), 1000u);
  auto e = error_of([&] { read_file(path, 999); });
  EXPECT_TRUE(contains(e, "more than 999 bytes")) << e;
  // /dev/zero never ends: read up to the limit, then refused.
  const auto zero = dir / "zero";
  if (::mknod(zero.c_str(), S_IFCHR | 0666, makedev(1, 5)) == 0) {
    e = error_of([&] { read_file(zero.string(), 1 << 20); });
    EXPECT_TRUE(contains(e, "more than 1048576 bytes")) << e;
  }
}

}  // namespace
}  // namespace rlnas::io
