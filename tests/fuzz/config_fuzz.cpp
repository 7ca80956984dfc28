// config.json: the whole parse, then the checks create makes before it
// touches anything (validate_for_create).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_guard.hpp"
#include "spec/spec.hpp"
#include "spec/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  hull::fuzz::expect_clean("parse_config", [&] {
    hull::spec::Spec spec = hull::spec::parse_config(text);
    hull::spec::validate_for_create(spec);
  });
  return 0;
}
