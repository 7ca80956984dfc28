// Build-time generator: writes hull's man pages (hull(8) and hull-<verb>(8))
// and its bash and zsh completion from the CLI11 definition of the command
// line (src/cli/app.cpp, built here but never run) and man/commands.yaml.
//   gen_cli_docs COMMANDS_YAML OUT_DIR VERSION DATE
// OUT_DIR gets man8/*.8, completion/hull (bash) and completion/_hull (zsh).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli_docs/cli_docs.hpp"

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path);
  out << text;
  if (!out.flush()) throw std::runtime_error("write " + path.string() + " failed");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: gen_cli_docs COMMANDS_YAML OUT_DIR VERSION DATE\n";
    return 2;
  }
  try {
    using namespace hull::cli_docs;
    Cli cli = hull_cli();
    Texts texts = read_texts(argv[1]);
    // A mismatch fails tests/unit/cli_docs_test.cpp, not the build: a new verb
    // merged before its page text still builds (its page then says what
    // --help says).
    try {
      check_texts(cli, texts);
    } catch (const std::runtime_error& e) {
      std::cerr << "gen_cli_docs: warning: " << e.what() << "\n";
    }
    std::filesystem::path out = argv[2];
    PageInfo info{argv[3], argv[4]};
    std::filesystem::remove_all(out / "man8");
    write(out / "man8" / "hull.8", overview_page(cli, texts, info));
    for (const Command& c : cli.commands)
      write(out / "man8" / ("hull-" + c.name + ".8"), command_page(cli, c, texts, info));
    write(out / "completion" / "hull", bash_completion(cli));
    write(out / "completion" / "_hull", zsh_completion(cli));
  } catch (const std::exception& e) {
    std::cerr << "gen_cli_docs: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
