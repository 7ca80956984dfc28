// The floors of src/ (CONTRIBUTING.md, docs/architecture.md): each folder's
// code includes only its own folder and the floors below it. A new upward or
// sideways include is a red test here, not a review comment.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

// Folder -> the folders it may include besides itself.
const std::map<std::string, std::set<std::string>>& allowed() {
  static const std::map<std::string, std::set<std::string>> table = {
      {"base", {}},
      {"spec", {"base"}},
      {"namespaces", {"base", "spec"}},
      {"cgroups", {"base", "spec"}},
      {"rootfs", {"base", "spec"}},
      {"seccomp", {"base", "spec"}},
      {"process", {"base", "spec", "namespaces", "cgroups", "rootfs", "seccomp"}},
      {"runtime", {"base", "spec", "namespaces", "cgroups", "rootfs", "seccomp", "process"}},
      {"cli", {"base", "spec", "namespaces", "cgroups", "rootfs", "seccomp", "process", "runtime"}},
  };
  return table;
}

struct Edge {
  std::string file;
  int line;
  std::string target;
};

std::vector<Edge> project_includes(const fs::path& src) {
  static const std::regex include_re(R"re(^\s*#\s*include\s*"([a-z_]+)/[^"]+")re");
  std::vector<Edge> edges;
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".c") continue;
    std::ifstream in(entry.path());
    std::string text;
    for (int n = 1; std::getline(in, text); ++n) {
      std::smatch m;
      if (std::regex_search(text, m, include_re)) edges.push_back({fs::relative(entry.path(), src).string(), n, m[1]});
    }
  }
  return edges;
}

TEST(Layering, EveryFolderOfSrcIsInTheTable) {
  for (const auto& entry : fs::directory_iterator(fs::path(HULL_SOURCE_DIR) / "src"))
    if (entry.is_directory()) {
      EXPECT_TRUE(allowed().count(entry.path().filename().string()))
          << "src/" << entry.path().filename().string() << " has no floor in the layering table";
    }
}

TEST(Layering, NoIncludeRunsUpwardsOrSideways) {
  auto edges = project_includes(fs::path(HULL_SOURCE_DIR) / "src");
  ASSERT_GT(edges.size(), 300u) << "the include scan found too little: is HULL_SOURCE_DIR right?";
  for (const auto& e : edges) {
    std::string folder = e.file.substr(0, e.file.find('/'));
    if (folder == e.target) continue;
    auto it = allowed().find(folder);
    ASSERT_NE(it, allowed().end()) << "src/" << e.file << ": folder " << folder << " has no floor";
    EXPECT_TRUE(it->second.count(e.target))
        << "src/" << e.file << ":" << e.line << " includes " << e.target << "/, which " << folder
        << "/ may not use (floors: base <- spec <- {namespaces, cgroups, rootfs, seccomp} <- process <- runtime <- "
           "cli)";
  }
}

}  // namespace
