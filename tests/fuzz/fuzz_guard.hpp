#pragma once
// What every fuzz target asserts: a parser of outside input either accepts
// the input or rejects it with hull::Error, whose message the CLI prints as
// is. Any other exception (std::out_of_range from a substr, nlohmann's
// type_error, ...) reaches the user as an unhelpful message, so it is a
// finding like a crash: abort, and libFuzzer keeps the input.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "base/error.hpp"

namespace hull::fuzz {

template <class F>
void expect_clean(const char* what, F&& f) {
  try {
    f();
  } catch (const hull::Error&) {
    // A clean rejection.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s threw a non-hull::Error exception: %s\n", what, e.what());
    std::abort();
  }
}

}  // namespace hull::fuzz
