// normalize_single_dash: runc's (Go's) flag forms rewritten for CLI11.
#include <gtest/gtest.h>

#include "cli/args.hpp"

namespace hull::cli {
namespace {

using Args = std::vector<std::string>;

// The few flags the cases use, as main.cpp collects them from the command line.
Args normalize(Args args) {
  FlagSet global;
  global.long_names = {"root", "debug"};
  global.with_value = {"root"};
  std::map<std::string, FlagSet> verbs;
  FlagSet& del = verbs["delete"] = global;
  del.long_names.insert("force");
  del.long_of_short["f"] = "force";
  FlagSet& list = verbs["list"] = global;
  list.long_names.insert({"quiet", "format"});
  list.with_value.insert({"format", "f"});
  list.long_of_short = {{"q", "quiet"}, {"f", "format"}};
  FlagSet& exec = verbs["exec"] = global;
  exec.long_names.insert({"tty", "env"});
  exec.with_value.insert({"env", "e"});
  exec.long_of_short = {{"t", "tty"}, {"e", "env"}};
  verbs["ps"] = verbs["list"];
  return normalize_single_dash(std::move(args), global, verbs);
}

TEST(CliArgs, SingleDashLongFlagsAndOneLetterFlagsWithAValueTakeTheLongForm) {
  EXPECT_EQ(normalize({"-root", "/x", "list", "-q=false", "-f=json"}),
            (Args{"--root", "/x", "list", "--quiet=false", "--format=json"}));
  EXPECT_EQ(normalize({"list", "-q", "-f", "json"}), (Args{"list", "-q", "-f", "json"}));
  EXPECT_EQ(normalize({"exec", "-t=false", "c1", "true"}), (Args{"exec", "--tty=false", "c1", "true"}));
}

// runc refuses a true/false flag given "=" and nothing; CLI11 would read it
// (and its "{}") as true. A flag with a value may be empty ("--root=").
TEST(CliArgs, AnEmptyValueOfATrueFalseFlagIsRefused) {
  for (const Args& line : {Args{"list", "--quiet="}, Args{"list", "-quiet="}, Args{"--debug={}", "list"},
                           Args{"delete", "-f=", "c1"}, Args{"exec", "-t=", "c1", "true"}}) {
    EXPECT_THROW(normalize(line), RefusedFlagValue) << line[1];
  }
  try {
    normalize({"list", "-q="});
    ADD_FAILURE() << "taken";
  } catch (const RefusedFlagValue& e) {
    EXPECT_STREQ(e.what(), "-q: invalid boolean value \"\": expected true or false (or 1, t, 0, f...)");
    EXPECT_EQ(e.verb, "list");  // whose --help the usage line names
  }
  try {
    normalize({"--debug=", "list"});
    ADD_FAILURE() << "taken";
  } catch (const RefusedFlagValue& e) {
    EXPECT_EQ(e.verb, "");
  }
  EXPECT_EQ(normalize({"--root=", "list"}), (Args{"--root", "", "list"}));
  EXPECT_EQ(normalize({"exec", "c1", "grep", "--quiet="}), (Args{"exec", "c1", "grep", "--quiet="}));
}

// Go's flag package takes two dashes before a one-letter flag too ("runc
// delete --f", "runc exec --e A=1"); CLI11 takes them only as long names.
TEST(CliArgs, AOneLetterFlagAfterTwoDashesTakesTheLongForm) {
  EXPECT_EQ(normalize({"delete", "--f", "c1"}), (Args{"delete", "--force", "c1"}));
  EXPECT_EQ(normalize({"exec", "--e", "A=1", "c1", "true"}), (Args{"exec", "--env", "A=1", "c1", "true"}));
  EXPECT_EQ(normalize({"list", "--f=json", "--q"}), (Args{"list", "--format=json", "--quiet"}));
  EXPECT_EQ(normalize({"list", "--z"}), (Args{"list", "--z"}));
}

// "--format=" gives the flag an empty value in Go; CLI11 would take the next
// word (the id) for it.
TEST(CliArgs, AnEmptyValueAfterAnEqualsSignStaysEmpty) {
  EXPECT_EQ(normalize({"list", "--format=", "-q"}), (Args{"list", "--format", "", "-q"}));
  EXPECT_EQ(normalize({"list", "-f=", "-q"}), (Args{"list", "--format", "", "-q"}));
  EXPECT_EQ(normalize({"--root=", "list"}), (Args{"--root", "", "list"}));
  EXPECT_THROW(normalize({"delete", "--force=", "c1"}), RefusedFlagValue);  // a true/false flag: runc refuses it
}

// runc's command library reorders the flags of every verb but exec and ps.
TEST(CliArgs, FlagsAfterTheIdAreRewrittenButAProcessesOwnArgumentsAreKept) {
  EXPECT_EQ(normalize({"delete", "c1", "-force"}), (Args{"delete", "c1", "--force"}));
  EXPECT_EQ(normalize({"delete", "c1", "-f=true"}), (Args{"delete", "c1", "--force=true"}));
  EXPECT_EQ(normalize({"exec", "c1", "grep", "-env", "-t=x"}), (Args{"exec", "c1", "grep", "-env", "-t=x"}));
  EXPECT_EQ(normalize({"ps", "c1", "-q=x"}), (Args{"ps", "c1", "-q=x"}));
  EXPECT_EQ(normalize({"delete", "--", "-force"}), (Args{"delete", "--", "-force"}));
  EXPECT_EQ(normalize({"exec", "-t", "--", "c1", "sh"}), (Args{"exec", "-t", "c1", "sh"}));
  EXPECT_EQ(normalize({"exec", "c1", "--", "sh"}), (Args{"exec", "c1", "--", "sh"}));
  // A flag's value is never taken for the verb or rewritten.
  EXPECT_EQ(normalize({"-root", "-debug", "list"}), (Args{"--root", "-debug", "list"}));
}

}  // namespace
}  // namespace hull::cli
