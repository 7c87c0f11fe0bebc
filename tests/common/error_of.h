// Test helper: the message of the rlnas::Error a callable throws (a test failure if none).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "rlnas/core/error.h"

namespace rlnas::test_util {

template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected rlnas::Error";
  return "";
}

}  // namespace rlnas::test_util
