// Running the rlnas executable from tests: its output (stdout and stderr together) and exit code.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace rlnas::cli_test {

struct Run {
  int code;
  std::string out;  // stdout and stderr together
};

// Any shell command line.
inline Run run_command(const std::string& command) {
  const std::string cmd = command + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The rlnas executable with `args`.
inline Run run(const std::string& args) { return run_command(std::string(RLNAS_BIN) + " " + args); }

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// An empty folder <tmp>/<suite>/<name> for one test.
inline std::filesystem::path fresh_folder(const std::string& suite, const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / suite / name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// Starts `rlnas ARGS` in the background with stdout and stderr to the file `log`; returns its pid.
inline pid_t spawn(const std::string& args, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cmd = "exec " + std::string(RLNAS_BIN) + " " + args + " > '" + log + "' 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Polls `pred` every 100 ms for at most `seconds`; whether it became true.
template <typename Pred>
bool wait_for(Pred pred, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Starts `rlnas ARGS` (a search whose trials' run directories go under `trials_dir`) in the
// background and interrupts it (SIGINT: it stops, resumable) as soon as one trial has written its
// result.json. Whether that happened within `seconds`; the search has exited either way.
inline bool stop_search_after_first_trial(const std::string& args, const std::string& trials_dir,
                                          const std::string& log, double seconds = 300) {
  const pid_t pid = spawn(args, log);
  const bool one_done = wait_for(
      [&] { return run_command("find '" + trials_dir + "' -name result.json 2>/dev/null | grep -q .").code == 0; },
      seconds);
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  return one_done;
}

// A path quoted for the shell (built by appends: GCC 12 warns falsely on "'" + string).
inline std::string q(const std::filesystem::path& p) {
  std::string out(1, '\'');
  out += p.string();
  out += '\'';
  return out;
}

// Exit code of `pid` (128 + signal when killed), or -1 when it has not ended within `seconds`
// (then it is killed).
inline int wait_exit(pid_t pid, double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

// The whole file, empty when it cannot be read.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace rlnas::cli_test
