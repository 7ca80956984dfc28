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

// The long names of a verb's options define_app_for defines for a line.
std::vector<std::string> options_defined(const std::vector<std::string>& args) {
  Context ctx;
  CLI::App app(kAppDescription, kAppName);
  define_app_for(app, ctx, args);
  std::vector<std::string> names;
  for (const CLI::App* sub : static_cast<const CLI::App&>(app).get_subcommands({}))
    for (const CLI::Option* o : sub->get_options())
      if (!o->get_lnames().empty() && o->get_lnames()[0] != "help") names.push_back(o->get_lnames()[0]);
  return names;
}

TEST(CliApp, OnlyOptionsAWordCanNameAreDefined) {
  EXPECT_EQ(options_defined({"exec", "c1", "true"}), Names{});
  EXPECT_EQ(options_defined({"run", "--bundle", "/b", "c1"}), Names{"bundle"});
  // runc's single-dash long form; read as a cluster too, it holds the "d" of -d.
  EXPECT_EQ(options_defined({"run", "-bundle=/b", "c1"}), (Names{"bundle", "detach"}));
  EXPECT_EQ(options_defined({"exec", "--cwd=/x", "--env", "A=1", "c1", "true"}), (Names{"cwd", "env"}));
  // A cluster of short flags names each letter; a long name's prefix or a
  // longer word does not name it.
  EXPECT_EQ(options_defined({"exec", "-td", "c1", "true"}), (Names{"tty", "detach"}));
  EXPECT_EQ(options_defined({"exec", "--pid", "--cwdx", "c1", "true"}), Names{});
  // Words of the container's command count too: defining more never
  // changes a parse.
  EXPECT_EQ(options_defined({"exec", "c1", "sh", "-c", "x"}), Names{"cap"});
}

TEST(CliApp, HelpAfterTheVerbDefinesAllItsOptions) {
  EXPECT_EQ(options_defined({"exec", "--help"}).size(), 17U);
  EXPECT_EQ(options_defined({"exec", "-h"}).size(), 17U);
  EXPECT_EQ(options_defined({"exec", "-th"}).size(), 17U);
  EXPECT_EQ(options_defined({"run", "-h"}).size(), 12U);
}

// The long names of the global flags define_app_for defines for a line, in order.
std::vector<std::string> globals_defined(const std::vector<std::string>& args) {
  Context ctx;
  CLI::App app(kAppDescription, kAppName);
  define_app_for(app, ctx, args);
  std::vector<std::string> names;
  for (const CLI::Option* o : static_cast<const CLI::App&>(app).get_options())
    if (!o->get_lnames().empty()) names.push_back(o->get_lnames()[0]);
  return names;
}

TEST(CliApp, OnlyGlobalFlagsAWordNamesAreDefinedForOneVerb) {
  // No -h on the line, no help flag: a verb would copy it through a stream.
  EXPECT_EQ(globals_defined({"exec", "c1", "true"}), (Names{"version"}));
  EXPECT_EQ(globals_defined({"--root", "/x", "--debug", "state", "c1"}), (Names{"root", "debug", "version"}));
  EXPECT_EQ(globals_defined({"-log", "exec", "--log-format", "json", "ps", "c1"}),
            (Names{"log", "log-format", "version"}));
  const Names all{"help", "root", "rootless", "log", "log-format", "debug", "systemd-cgroup", "criu", "version"};
  EXPECT_EQ(globals_defined({"--debug", "--help"}), all) << "the help lists them all, in their order";
  EXPECT_EQ(globals_defined({"--systemd-cgroup", "state", "-h"}), all);
  EXPECT_EQ(globals_defined({"--root", "/x", "pauze", "c1"}), all);
}

// runc reads --rootless with Go's strconv.ParseBool, or "auto" in any case.
TEST(CliApp, RootlessTakesGoBoolFormsAndAuto) {
  const std::vector<std::pair<std::string, std::string>> forms = {
      {"1", "true"},  {"t", "true"},      {"TRUE", "true"}, {"True", "true"}, {"0", "false"},
      {"F", "false"}, {"false", "false"}, {"AUTO", "auto"}, {"auto", "auto"}};
  for (const auto& [given, read] : forms) {
    const std::vector<std::string> args{"--rootless=" + given, "state", "c1"};
    Context ctx;
    CLI::App app(kAppDescription, kAppName);
    // The verbs own what their options write to: kept until the parse is done.
    const std::vector<Verb> verbs = define_app_for(app, ctx, args);
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
    EXPECT_EQ(ctx.rootless, read) << given;
  }
  const std::vector<std::string> bad{"--rootless=yes", "state", "c1"};
  Context ctx;
  CLI::App app(kAppDescription, kAppName);
  const std::vector<Verb> verbs = define_app_for(app, ctx, bad);
  EXPECT_THROW(app.parse(std::vector<std::string>(bad.rbegin(), bad.rend())), CLI::ParseError);
}

// containerd's runc shim with CriuPath set puts `--criu PATH` before every
// command (go-runc), as runc 1.1 accepts it: the path is a value, never the
// command word.
TEST(CliApp, TheGlobalCriuFlagTakesAPathBeforeAnyCommand) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--criu", "/usr/sbin/criu", "state", "c1"},
                                               std::vector<std::string>{"--criu=/opt/criu", "state", "c1"}}) {
    Context ctx;
    CLI::App app(kAppDescription, kAppName);
    const std::vector<Verb> verbs = define_app_for(app, ctx, args);
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
    EXPECT_EQ(ctx.global.criu, args.size() == 4 ? "/usr/sbin/criu" : "/opt/criu");
    EXPECT_TRUE(app.get_subcommand("state")->parsed());
  }
  Context ctx;
  CLI::App app(kAppDescription, kAppName);
  const std::vector<std::string> plain{"state", "c1"};
  const std::vector<Verb> verbs = define_app_for(app, ctx, plain);
  app.parse(std::vector<std::string>(plain.rbegin(), plain.rend()));
  EXPECT_EQ(ctx.global.criu, "criu");
}

// runc (Go's flag package) lets a later value of a flag replace an earlier
// one; podman's --log-format=json followed by a user's
// --runtime-flag=log-format=text once failed with CLI11's "At Most 1".
TEST(CliApp, AFlagGivenTwiceTakesItsLastValueAndListsKeepEveryValue) {
  const std::vector<std::string> args{"--log-format", "json", "--log-format=text", "exec", "--cwd", "/a",
                                      "--cwd", "/b",  "--env", "A=1", "--env", "B=2", "c1", "true"};
  Context ctx;
  CLI::App app(kAppDescription, kAppName);
  const std::vector<Verb> verbs = define_app_for(app, ctx, args);
  app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
  EXPECT_EQ(ctx.log_format, "text");
  const CLI::App* exec = app.get_subcommand("exec");
  EXPECT_EQ(exec->get_option("--cwd")->as<std::string>(), "/b");
  EXPECT_EQ(exec->get_option("--env")->as<std::vector<std::string>>(), (Names{"A=1", "B=2"}));
}

// runc checks the value it takes, the last: an earlier one it replaces may
// be anything. Every occurrence was checked (CLI11's validators run before
// its TakeLast policy).
TEST(CliApp, OnlyTheValueTakenIsChecked) {
  auto parse = [](const std::vector<std::string>& args, Context& ctx) {
    CLI::App app(kAppDescription, kAppName);
    const std::vector<Verb> verbs = define_app_for(app, ctx, args);
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
  };
  Context ctx;
  parse({"--log-format", "bogus", "--log-format", "json", "--rootless", "yes", "--rootless", "F", "state", "c1"}, ctx);
  EXPECT_EQ(ctx.log_format, "json");
  EXPECT_EQ(ctx.rootless, "false");
  Context last_bad;
  EXPECT_THROW(parse({"--log-format", "json", "--log-format", "bogus", "state", "c1"}, last_bad), CLI::ParseError);
  EXPECT_THROW(parse({"--rootless", "false", "--rootless", "yes", "state", "c1"}, last_bad), CLI::ParseError);
}

}  // namespace
}  // namespace hull::cli
