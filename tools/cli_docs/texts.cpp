#include <yaml-cpp/yaml.h>

#include <set>
#include <stdexcept>

#include "cli_docs/cli_docs.hpp"

namespace hull::cli_docs {

namespace {

std::string text_of(const YAML::Node& node, const char* key) {
  return node[key] ? node[key].as<std::string>() : std::string();
}

std::map<std::string, OptionText> options_of(const YAML::Node& node) {
  std::map<std::string, OptionText> out;
  if (!node) return out;
  for (const auto& entry : node) {
    OptionText t;
    t.value = text_of(entry.second, "value");
    t.text = text_of(entry.second, "text");
    out[entry.first.as<std::string>()] = t;
  }
  return out;
}

void check_options(const std::string& where, const std::vector<Flag>& flags,
                   const std::map<std::string, OptionText>& options) {
  for (const auto& [key, text] : options) {
    bool found = false;
    for (const Flag& f : flags) found = found || f.key == key;
    if (!found)
      throw std::runtime_error("man/commands.yaml: " + where + ": option " + key +
                               " is not a flag of the command line (renamed or removed?)");
  }
}

}  // namespace

Texts read_texts(const std::string& yaml_path) {
  YAML::Node root = YAML::LoadFile(yaml_path);
  Texts t;
  YAML::Node overview = root["overview"];
  t.name = text_of(overview, "name");
  t.description = text_of(overview, "description");
  t.environment = text_of(overview, "environment");
  t.exit_status = text_of(overview, "exit_status");
  t.exit_status_default = text_of(overview, "exit_status_default");
  t.files = text_of(overview, "files");
  t.examples = text_of(overview, "examples");
  t.global_options = options_of(root["global_options"]);
  for (const auto& entry : root["commands"]) {
    const YAML::Node& c = entry.second;
    CommandText ct;
    ct.synopsis = text_of(c, "synopsis");
    ct.description = text_of(c, "description");
    ct.exit_status = text_of(c, "exit_status");
    ct.examples = text_of(c, "examples");
    ct.options = options_of(c["options"]);
    if (c["see_also"])
      for (const auto& s : c["see_also"]) ct.see_also.push_back(s.as<std::string>());
    ct.options_from = text_of(c, "options_from");
    t.commands[entry.first.as<std::string>()] = ct;
  }
  // "run" takes create's flags: their texts are written once, under create.
  for (auto& [name, ct] : t.commands) {
    if (ct.options_from.empty()) continue;
    auto from = t.commands.find(ct.options_from);
    if (from == t.commands.end())
      throw std::runtime_error("man/commands.yaml: " + name + ": options_from " + ct.options_from +
                               " is not described");
    for (const auto& [key, text] : from->second.options) ct.options.emplace(key, text);
  }
  return t;
}

void check_texts(const Cli& cli, const Texts& texts) {
  check_options("global_options", cli.global, texts.global_options);
  for (const auto& [name, text] : texts.commands) {
    const Command* c = cli.command(name);
    if (!c) throw std::runtime_error("man/commands.yaml: command " + name + " is not a verb of hull");
    check_options(name, c->flags, text.options);
    for (const auto& other : text.see_also)
      if (!cli.command(other))
        throw std::runtime_error("man/commands.yaml: " + name + ": see_also " + other + " is not a verb of hull");
  }
  for (const Command& c : cli.commands) {
    auto it = texts.commands.find(c.name);
    if (it == texts.commands.end() || it->second.description.empty())
      throw std::runtime_error("man/commands.yaml: verb " + c.name + " has no description");
  }
}

}  // namespace hull::cli_docs
