// The man pages and completion are written from the command line's definition
// (tools/cli_docs); these tests hold the pages, the completion and the
// README to it: every flag of every verb is in its page, the README lists
// exactly the verbs hull has, and man/commands.yaml describes only flags and
// verbs that exist.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli_docs/cli_docs.hpp"
#include "support/proc_files.hpp"
#include "support/temp_dir.hpp"

namespace hull::cli_docs {
namespace {

namespace fs = std::filesystem;
using hull::itest::read_text_file;

const std::string kYaml = std::string(HULL_SOURCE_DIR) + "/man/commands.yaml";

// Runs a shell command, returns its stdout.
std::string shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST(CliDocs, EveryFlagOfEveryVerbIsInItsPage) {
  Cli cli = hull_cli();
  Texts texts = read_texts(kYaml);
  PageInfo info{"0.0.0", "2000-01-01"};
  ASSERT_GE(cli.commands.size(), 15u);
  for (const Command& c : cli.commands) {
    std::string page = command_page(cli, c, texts, info);
    std::string title = c.name;
    for (char& ch : title) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_NE(page.find(".TH HULL\\-" + roff_escape(title) + " 8 "), std::string::npos) << c.name;
    for (const Flag& f : c.flags)
      for (const std::string& name : f.names)
        EXPECT_NE(page.find("\\fB" + roff_escape(name) + "\\fR"), std::string::npos)
            << "hull-" << c.name << "(8) lacks " << name;
    EXPECT_NE(page.find(".SH EXIT STATUS"), std::string::npos) << c.name;
    EXPECT_NE(page.find(".SH EXAMPLES"), std::string::npos) << c.name;
  }
  std::string overview = overview_page(cli, texts, info);
  for (const Flag& f : cli.global)
    for (const std::string& name : f.names)
      EXPECT_NE(overview.find("\\fB" + roff_escape(name) + "\\fR"), std::string::npos) << "hull(8) lacks " << name;
  for (const Command& c : cli.commands)
    EXPECT_NE(overview.find(".BR hull\\-" + roff_escape(c.name) + " (8)"), std::string::npos) << c.name;
}

TEST(CliDocs, KnownFlagsAreFound) {
  // The model reads what CLI11 holds: a check that it is not empty by mistake.
  Cli cli = hull_cli();
  const Command* exec = cli.command("exec");
  ASSERT_NE(exec, nullptr);
  std::set<std::string> names;
  for (const Flag& f : exec->flags) names.insert(f.names.begin(), f.names.end());
  for (const char* n : {"-e", "--env", "--cwd", "-u", "--user", "-p", "--process", "--preserve-fds", "--cgroup"})
    EXPECT_TRUE(names.count(n)) << n;
  EXPECT_TRUE(exec->takes_rest);
  const Command* list = cli.command("list");
  ASSERT_NE(list, nullptr);
  bool format_choices = false;
  for (const Flag& f : list->flags)
    if (f.key == "--format") format_choices = f.choices == std::vector<std::string>{"table", "json"};
  EXPECT_TRUE(format_choices);
}

TEST(CliDocs, CommandsYamlDescribesOnlyWhatExists) {
  Cli cli = hull_cli();
  EXPECT_NO_THROW(check_texts(cli, read_texts(kYaml)));

  hull::test::TempDir dir{"cli-docs"};
  std::string yaml = read_text_file(kYaml);
  auto bad = [&](const std::string& text, const std::string& expected) {
    fs::path p = fs::path(dir.path()) / "commands.yaml";
    std::ofstream(p) << text;
    try {
      check_texts(cli, read_texts(p));
      ADD_FAILURE() << "accepted a yaml that " << expected;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  std::string renamed = yaml;
  renamed.replace(renamed.find("      --ignore-paused:"), 22, "      --ignore-pause:");
  bad(renamed, "option --ignore-pause is not a flag");
  std::string extra_verb = yaml + "  migrate:\n    description: x\n";
  bad(extra_verb, "command migrate is not a verb");
  std::string missing = yaml;
  missing.replace(missing.find("  features:\n"), 12, "  featurez:\n");
  bad(missing, "featurez is not a verb");
  std::string undescribed = yaml.substr(0, yaml.find("  features:\n"));  // the last verb's entry cut off
  bad(undescribed, "verb features has no description");
}

// README.md's command table (| `verb ...` | ... |) names exactly hull's verbs,
// and every flag it shows on a row is one of that verb's (or a global one).
TEST(CliDocs, ReadmeCommandListAgrees) {
  const Cli cli = hull_cli();
  std::string readme = read_text_file(fs::path(HULL_SOURCE_DIR) / "README.md");
  auto start = readme.find("| command | what it does |");
  ASSERT_NE(start, std::string::npos);
  std::istringstream table(readme.substr(start));
  std::set<std::string> readme_verbs;
  std::string line;
  std::getline(table, line);  // header
  std::getline(table, line);  // |---|
  static const std::regex verb_re(R"(`([a-z]+)( [^`]*)?`)");
  static const std::regex flag_re(R"((^|[\s\[])(--?[a-z][a-z-]*))");
  while (std::getline(table, line) && line.rfind("|", 0) == 0) {
    // The first cell; "\|" inside it is an escaped bar ("table\|json").
    size_t end = 1;
    while ((end = line.find('|', end)) != std::string::npos && line[end - 1] == '\\') ++end;
    std::string cell = line.substr(1, end - 1);
    for (auto it = std::sregex_iterator(cell.begin(), cell.end(), verb_re); it != std::sregex_iterator(); ++it) {
      std::string verb = (*it)[1];
      readme_verbs.insert(verb);
      const Command* c = cli.command(verb);
      if (!c) {
        ADD_FAILURE() << "README lists `" << verb << "`, which is not a verb of hull";
        continue;
      }
      std::string args = (*it)[2];
      for (auto f = std::sregex_iterator(args.begin(), args.end(), flag_re); f != std::sregex_iterator(); ++f) {
        std::string flag = (*f)[2];
        bool known = false;
        for (const std::vector<Flag>* flags : {&c->flags, &cli.global})
          for (const Flag& x : *flags)
            for (const auto& n : x.names) known = known || n == flag;
        EXPECT_TRUE(known) << "README shows " << flag << " for `" << verb << "`, which has no such flag";
      }
    }
  }
  std::set<std::string> verbs;
  for (const Command& c : cli.commands) verbs.insert(c.name);
  EXPECT_EQ(readme_verbs, verbs);
}

std::string complete(const fs::path& script, const std::string& words) {
  // COMP_WORDS as bash would split the line; the cursor is on the last word.
  return shell("bash -c 'source " + script.string() + "; COMP_WORDS=(" + words +
               "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _hull; echo \"${COMPREPLY[*]}\"' 2>&1");
}

TEST(CliDocs, BashCompletionOffersVerbsFlagsAndChoices) {
  if (shell("command -v bash").empty()) GTEST_SKIP() << "bash is not installed";
  hull::test::TempDir dir{"cli-docs"};
  fs::path script = fs::path(dir.path()) / "hull";
  std::ofstream(script) << bash_completion(hull_cli());
  EXPECT_EQ(complete(script, "hull ex"), "exec\n");
  EXPECT_EQ(complete(script, "hull --root /run/x pa"), "pause\n");
  std::string exec_flags = complete(script, "hull exec --c");
  for (const char* f : {"--cwd", "--cap", "--cgroup", "--console-socket"})
    EXPECT_NE(exec_flags.find(f), std::string::npos) << exec_flags;
  EXPECT_EQ(complete(script, "hull --log-format \"\""), "text json\n");
  EXPECT_EQ(complete(script, "hull list -f j"), "json\n");
  EXPECT_EQ(complete(script, "hull exec web --"), "\n") << "after the id the words are the command's";
  // Hidden (obsolete) flags are accepted but not offered.
  EXPECT_EQ(complete(script, "hull update --kernel"), "\n");
}

TEST(CliDocs, ZshCompletionParses) {
  if (shell("command -v zsh").empty()) GTEST_SKIP() << "zsh is not installed (scripts/setup.sh installs it)";
  hull::test::TempDir dir{"cli-docs"};
  fs::path script = fs::path(dir.path()) / "_hull";
  std::string text = zsh_completion(hull_cli());
  std::ofstream(script) << text;
  EXPECT_EQ(text.rfind("#compdef hull\n", 0), 0u);
  EXPECT_EQ(shell("zsh -n " + script.string() + " 2>&1; echo rc=$?"), "rc=0\n");
  for (const Command& c : hull_cli().commands)
    EXPECT_NE(text.find("        " + c.name + ")\n"), std::string::npos) << c.name;
}

}  // namespace
}  // namespace hull::cli_docs
