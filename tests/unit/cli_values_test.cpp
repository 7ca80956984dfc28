// Flag values written as runc's users write them: memory sizes (go-units
// RAMInBytes), durations (Go time.ParseDuration), and the ps table filter.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/operations.hpp"
#include "runtime/units.hpp"
#include "support/error_of.hpp"

namespace hull {
namespace {

using namespace std::chrono_literals;

TEST(RamInBytes, PlainNumbersAndBinarySuffixes) {
  EXPECT_EQ(parse_ram_in_bytes("0"), 0);
  EXPECT_EQ(parse_ram_in_bytes("1048576"), 1048576);
  EXPECT_EQ(parse_ram_in_bytes("100m"), 100LL << 20);
  EXPECT_EQ(parse_ram_in_bytes("100M"), 100LL << 20);
  EXPECT_EQ(parse_ram_in_bytes("100MB"), 100LL << 20);
  EXPECT_EQ(parse_ram_in_bytes("100MiB"), 100LL << 20);
  EXPECT_EQ(parse_ram_in_bytes("1g"), 1LL << 30);
  EXPECT_EQ(parse_ram_in_bytes("2t"), 2LL << 40);
  EXPECT_EQ(parse_ram_in_bytes("1p"), 1LL << 50);
  EXPECT_EQ(parse_ram_in_bytes("64k"), 64 << 10);
  EXPECT_EQ(parse_ram_in_bytes("512b"), 512);
  EXPECT_EQ(parse_ram_in_bytes("512B"), 512);
}

TEST(RamInBytes, FractionsAndASpaceBeforeTheSuffix) {
  EXPECT_EQ(parse_ram_in_bytes("1.5k"), 1536);
  EXPECT_EQ(parse_ram_in_bytes("0.5g"), 512LL << 20);
  EXPECT_EQ(parse_ram_in_bytes("32 MiB"), 32LL << 20);
  EXPECT_EQ(parse_ram_in_bytes("10.7"), 10);  // truncated, as Go's int64() conversion
}

TEST(RamInBytes, RejectsWhatGoUnitsRejects) {
  for (const char* bad : {"", "m", "-1", "-5m", "12q", "1mb5", "1bb", "1kbb", "1mx", "1kiB2", "abc", "1..2k"})
    EXPECT_THROW(parse_ram_in_bytes(bad), Error) << bad;
  const std::string what = test::error_of([] { parse_ram_in_bytes("12q"); });
  EXPECT_NE(what.find("\"12q\""), std::string::npos) << what;
}

// runc's int flags (--pids-limit, --blkio-weight) go through Go's flag
// package, base 0; its string flags through strconv, base 10.
TEST(GoInteger, BaseZeroTakesGosPrefixesAndUnderscores) {
  EXPECT_EQ(parse_go_int("10", 0), 10);
  EXPECT_EQ(parse_go_int("010", 0), 8);
  EXPECT_EQ(parse_go_int("0x10", 0), 16);
  EXPECT_EQ(parse_go_int("0X1f", 0), 31);
  EXPECT_EQ(parse_go_int("0o17", 0), 15);
  EXPECT_EQ(parse_go_int("0b11", 0), 3);
  EXPECT_EQ(parse_go_int("1_000", 0), 1000);
  EXPECT_EQ(parse_go_int("0x_1f", 0), 31);
  EXPECT_EQ(parse_go_int("0_7", 0), 7);  // the leading 0 is a digit before an underscore
  EXPECT_EQ(parse_go_int("0_0", 0), 0);
  EXPECT_EQ(parse_go_int("0", 0), 0);
  EXPECT_EQ(parse_go_int("-1", 0), -1);
  EXPECT_EQ(parse_go_int("+7", 0), 7);
  EXPECT_EQ(parse_go_int("-9223372036854775808", 0), INT64_MIN);
  EXPECT_EQ(parse_go_int("9223372036854775807", 0), INT64_MAX);
  for (const char* bad : {"", " 5", "5 ", "0x", "08", "1__0", "_1", "1_", "0_", "0x_", "0b2", "12a", "--1", "+-1",
                          "9223372036854775808", "-9223372036854775809", "99999999999999999999"})
    EXPECT_THROW(parse_go_int(bad, 0), Error) << bad;
}

TEST(GoInteger, BaseTenAndUnsignedAreStrictDecimals) {
  EXPECT_EQ(parse_go_int("010", 10), 10);
  EXPECT_EQ(parse_go_int("-20000", 10), -20000);
  EXPECT_EQ(parse_go_int("+20000", 10), 20000);
  EXPECT_EQ(parse_go_uint("50000"), 50000u);
  EXPECT_EQ(parse_go_uint("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", " 50000", "\t20000", "0x10", "1_000", "5k"})
    EXPECT_THROW(parse_go_int(bad, 10), Error) << bad;
  for (const char* bad : {"", "+50000", "-1", " 1", "1 ", "18446744073709551616", "1_0"})
    EXPECT_THROW(parse_go_uint(bad), Error) << bad;
  EXPECT_EQ(test::error_of([&] { parse_go_uint("+5"); }),
            "\"+5\" is not an unsigned integer (a value of 0 or more, without a sign)");
  EXPECT_EQ(parse_go_uint("0x10", 0), 16u);
  EXPECT_EQ(parse_go_uint("010", 0), 8u);
  EXPECT_EQ(parse_go_uint("1_000", 0), 1000u);
  for (const char* bad : {"-0x10", " 5", "0x", "abc"}) EXPECT_THROW(parse_go_uint(bad, 0), Error) << bad;
}

TEST(GoDuration, UnitsAndCombinations) {
  EXPECT_EQ(parse_go_duration("5s"), 5s);
  EXPECT_EQ(parse_go_duration("500ms"), 500ms);
  EXPECT_EQ(parse_go_duration("1m30s"), 90s);
  EXPECT_EQ(parse_go_duration("1.5h"), 5400s);
  EXPECT_EQ(parse_go_duration("250us"), 250us);
  EXPECT_EQ(parse_go_duration("250\xc2\xb5s"), 250us);
  EXPECT_EQ(parse_go_duration("10ns"), 10ns);
  EXPECT_EQ(parse_go_duration(".5s"), 500ms);
  EXPECT_EQ(parse_go_duration("0"), 0ns);
  EXPECT_EQ(parse_go_duration("-2s"), -2s);
  EXPECT_EQ(parse_go_duration("+2s"), 2s);
}

TEST(GoDuration, RejectsMissingUnitsAndGarbage) {
  for (const char* bad : {"", "5", "s", "5 s", "5x", "1m30", "-", "5sec", ".s"})
    EXPECT_THROW(parse_go_duration(bad), Error) << bad;
}

constexpr const char* kPsEf =
    "UID          PID    PPID  C STIME TTY          TIME CMD\n"
    "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
    "root         120       1  0 10:01 ?        00:00:00 sh -c sleep 1000 & wait\n"
    "root         121     120  0 10:01 ?        00:00:00 sleep 1000\n"
    "root         122       1  0 10:01 pts/0    00:00:00 ps -ef\n";

TEST(PsTable, KeepsTheHeaderAndTheContainersLines) {
  EXPECT_EQ(filter_ps_table(kPsEf, {120, 121}),
            "UID          PID    PPID  C STIME TTY          TIME CMD\n"
            "root         120       1  0 10:01 ?        00:00:00 sh -c sleep 1000 & wait\n"
            "root         121     120  0 10:01 ?        00:00:00 sleep 1000\n");
  EXPECT_EQ(filter_ps_table(kPsEf, {}), "UID          PID    PPID  C STIME TTY          TIME CMD\n");
}

TEST(PsTable, FindsThePidColumnByName) {
  // ps -o comm,pid: PID is the second column; a PPID column is not PID.
  EXPECT_EQ(filter_ps_table("COMMAND         PID\nsh              120\nps              122\n", {120}),
            "COMMAND         PID\nsh              120\n");
  EXPECT_EQ(filter_ps_table("PPID PID\n1 120\n120 121\n", {120}), "PPID PID\n1 120\n");
}

TEST(PsTable, FailsWithoutAPidColumnOrWithAnUnparsablePid) {
  EXPECT_THROW(filter_ps_table("UID CMD\nroot init\n", {1}), Error);
  EXPECT_THROW(filter_ps_table("PID CMD\nx init\n", {1}), Error);
}

}  // namespace
}  // namespace hull
