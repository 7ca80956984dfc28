#include "base/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "support/temp_dir.hpp"

namespace hull::log {
namespace {

constexpr const char* kTime = "2026-11-22T10:00:00Z";

TEST(LogFormat, JsonLineIsRuncs) {
  EXPECT_EQ(format_line(Level::Error, "container \"web\" does not exist", kTime, true),
            "{\"level\":\"error\",\"msg\":\"container \\\"web\\\" does not exist\","
            "\"time\":\"2026-11-22T10:00:00Z\"}\n");
}

TEST(LogFormat, JsonLevelsUseLogrusNames) {
  EXPECT_NE(format_line(Level::Warn, "x", kTime, true).find("\"level\":\"warning\""), std::string::npos);
  EXPECT_NE(format_line(Level::Info, "x", kTime, true).find("\"level\":\"info\""), std::string::npos);
  EXPECT_NE(format_line(Level::Debug, "x", kTime, true).find("\"level\":\"debug\""), std::string::npos);
}

TEST(LogFormat, JsonEscapesLikeGo) {
  std::string line = format_line(Level::Error, "a\nb\t<c>&\x01\\", kTime, true);
  EXPECT_EQ(line,
            "{\"level\":\"error\",\"msg\":\"a\\nb\\t\\u003cc\\u003e\\u0026\\u0001\\\\\","
            "\"time\":\"2026-11-22T10:00:00Z\"}\n");
}

TEST(LogFormat, JsonReplacesInvalidUtf8AndKeepsValid) {
  std::string line = format_line(Level::Error, "\xff caf\xc3\xa9", kTime, true);
  EXPECT_NE(line.find("\\ufffd caf\xc3\xa9"), std::string::npos);
  // Whatever the input, the line must be valid JSON for the shim.
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["msg"], "\xef\xbf\xbd caf\xc3\xa9");
}

TEST(LogFormat, TextLineIsLogrusLike) {
  EXPECT_EQ(format_line(Level::Error, "container \"web\" does not exist", kTime, false),
            "time=\"2026-11-22T10:00:00Z\" level=error msg=\"container \\\"web\\\" does not exist\"\n");
}

TEST(LogFormat, TextQuotesOnlyWhenNeeded) {
  EXPECT_EQ(format_line(Level::Warn, "plain-word_1.0/x@y", kTime, false),
            "time=\"2026-11-22T10:00:00Z\" level=warning msg=plain-word_1.0/x@y\n");
  EXPECT_EQ(format_line(Level::Info, "tab\there\x7f", kTime, false),
            "time=\"2026-11-22T10:00:00Z\" level=info msg=\"tab\\there\\x7f\"\n");
}

// What Go's %q escapes, as runc's text lines show it: a hook's output with
// a bidirectional override or a zero-width space cannot reorder or hide
// part of the line; letters, marks and symbols beyond ASCII stay as they are.
TEST(LogFormat, TextEscapesWhatGoDoesNotPrint) {
  EXPECT_EQ(
      format_line(Level::Warn,
                  "A\u00a0B\u2066C\u200bD\ufeffE\u2028F\u00adG\ue000H evil \u202etxt \U0001d173 caf\u00e9 \u2603 "
                  "\U0001f600 \u4e2d",
                  kTime, false),
      "time=\"2026-11-22T10:00:00Z\" level=warning msg=\"A\\u00a0B\\u2066C\\u200bD\\ufeffE\\u2028F\\u00adG\\ue000H "
      "evil \\u202etxt \\U0001d173 caf\u00e9 \u2603 \U0001f600 \u4e2d\"\n");
  // Planes 2-14's unassigned stretches and tags too; variation selectors
  // (marks) and the last CJK ideographs stay.
  EXPECT_EQ(format_line(Level::Warn, "\U0002fa1e \U00050000 \U000e0000 \U000e0080 \U000e01f0 \U000e0100 \U0002fa1d",
                        kTime, false),
            "time=\"2026-11-22T10:00:00Z\" level=warning msg=\"\\U0002fa1e \\U00050000 \\U000e0000 \\U000e0080 "
            "\\U000e01f0 \U000e0100 \U0002fa1d\"\n");
}

TEST(LogTime, IsRfc3339Utc) {
  EXPECT_EQ(rfc3339(timespec{0, 0}, false), "1970-01-01T00:00:00Z");
  // 2026-11-22 10:00:00 UTC, one nanosecond short of the next second.
  EXPECT_EQ(rfc3339(timespec{1795341600, 999999999}, false), "2026-11-22T10:00:00Z");
  EXPECT_EQ(rfc3339(timespec{1795341600, 999999999}, true), "2026-11-22T10:00:00.999999999Z");
  EXPECT_EQ(rfc3339(timespec{1795341600, 5}, true), "2026-11-22T10:00:00.000000005Z");
  // As Go's RFC3339Nano (runc's "created"): no trailing zeros, no empty fraction.
  EXPECT_EQ(rfc3339(timespec{1795341600, 500000000}, true), "2026-11-22T10:00:00.5Z");
  EXPECT_EQ(rfc3339(timespec{1795341600, 303587510}, true), "2026-11-22T10:00:00.30358751Z");
  EXPECT_EQ(rfc3339(timespec{1795341600, 0}, true), "2026-11-22T10:00:00Z");
  // The last second of a leap day, and of a year.
  EXPECT_EQ(rfc3339(timespec{1709251199, 0}, false), "2024-02-29T23:59:59Z");
  EXPECT_EQ(rfc3339(timespec{1798761599, 0}, false), "2026-12-31T23:59:59Z");
  std::string t = rfc3339_now_seconds();
  ASSERT_EQ(t.size(), 20u) << t;
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t.back(), 'Z');
}

class LogFile : public ::testing::Test {
 protected:
  void TearDown() override { configure("", false, false); }
  std::string contents() {
    std::ifstream f(path_);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  hull::test::TempDir tmp_{"log-test"};
  std::string dir_ = tmp_.path();
  std::string path_ = tmp_ / "log.json";
};

TEST_F(LogFile, AppendsJsonLinesAndFiltersDebug) {
  configure(path_, true, false);
  EXPECT_TRUE(to_file());
  EXPECT_FALSE(enabled(Level::Debug));
  error("first");
  debug("hidden");
  bool called = false;
  debug([&] {
    called = true;
    return std::string("lazy");
  });
  EXPECT_FALSE(called) << "debug message built although --debug is off";
  warn("second");

  configure(path_, true, true);  // reopening appends, never truncates
  debug("shown");

  std::istringstream lines(contents());
  std::string line;
  std::vector<nlohmann::json> parsed;
  while (std::getline(lines, line)) parsed.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0]["msg"], "first");
  EXPECT_EQ(parsed[0]["level"], "error");
  EXPECT_EQ(parsed[1]["level"], "warning");
  EXPECT_EQ(parsed[2]["msg"], "shown");
}

TEST_F(LogFile, KeepsErrno) {
  configure(path_, false, false);
  errno = ENOENT;
  error("x");
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(LogFile, UnopenableFileThrowsWithPath) {
  try {
    configure(dir_ + "/missing/dir/log", false, false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing/dir/log"), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), ENOENT);
  }
  EXPECT_FALSE(to_file());
}

}  // namespace
}  // namespace hull::log
