// The config reader's JSON against nlohmann's: any text one reads and the
// other refuses, or that they read as different values, stops the run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../support/json_tree_vs_nlohmann.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string disagreement = hull::testing::json_tree_disagreement(text);
  if (!disagreement.empty()) {
    std::fprintf(stderr, "json_tree and nlohmann disagree: %s\n", disagreement.c_str());
    std::abort();
  }
  return 0;
}
