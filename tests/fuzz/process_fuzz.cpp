// process.json of `hull exec --process FILE`.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_guard.hpp"
#include "spec/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  hull::fuzz::expect_clean("parse_process_json", [&] { hull::spec::parse_process_json(text, "process.json"); });
  return 0;
}
