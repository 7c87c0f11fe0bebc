// Checked file output, JSON-lines repair and folder locks (see io.h).
#include "rlnas/core/io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"

namespace rlnas::io {

namespace fs = std::filesystem;

void throw_system_error(const std::string& what, const std::string& path, int err) {
  throw Error("cannot " + what + " '" + path + "': " + std::strerror(err));
}

namespace {

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_system_error("write", path, errno);
    if (n == 0) throw_system_error("write", path, ENOSPC);
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void close_checked(int fd, const std::string& path) {
  if (::close(fd) != 0 && errno != EINTR) throw_system_error("close", path, errno);
}

// Best effort: makes a rename durable on file systems that support syncing folders.
void sync_folder(const fs::path& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

}  // namespace

void check_own_file(const std::string& path) {
  std::error_code ec;
  const auto status = fs::symlink_status(path, ec);
  if (!fs::exists(status) || fs::is_regular_file(status)) return;
  const char* kind = fs::is_symlink(status)     ? "a symbolic link"
                     : fs::is_directory(status) ? "a folder"
                                                : "not a regular file";
  throw Error("'" + path + "' is " + kind +
              ", and rlnas reads and writes only regular files of its own there (remove it and run again)");
}

void write_file_atomic(const std::string& path, const std::string& contents, Target target_kind) {
  std::error_code ec;
  fs::path target(path);
  if (target_kind == Target::own) check_own_file(path);
  if (fs::is_symlink(fs::symlink_status(target, ec))) target = fs::weakly_canonical(target, ec);
  const auto status = fs::status(target, ec);
  if (fs::exists(status)) {
    if (fs::is_directory(status)) throw Error("cannot write '" + path + "': it is a folder; name a file");
    if (!fs::is_regular_file(status)) {
      // A device or FIFO: written in place, never replaced by a regular file.
      const int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) throw_system_error("open", path, errno);
      try {
        write_all(fd, contents, path);
      } catch (...) {
        ::close(fd);
        throw;
      }
      close_checked(fd, path);
      return;
    }
  }
  const std::string tmp = target.string() + ".tmp";
  if (fs::is_regular_file(fs::symlink_status(tmp, ec))) fs::remove(tmp, ec);  // a leftover of a crash
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw_system_error("create", tmp, errno);
  try {
    try {
      write_all(fd, contents, tmp);
      if (::fsync(fd) != 0) throw_system_error("sync", tmp, errno);
    } catch (...) {
      ::close(fd);
      throw;
    }
    close_checked(fd, tmp);
    if (std::rename(tmp.c_str(), target.c_str()) != 0) {
      throw Error("cannot rename '" + tmp + "' to '" + target.string() + "': " + std::strerror(errno));
    }
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  sync_folder(target.parent_path());
}

void create_folders(const std::string& path, const std::string& what) {
  std::error_code ec;
  for (fs::path p = fs::path(path); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p, ec) && !fs::is_directory(p, ec)) {
      throw Error(what + ": cannot create the folder '" + path + "': '" + p.string() + "' is a file");
    }
    if (p == p.parent_path()) break;
  }
  fs::create_directories(path, ec);
  if (ec) throw Error(what + ": cannot create the folder '" + path + "': " + ec.message());
}

std::string read_file(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error("cannot read '" + path + "': it is a folder; name a file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_system_error("read", path, errno);
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw_system_error("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      throw Error("cannot read '" + path + "': it holds more than " + std::to_string(max_bytes) +
                  " bytes, the limit for such a file (is it the file you meant?)");
    }
  }
  ::close(fd);
  return out;
}

namespace {
// open(2) of a file of rlnas's own: no symbolic link followed, and nothing but a regular file (a
// FIFO would block, a device would take the writes).
int open_own(const std::string& path, int flags, const char* what) {
  check_own_file(path);  // a FIFO would block, or fail with ENXIO, at open
  const int fd = ::open(path.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0 && errno == ELOOP) {
    throw Error("cannot " + std::string(what) + " '" + path +
                "': it is a symbolic link, and rlnas follows none inside its own folders (remove it and run again)");
  }
  if (fd < 0) throw_system_error(what, path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("cannot " + std::string(what) + " '" + path +
                "': it is not a regular file, and rlnas writes only regular files of its own there");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}
}  // namespace

AppendFile::AppendFile(const std::string& path) : path_(path) {
  fd_ = open_own(path, O_WRONLY | O_CREAT | O_APPEND, "open");
}

AppendFile::AppendFile(AppendFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }

AppendFile& AppendFile::operator=(AppendFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::write(std::string_view data) {
  if (fd_ < 0) throw Error("internal: write to the closed file '" + path_ + "'");
  write_all(fd_, data, path_);
}

void AppendFile::write_line(std::string_view line) {
  std::string text(line);
  text += '\n';
  write(text);
}

void AppendFile::sync() {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) throw_system_error("sync", path_, errno);
}

void AppendFile::close() {
  if (fd_ < 0) return;
  const int fd = fd_;
  fd_ = -1;
  close_checked(fd, path_);
}

void append_line(const std::string& path, std::string_view line) {
  AppendFile f(path);
  f.write_line(line);
  f.close();
}

int64_t truncate_jsonl_after(const std::string& path, int64_t step) {
  check_own_file(path);
  std::error_code ec;
  if (!fs::exists(path, ec)) return 0;
  const std::string text = read_file(path);
  std::string kept;
  int64_t removed = 0;
  size_t begin = 0;
  int64_t line_no = 0;
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    ++line_no;
    if (end == std::string::npos) {  // the last line, cut before its newline: a kill -9 leftover
      ++removed;
      break;
    }
    const std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      check_json_depth(line, path);
      j = nlohmann::json::parse(line);
    } catch (const std::exception&) {
    }
    if (!j.is_object() || !j.contains("step") || !j["step"].is_number_integer()) {
      throw Error(path + ":" + std::to_string(line_no) + ": expected a JSON object with an integer \"step\", found '" +
                  std::string(line.substr(0, 80)) + (line.size() > 80 ? "...'" : "'") +
                  "; the run cannot resume past it. Repair: delete or restore that line (lines after the checkpoint's "
                  "step " +
                  std::to_string(step) + " are removed by the resume itself), then resume again");
    }
    if (j["step"].get<int64_t>() > step) {
      ++removed;
      continue;
    }
    kept.append(line);
    kept += '\n';
  }
  if (kept.size() != text.size()) write_file_atomic(path, kept, Target::own);
  return removed;
}

FileLock FileLock::acquire(const std::string& path, const std::string& what) {
  const int fd = open_own(path, O_RDWR | O_CREAT, "create the lock file");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      const std::string h = holder(path);
      throw Error(what + " is in use by " + (h.empty() ? std::string("another process") : h) + " (lock file " + path +
                  "); wait until it ends or stop it first");
    }
    throw_system_error("lock", path, err);
  }
  const std::string text = "pid " + std::to_string(::getpid()) + " on host " + host_name() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    ::close(fd);
    throw_system_error("write the lock file", path, err);
  }
  return FileLock(fd);
}

bool FileLock::held(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return locked;
}

std::string FileLock::holder(const std::string& path) {
  try {
    std::string text = read_file(path);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  } catch (const std::exception&) {
    return "";
  }
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

std::optional<std::string> close_stdout() {
  std::cout.flush();
  errno = 0;
  int err = 0;
  if (std::fflush(stdout) != 0) err = errno;
  const bool failed = err != 0 || std::ferror(stdout) || std::cout.bad();
  if (failed && err == 0) {
    // The failure happened at an earlier flush (std::endl) and its errno is gone: one more byte
    // on the already failed output says why (ENOSPC, EIO, ...).
    err = ::write(STDOUT_FILENO, "\n", 1) < 0 ? errno : -1;  // -1: it fails no more; reason unknown
  }
  if (std::fclose(stdout) != 0 && err == 0) err = errno;
  if (err == 0 || err == EPIPE) return std::nullopt;  // EPIPE: the reader went away (| head)
  return std::string("cannot write to standard output: ") + (err > 0 ? std::strerror(err) : "write error");
}

}  // namespace rlnas::io
