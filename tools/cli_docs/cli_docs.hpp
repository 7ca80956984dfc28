#pragma once
// The man pages and shell completion of hull, written from the one CLI11
// definition of its command line (src/cli/app.hpp) and man/commands.yaml, the
// prose that CLI11 does not hold (descriptions, exit status, examples). Used
// by tools/gen_cli_docs at build time and by the unit tests that check the
// pages cover every flag.
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace hull::cli_docs {

// The command line as read back from CLI11.
struct Flag {
  std::vector<std::string> names;  // "-b", "--bundle": short names first
  std::string key;                 // the first long name ("--bundle"), else the short one
  bool takes_value = false;
  std::vector<std::string> choices;  // from a CLI::IsMember check
  std::string type;                  // CLI11's value type, "TEXT", "UINT"
  std::string help;                  // CLI11's help text
  bool hidden = false;               // accepted but not listed by --help (group "")
};

struct Positional {
  std::string name;
  bool required = false;
};

struct Command {
  std::string name;
  std::string help;
  std::vector<Flag> flags;
  std::vector<Positional> positionals;
  bool takes_rest = false;  // a prefix command: the words after the id are passed on
};

struct Cli {
  std::string name;
  std::string help;
  std::vector<Flag> global;
  std::vector<Command> commands;

  const Command* command(const std::string& name) const;
};

Cli read_cli(const CLI::App& app);
// hull's own command line (src/cli/app.cpp), defined but never run.
Cli hull_cli();

// man/commands.yaml. Text fields are roff fragments.
struct OptionText {
  std::string value;  // the value's placeholder in the page ("dir"); default from the type
  std::string text;   // replaces CLI11's help text in the page
};

struct CommandText {
  std::string synopsis;  // after "hull [global-options] <verb>"; default from the positionals
  std::string description;
  std::map<std::string, OptionText> options;  // by Flag::key
  std::string options_from;                   // a verb whose option texts this one shares
  std::string exit_status;                    // default: Texts::exit_status_default
  std::string examples;                       // shell lines, shown as typed
  std::vector<std::string> see_also;          // other verbs
};

struct Texts {
  std::string name;  // NAME line of hull(8)
  std::string description, environment, exit_status, exit_status_default, files, examples;
  std::map<std::string, OptionText> global_options;
  std::map<std::string, CommandText> commands;
};

Texts read_texts(const std::string& yaml_path);
// Throws std::runtime_error naming what texts describes but the CLI lacks (a
// verb or flag renamed or removed), or a verb it does not describe. The unit
// tests hold the yaml to it; the generator only warns.
void check_texts(const Cli& cli, const Texts& texts);

struct PageInfo {
  std::string version;  // "0.1.0"
  std::string date;     // "2026-11-22"
};

// hull(8): the overview, global options, the list of commands.
std::string overview_page(const Cli& cli, const Texts& texts, const PageInfo& info);
// hull-<verb>(8).
std::string command_page(const Cli& cli, const Command& command, const Texts& texts, const PageInfo& info);

std::string bash_completion(const Cli& cli);
std::string zsh_completion(const Cli& cli);

// Plain text as roff: backslashes, dashes and a leading dot or quote escaped.
std::string roff_escape(const std::string& text);
// How a flag's names are written in a page: "\-b, \-\-bundle".
std::string roff_flag_names(const Flag& flag);

}  // namespace hull::cli_docs
