// Inputs the fuzz targets (tests/fuzz) found, each kept as a case here once
// fixed: every parser of outside input must reject them with hull::Error.
#include <gtest/gtest.h>

#include <string>

#include "base/error.hpp"
#include "runtime/units.hpp"
#include "spec/spec.hpp"

namespace hull::spec {
namespace {

template <class F>
std::string what_is_thrown(F&& f) {
  try {
    f();
  } catch (const hull::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not a hull::Error: ") + e.what();
  }
  return "no error";
}

// A number past a double's range: nlohmann's out_of_range.406 escaped
// unconverted, without the file name (found by fuzz_config, fuzz_process,
// fuzz_resources and fuzz_seccomp within 20 s each).
TEST(FuzzRegressions, NumberOverflowIsAnInvalidJsonError) {
  EXPECT_EQ(what_is_thrown([] { parse_config(R"({"ociVersion": "1.0.2", "x": 1e400})"); }),
            "config.json: invalid JSON: number overflow parsing '1e400'");
  EXPECT_EQ(what_is_thrown([] {
              parse_process_json(R"({"args": ["sh"], "user": {"uid": 1844674407370955201e400}})", "process.json");
            }),
            "process.json: invalid JSON: number overflow parsing '1844674407370955201e400'");
  EXPECT_EQ(what_is_thrown([] { parse_resources_json(R"({"pids": {"limit": -1e400}})", "resources.json"); }),
            "resources.json: invalid JSON: number overflow parsing '-1e400'");
  EXPECT_EQ(what_is_thrown(
                [] { parse_config(R"({"ociVersion": "1.0.2", "linux": {"seccomp": {"architectures": [1e400]}}})"); }),
            "config.json: invalid JSON: number overflow parsing '1e400'");
}

// Strings with escapes: config.json's reader kept the first one's decoded
// copy in a buffer that the next ones moved (found by fuzz_config under
// AddressSanitizer, a heap-use-after-free reading the hostname, before the
// reader was committed).
TEST(FuzzRegressions, EscapedStringsReadBackAfterLaterOnesAreDecoded) {
  Spec s = parse_config(R"({"ociVersion": "1.0.2", "hostname": "h\u0041", "domainname": "d\u0042",)"
                        R"( "annotations": {"k\u0043": "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"x\""}})");
  EXPECT_EQ(s.hostname.value_or(""), "hA");
  EXPECT_EQ(s.domainname.value_or(""), "dB");
  EXPECT_EQ(s.annotations.at("kC"), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"x\"");
}

// Digits past a double's range in a command-line value: std::stod threw
// std::out_of_range (found by fuzz_cli_values in CI's 10 s run).
TEST(FuzzRegressions, HugeNumbersInCommandLineValuesAreRefusedAsTooLarge) {
  const std::string huge(400, '8');
  EXPECT_EQ(what_is_thrown([&] { parse_go_duration(huge + "ms"); }), "invalid duration \"" + huge + "ms\": too large");
  EXPECT_EQ(what_is_thrown([&] { parse_ram_in_bytes(huge); }), "invalid size \"" + huge + "\": too large");
  // A fraction too small for a double counts as nothing, as a 0 would.
  EXPECT_EQ(parse_go_duration("0." + std::string(400, '0') + "1s"), std::chrono::nanoseconds(0));
  EXPECT_EQ(parse_go_duration("1." + std::string(400, '0') + "1s"), std::chrono::seconds(1));
}

}  // namespace
}  // namespace hull::spec
