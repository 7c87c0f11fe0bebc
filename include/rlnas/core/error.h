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

}  // namespace rlnas
