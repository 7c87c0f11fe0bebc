// User-facing errors: bad configs, CLI arguments, files or environment outputs.
// Each message says what was expected, what was found and where.
#pragma once

#include <stdexcept>
#include <string>

namespace rlnas {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// An Error in what the command line gave (a flag's or --set's value out of range, an unknown
// key): the CLI exits with the usage code (2), not the error code (1). The same value read from a
// configuration file is an Error.
class UsageError : public Error {
 public:
  using Error::Error;
};

// Whether `where` (an OptionTable source: "--steps", "--set KEY=VALUE", "file.yaml:3") names the
// command line.
inline bool is_command_line(const std::string& where) { return where.rfind("--", 0) == 0; }

// An exception's message without the JSON library's "[json.exception.parse_error.101] " tag, to
// quote inside an Error ("parse error at line 1, column 5: syntax error ...").
inline std::string plain_error_text(const std::exception& e) {
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    if (const auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
  }
  return what;
}

}  // namespace rlnas
