// The docs hold to the code and the tests: docs/troubleshooting.md lists the
// start of every error message in src/ (and nothing that is not there), the
// client configurations in docs/clients.md marked "e2e:" are the ones
// tests/e2e writes, docs/README.md indexes every page, and every test the
// docs cite by name (Suite.Name, Suite.Prefix*) is one the tests define.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/proc_files.hpp"

namespace {

using hull::itest::lines_of;
using hull::itest::read_text_file;

namespace fs = std::filesystem;
const fs::path kSource = HULL_SOURCE_DIR;

// The string literal each Error(...) (or an Error subclass: ...Error, ContainerMissing, CorruptState,
// OtherRuntimesState), throw_errno(...), throw_process_errno(...), check_fits_state_file_size(...) and
// with_context(...) in src/ starts its message with, C escapes undone.
std::set<std::string> source_messages() {
  static const std::regex literal_re(
      R"re(\b(?:\w*Error|ContainerMissing|CorruptState|OtherRuntimesState|throw_errno|throw_process_errno|check_fits_state_file_size|with_context)\(\s*"((?:[^"\\]|\\.)*)")re");
  std::set<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "src")) {
    auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    std::string text = read_text_file(entry.path());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), literal_re); it != std::sregex_iterator(); ++it) {
      std::string raw = (*it)[1], message;
      for (size_t i = 0; i < raw.size(); ++i) message += raw[i] == '\\' && i + 1 < raw.size() ? raw[++i] : raw[i];
      out.insert(message);
    }
  }
  return out;
}

// The `prefixes` in the first column of the tables of troubleshooting.md.
std::set<std::string> documented_prefixes() {
  static const std::regex code_re("`([^`]+)`");
  std::set<std::string> out;
  for (const std::string& line : lines_of(read_text_file(kSource / "docs/troubleshooting.md"))) {
    if (line.rfind("| `", 0) != 0) continue;
    std::string cell = line.substr(0, line.find("` | ") == std::string::npos ? line.size() : line.find("` | ") + 1);
    for (auto it = std::sregex_iterator(cell.begin(), cell.end(), code_re); it != std::sregex_iterator(); ++it)
      out.insert((*it)[1]);
  }
  return out;
}

TEST(Docs, TroubleshootingCoversEveryErrorMessage) {
  auto messages = source_messages();
  auto prefixes = documented_prefixes();
  ASSERT_GT(messages.size(), 100u);
  ASSERT_GT(prefixes.size(), 50u);
  for (const std::string& m : messages) {
    bool covered =
        std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return m.rfind(p, 0) == 0; });
    EXPECT_TRUE(covered) << "docs/troubleshooting.md has no entry for the message \"" << m
                         << "...\": add its first words to the table of its cause";
  }
  for (const std::string& p : prefixes) {
    bool exists =
        std::any_of(messages.begin(), messages.end(), [&](const std::string& m) { return m.rfind(p, 0) == 0; });
    EXPECT_TRUE(exists) << "docs/troubleshooting.md documents \"" << p << "\", which no message in src/ starts with";
  }
}

// The fenced block after "<!-- e2e: MARKER -->" in docs/clients.md.
std::vector<std::string> marked_block(const std::string& marker) {
  auto lines = lines_of(read_text_file(kSource / "docs/clients.md"));
  auto it = std::find(lines.begin(), lines.end(), "<!-- e2e: " + marker + " -->");
  std::vector<std::string> block;
  if (it == lines.end() || ++it == lines.end() || it->rfind("```", 0) != 0) return block;
  for (++it; it != lines.end() && it->rfind("```", 0) != 0; ++it) block.push_back(*it);
  return block;
}

// Lines without comments, trailing blanks and empty lines.
std::vector<std::string> significant(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (std::string line : lines) {
    line = line.substr(0, line.find('#'));
    line.erase(line.find_last_not_of(" \t") + 1);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t i = 0; (i = s.find(from, i)) != std::string::npos; i += to.size()) s.replace(i, from.size(), to);
  return s;
}

TEST(Docs, PodmanConfigIsTheE2eOne) {
  auto doc = significant(marked_block("tests/e2e/podman.sh containers.conf"));
  ASSERT_FALSE(doc.empty()) << "docs/clients.md lacks the marked containers.conf block";
  // podman.sh writes it with lib.sh's podman_conf: cgroupfs and conmon left
  // in the caller's cgroup.
  const std::string call = "podman_conf \"$work/containers.conf\" cgroupfs 'cgroups = \"no-conmon\"'";
  EXPECT_NE(read_text_file(kSource / "tests/e2e/podman.sh").find(call), std::string::npos)
      << "tests/e2e/podman.sh no longer calls " << call;
  // The heredoc podman_conf writes, with the runtime the docs name and that call's arguments.
  auto script = lines_of(read_text_file(kSource / "tests/e2e/lib.sh"));
  auto start = std::find_if(script.begin(), script.end(),
                            [](const std::string& l) { return l.find("cat >\"$1\" <<CONF") != std::string::npos; });
  ASSERT_NE(start, script.end());
  std::vector<std::string> conf;
  for (auto it = start + 1; it != script.end() && *it != "CONF"; ++it)
    conf.push_back(replace_all(
        replace_all(replace_all(replace_all(*it, "$runtime", "/usr/sbin/hull"), "$name", "hull"), "$2", "cgroupfs"),
        "${3:-}", "cgroups = \"no-conmon\""));
  EXPECT_EQ(doc, significant(conf));
}

// The daemon.json "runtimes" entry the docs give is the one the Docker e2e
// test's private dockerd is configured with (named e2e there).
TEST(Docs, DockerRuntimesEntryIsTheE2eOne) {
  auto doc_lines = marked_block("tests/e2e/docker.sh daemon.json runtimes");
  ASSERT_FALSE(doc_lines.empty()) << "docs/clients.md lacks the marked daemon.json block";
  std::string doc_text;
  for (const auto& l : doc_lines) doc_text += l + "\n";
  auto doc = nlohmann::json::parse(doc_text);
  auto script = lines_of(read_text_file(kSource / "tests/e2e/docker.sh"));
  auto start = std::find_if(script.begin(), script.end(), [](const std::string& l) {
    return l.find("\"$work/daemon.json\" <<CONF") != std::string::npos;
  });
  ASSERT_NE(start, script.end());
  std::string conf;
  for (auto it = start + 1; it != script.end() && *it != "CONF"; ++it)
    conf += replace_all(replace_all(replace_all(*it, "$runtime", "/usr/sbin/hull"), "$(cgroup_parent)", "p"), "$work",
                        "/w") +
            "\n";
  auto e2e = nlohmann::json::parse(conf);
  ASSERT_TRUE(e2e.contains("runtimes"));
  ASSERT_TRUE(e2e["runtimes"].contains("e2e"));
  EXPECT_EQ(doc.at("runtimes").at("hull"), e2e["runtimes"]["e2e"]);
}

std::set<std::string> flags_in(const std::string& text) {
  static const std::regex flag_re(R"((?:^|[\s"'])(--[a-z][a-z-]*))");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), flag_re); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

TEST(Docs, CtrRunFlagsAreTheE2eOnes) {
  auto block = marked_block("tests/e2e/containerd.sh ctr run");
  ASSERT_FALSE(block.empty()) << "docs/clients.md lacks the marked ctr block";
  std::string joined;
  for (const auto& l : block) joined += (l.empty() || l.back() != '\\' ? l + "\n" : l.substr(0, l.size() - 1));
  std::string run;
  for (const auto& l : lines_of(joined))
    if (l.rfind("ctr run ", 0) == 0) run = l;
  ASSERT_FALSE(run.empty()) << joined;
  // containerd.sh's crun_flags: the flags every `ctr run` of the tests gets.
  std::string script_flags;
  for (const auto& l : lines_of(read_text_file(kSource / "tests/e2e/containerd.sh")))
    if (l.find("echo \"--snapshotter") != std::string::npos) script_flags = l;
  ASSERT_FALSE(script_flags.empty());
  auto expected = flags_in(script_flags);
  expected.insert("--rm");
  EXPECT_EQ(flags_in(run), expected);
}

TEST(Docs, IndexListsEveryPage) {
  std::string index = read_text_file(kSource / "docs/README.md");
  for (const auto& entry : fs::directory_iterator(kSource / "docs")) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".md" || name == "README.md") continue;
    EXPECT_NE(index.find("](" + name + ")"), std::string::npos) << "docs/README.md does not link " << name;
  }
  for (const char* page : {"getting-started.md", "clients.md", "troubleshooting.md", "rootless.md",
                           "differences-from-runc.md", "packaging.md"})
    EXPECT_TRUE(fs::exists(kSource / "docs" / page)) << page;
}

// Suite -> the names of its tests, from TEST, TEST_F and TEST_P in tests/.
std::map<std::string, std::set<std::string>> defined_tests() {
  static const std::regex test_re(R"re(\bTEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\))re");
  std::map<std::string, std::set<std::string>> out;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "tests")) {
    if (entry.path().extension() != ".cpp") continue;
    std::string text = read_text_file(entry.path());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), test_re); it != std::sregex_iterator(); ++it)
      out[(*it)[1]].insert((*it)[2]);
  }
  return out;
}

// A closing note cites a test by name as proof; a renamed test must not leave
// the docs pointing at nothing. Words of the form Suite.Name count only where
// Suite is a test suite, so "Error.what" or a file name is not read as one.
TEST(Docs, CitedTestsExist) {
  static const std::regex cited_re(R"re(\b([A-Z]\w+)\.([A-Z]\w*)(\*?))re");
  const auto tests = defined_tests();
  ASSERT_TRUE(tests.contains("Docs"));
  std::vector<fs::path> pages = {kSource / "README.md", kSource / "CONTRIBUTING.md", kSource / "man/commands.yaml"};
  for (const auto& entry : fs::directory_iterator(kSource / "docs"))
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  size_t checked = 0;
  for (const fs::path& page : pages) {
    std::string text = read_text_file(page);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), cited_re); it != std::sregex_iterator(); ++it) {
      auto suite = tests.find((*it)[1]);
      if (suite == tests.end()) continue;
      const std::string name = (*it)[2];
      const bool prefix = (*it)[3].length() > 0;
      const bool found = prefix ? std::any_of(suite->second.begin(), suite->second.end(),
                                              [&](const std::string& n) { return n.starts_with(name); })
                                : suite->second.contains(name);
      EXPECT_TRUE(found) << page.filename() << " cites " << (*it)[0] << ", which no test in tests/ defines";
      ++checked;
    }
  }
  EXPECT_GT(checked, 50U);  // the docs cite tests throughout: a pattern that finds none is broken
}

}  // namespace
