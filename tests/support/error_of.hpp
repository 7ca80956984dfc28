#pragma once
// What a call throws as hull::Error, as text, for tests that assert the
// message a user would read.
#include <functional>
#include <string>

#include "base/error.hpp"

namespace hull::test {

// error_of's result when f throws nothing.
inline constexpr const char* kNoError = "(no error)";

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return kNoError;
}

}  // namespace hull::test
