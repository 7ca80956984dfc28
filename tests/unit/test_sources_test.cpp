// The test files are compiled in batches, several to one translation unit (a
// unity build, tests/CMakeLists.txt). Two files' file-local functions of one
// name then meet in a batch: the same signature fails the build, another one
// joins an overload set where one file's call can quietly pick the other
// file's function. So every function defined at file scope in the test
// sources has a name no other test file defines; what several files need
// lives once, in tests/support or a tier's header.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The name a column-0 line starts to define, or "": "std::string f(int x) {"
// and "inline bool f(" (the signature going on below) name f; declarations
// (";" before any "{"), calls in initialisers ("="), member definitions
// ("T::f("), types (capitalised) and the test macros name nothing.
std::string defined_function(const std::vector<std::string>& lines, size_t at) {
  const std::string& line = lines[at];
  if (line.empty() || !std::islower(static_cast<unsigned char>(line[0]))) return "";
  for (const char* word : {"namespace", "using", "return", "template", "struct", "class", "enum", "typedef"})
    if (line.starts_with(std::string(word) + " ")) return "";
  const size_t paren = line.find('(');
  if (paren == std::string::npos || paren == 0 || line.substr(0, paren).find('=') != std::string::npos) return "";
  size_t begin = paren;
  while (begin > 0 && is_identifier_char(line[begin - 1])) --begin;
  if (begin == paren || begin == 0) return "";
  const char before = line[begin - 1];
  if (before != ' ' && before != '*' && before != '&') return "";
  const std::string name = line.substr(begin, paren - begin);
  if (!std::islower(static_cast<unsigned char>(name[0])) && name[0] != '_') return "";
  // A definition reaches "{" before ";".
  for (size_t i = at; i < lines.size() && i < at + 12; ++i) {
    const size_t from = i == at ? paren : 0;
    const size_t brace = lines[i].find('{', from);
    const size_t semicolon = lines[i].find(';', from);
    if (brace != std::string::npos && (semicolon == std::string::npos || brace < semicolon)) return name;
    if (semicolon != std::string::npos) return "";
  }
  return "";
}

// Function name -> the test files (a header and its .cpp as one) defining it.
std::map<std::string, std::set<std::string>> file_scope_functions() {
  std::map<std::string, std::set<std::string>> where;
  const fs::path tests = fs::path(HULL_SOURCE_DIR) / "tests";
  // The folders compiled into the two test binaries (not fuzz/ or compat/,
  // programs of their own).
  for (const char* folder : {"unit", "cli", "library", "hostile", "support"}) {
    for (const auto& entry : fs::directory_iterator(tests / folder)) {
      const fs::path& path = entry.path();
      if (path.extension() != ".cpp" && path.extension() != ".hpp") continue;
      std::ifstream in(path);
      std::vector<std::string> lines;
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      const std::string unit = (fs::path(folder) / path.stem()).string();
      for (size_t i = 0; i < lines.size(); ++i)
        if (std::string name = defined_function(lines, i); !name.empty()) where[name].insert(unit);
    }
  }
  return where;
}

TEST(TestSources, TheScanFindsTheFileScopeFunctionsItLooksFor) {
  const std::vector<std::string> source = {
      "std::string status_field(const std::string& status,",
      "                         const std::string& name) {",
      "inline int open_errno(const std::string& path, int flags) {",
      "int declared_only(int x);",
      "const std::string kPath = std::string(HULL_SOURCE_DIR) + \"/x\";",
      "void HullTest::start_container() {",
      "TEST(Suite, Name) {",
      "ProcResult Run(const Bundle& b) {",
  };
  EXPECT_EQ(defined_function(source, 0), "status_field");
  EXPECT_EQ(defined_function(source, 2), "open_errno");
  for (size_t i = 3; i < source.size(); ++i) EXPECT_EQ(defined_function(source, i), "") << source[i];
  // And on the tree: a helper every batch sees.
  EXPECT_EQ(file_scope_functions()["status_field"], (std::set<std::string>{"support/proc_files"}));
}

TEST(TestSources, NoTwoTestFilesDefineAFunctionOfOneName) {
  for (const auto& [name, files] : file_scope_functions()) {
    if (files.size() < 2) continue;
    std::ostringstream list;
    for (const std::string& f : files) list << " tests/" << f;
    ADD_FAILURE() << name << " is defined in" << list.str()
                  << ": give each its own name, or keep one in tests/support or the tier's header";
  }
}

}  // namespace
