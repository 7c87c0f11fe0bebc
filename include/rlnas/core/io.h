// Checked file output: every write, flush, sync, close and rename is checked, and a failure is an
// rlnas::Error naming the path and the system's reason ("No space left on device"). Also the
// JSON-lines repair a resumed run needs, and per-folder exclusive locks. See docs/reliability.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rlnas::io {

// "cannot <what> '<path>': <strerror(err)>" as an rlnas::Error.
[[noreturn]] void throw_system_error(const std::string& what, const std::string& path, int err);

// Writes `contents` to `path` so that a reader sees the old file or the new one, never half of one:
// a temporary `path.tmp` in the same folder, fsync, rename over `path`, fsync of the folder. The
// temporary is removed when anything fails. A `path` that exists and is not a regular file (a
// device, a FIFO) is written in place with checked writes and never replaced; a folder is refused.
// A symbolic link is followed (its target is replaced, the link stays): the behaviour for paths the
// user names (--out). `own`: a file rlnas names itself inside a run or store folder (checkpoints,
// config.json, results): anything there but a regular file (a link, a device, a FIFO) is refused.
enum class Target { any, own };
// Refuses (an Error naming `path`) anything at `path` but a regular file: a symbolic link, a
// folder, a device, a FIFO. A missing path passes. For the files rlnas names itself.
void check_own_file(const std::string& path);
void write_file_atomic(const std::string& path, const std::string& contents, Target target = Target::any);

// Creates `path` and its parents (as mkdir -p); an Error naming `what` ("--out") and the path when
// a file of that name is in the way or the folder cannot be made.
void create_folders(const std::string& path, const std::string& what);

// The whole file; an Error naming the path when it is missing, a folder or unreadable, or holds
// more than `max_bytes` (read no further: an endless device such as /dev/zero is refused too).
inline constexpr size_t kNoSizeLimit = static_cast<size_t>(-1);
inline constexpr size_t kMaxInputFileBytes = size_t{64} << 20;  // configs, architectures, action lists
std::string read_file(const std::string& path, size_t max_bytes = kNoSizeLimit);

// A file opened for appending (created when missing); rlnas's own logs, so a symbolic link or
// anything but a regular file at `path` is refused. Each write() writes all its bytes or throws;
// sync() makes what was written durable; close() reports a deferred write error.
class AppendFile {
 public:
  AppendFile() = default;
  explicit AppendFile(const std::string& path);
  AppendFile(AppendFile&& other) noexcept;
  AppendFile& operator=(AppendFile&& other) noexcept;
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  ~AppendFile();  // closes without checking (an error was already reported by write/sync/close)

  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  void write(std::string_view data);
  void write_line(std::string_view line);  // line + "\n" in one write
  void sync();
  void close();

 private:
  int fd_ = -1;
  std::string path_;
};

// Appends one line to `path` (open, write, close: each checked).
void append_line(const std::string& path, std::string_view line);

// The repair of a JSON-lines file of a run (metrics.jsonl, alpha.jsonl, snapshots.jsonl) when the
// run resumes from its checkpoint at `step`: lines whose "step" is past `step` are removed, and so
// is a last line without its newline (what a kill -9 leaves). Any other line that is not a JSON
// object with an integer "step" is refused: an Error naming file:line and how to repair it.
// Returns how many lines were removed. A missing file is left missing.
int64_t truncate_jsonl_after(const std::string& path, int64_t step);

// An exclusive advisory lock (flock) on `path`, held until destruction or process exit (kill -9
// included: the kernel releases it). The file holds the holder's "pid P on host H".
class FileLock {
 public:
  // Takes the lock, or throws an Error naming `what` (e.g. "run folder runs/x"), the holder and
  // `path`.
  static FileLock acquire(const std::string& path, const std::string& what);
  // Whether some process holds the lock on `path` now (false when the file does not exist).
  static bool held(const std::string& path);
  // "pid P on host H" as written by the holder, or "" when unknown.
  static std::string holder(const std::string& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Flushes and closes standard output, checking for errors (a full disk, a closed file); returns
// the message of the failure, if any. A closed pipe (EPIPE: `rlnas ... | head`) is not a failure.
std::optional<std::string> close_stdout();

}  // namespace rlnas::io
