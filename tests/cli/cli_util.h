// Running the rlnas executable from tests: its output (stdout and stderr together) and exit code.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

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

}  // namespace rlnas::cli_test
