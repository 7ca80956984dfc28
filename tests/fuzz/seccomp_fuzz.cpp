// linux.seccomp: the input is the seccomp object; it is parsed as part of a
// minimal config and, when accepted, translated and compiled to BPF as create
// does before the start barrier (nothing is loaded).
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/warn.hpp"
#include "fuzz_guard.hpp"
#include "seccomp/seccomp.hpp"
#include "spec/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string config =
      R"({"ociVersion":"1.0.2","linux":{"seccomp":)" + std::string(reinterpret_cast<const char*>(data), size) + "}}";
  hull::fuzz::expect_clean("seccomp parse+compile", [&] {
    hull::spec::Spec spec = hull::spec::parse_config(config);
    if (spec.linux_ && spec.linux_->seccomp) hull::seccomp::compile(*spec.linux_->seccomp);
  });
  return 0;
}
