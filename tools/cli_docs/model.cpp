#include <stdexcept>

#include "cli/app.hpp"
#include "cli_docs/cli_docs.hpp"

namespace hull::cli_docs {

namespace {

// CLI::IsMember describes itself as "{text,json}" in the option's type name
// ("TEXT:{text,json}").
std::vector<std::string> choices_of(const std::string& type_name) {
  std::vector<std::string> out;
  auto open = type_name.find('{');
  auto close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string list = type_name.substr(open + 1, close - open - 1);
  size_t start = 0;
  for (size_t comma; (comma = list.find(',', start)) != std::string::npos; start = comma + 1)
    out.push_back(list.substr(start, comma - start));
  out.push_back(list.substr(start));
  return out;
}

void read_options(const CLI::App& app, std::vector<Flag>& flags, std::vector<Positional>* positionals) {
  for (const CLI::Option* o : app.get_options()) {
    if (!o->nonpositional()) {
      if (positionals) positionals->push_back({o->get_name(), o->get_required()});
      continue;
    }
    Flag f;
    for (const auto& s : o->get_snames()) f.names.push_back("-" + s);
    for (const auto& l : o->get_lnames()) f.names.push_back("--" + l);
    f.key = o->get_lnames().empty() ? f.names.front() : "--" + o->get_lnames().front();
    f.takes_value = o->get_items_expected_min() > 0;
    std::string type = o->get_type_name();
    f.choices = choices_of(type);
    f.type = type.substr(0, type.find(':'));
    f.help = o->get_description();
    f.hidden = o->get_group().empty();
    flags.push_back(std::move(f));
  }
}

}  // namespace

const Command* Cli::command(const std::string& wanted) const {
  for (const Command& c : commands)
    if (c.name == wanted) return &c;
  return nullptr;
}

Cli read_cli(const CLI::App& app) {
  Cli cli;
  cli.name = app.get_name();
  cli.help = app.get_description();
  read_options(app, cli.global, nullptr);
  for (const CLI::App* sub : app.get_subcommands({})) {
    Command c;
    c.name = sub->get_name();
    c.help = sub->get_description();
    read_options(*sub, c.flags, &c.positionals);
    c.takes_rest = sub->get_prefix_command();
    cli.commands.push_back(std::move(c));
  }
  return cli;
}

Cli hull_cli() {
  cli::Context ctx;
  CLI::App app(cli::kAppDescription, cli::kAppName);
  cli::define_app(app, ctx);
  return read_cli(app);
}

}  // namespace hull::cli_docs
