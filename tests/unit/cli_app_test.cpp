// define_app_for (src/cli/app.cpp): the verbs a command line gets defined.
// Only the verb it names, so hull does not build every verb's options on
// every start (issue #16); the whole app whenever the parse may need it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/app.hpp"

namespace hull::cli {
namespace {

std::vector<std::string> verbs_defined(const std::vector<std::string>& args) {
  Context ctx;
  CLI::App app(kAppDescription, kAppName);
  define_app_for(app, ctx, args);
  const CLI::App& defined = app;
  std::vector<std::string> names;
  for (const CLI::App* sub : defined.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

using Names = std::vector<std::string>;

TEST(CliApp, OnlyTheNamedVerbIsDefined) {
  EXPECT_EQ(verbs_defined({"run", "--bundle", "/b", "c1"}), Names{"run"});
  EXPECT_EQ(verbs_defined({"--root", "/x", "state", "c1"}), Names{"state"});
  EXPECT_EQ(verbs_defined({"-root", "/x", "--debug", "delete", "c1"}), Names{"delete"});
  EXPECT_EQ(verbs_defined({"--root=/x", "list"}), Names{"list"});
  EXPECT_EQ(verbs_defined({"run", "--help"}), Names{"run"});
}

TEST(CliApp, AGlobalFlagsValueIsNotTakenForTheVerb) {
  // "--root start" names a state root called "start": the verb is kill.
  EXPECT_EQ(verbs_defined({"--root", "start", "kill", "c1"}), Names{"kill"});
  EXPECT_EQ(verbs_defined({"-log", "exec", "--log-format", "json", "ps", "c1"}), Names{"ps"});
}

TEST(CliApp, HelpVersionNoVerbOrAnUnknownWordDefineEveryVerb) {
  const size_t all = verbs_defined({}).size();
  EXPECT_EQ(all, 18U);
  EXPECT_EQ(verbs_defined({"--help", "run"}).size(), all);
  EXPECT_EQ(verbs_defined({"-h"}).size(), all);
  EXPECT_EQ(verbs_defined({"--version"}).size(), all);
  EXPECT_EQ(verbs_defined({"--debug"}).size(), all);
  EXPECT_EQ(verbs_defined({"pauze", "c1"}).size(), all);
  EXPECT_EQ(verbs_defined({"--", "run"}).size(), all);
}

}  // namespace
}  // namespace hull::cli
