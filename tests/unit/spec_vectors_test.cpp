// Config vectors under tests/data/config: good ones parse, bad ones fail with
// the exact message their cases.yaml gives, bad-create ones parse but fail
// validate_for_create. Also the runtime-spec's own schema vectors when present.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "spec/spec.hpp"
#include "spec/validate.hpp"

namespace {

namespace fs = std::filesystem;
using hull::spec::parse_config;

const fs::path kConfigData = fs::path(HULL_TEST_DATA) / "config";

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, std::string> load_cases(const fs::path& dir) {
  std::map<std::string, std::string> cases;
  for (const auto& entry : YAML::LoadFile((dir / "cases.yaml").string()))
    cases[entry.first.as<std::string>()] = entry.second.as<std::string>();
  return cases;
}

// The message parse_config (and, with validate, validate_for_create) gives, or
// a marker when there is none.
std::string vector_error(const std::string& text, bool validate) {
  try {
    auto spec = parse_config(text, "config.json");
    if (validate) hull::spec::validate_for_create(spec, "config.json");
  } catch (const hull::Error& e) {
    return e.what();
  }
  return "<no error>";
}

void expect_cases_match_files(const fs::path& dir) {
  auto cases = load_cases(dir);
  std::set<std::string> files;
  for (const auto& f : json_files(dir)) files.insert(f.filename().string());
  for (const auto& f : files) EXPECT_TRUE(cases.count(f)) << f << " has no entry in cases.yaml";
  for (const auto& [name, message] : cases) EXPECT_TRUE(files.count(name)) << "cases.yaml names missing " << name;
}

TEST(SpecGoodVectors, EachParses) {
  auto files = json_files(kConfigData / "good");
  ASSERT_GE(files.size(), 8u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    EXPECT_NO_THROW(parse_config(hull::read_file(f), "config.json"));
  }
}

TEST(SpecBadVectors, EachFailsWithItsExactMessage) {
  const fs::path dir = kConfigData / "bad";
  auto cases = load_cases(dir);
  ASSERT_GE(cases.size(), 60u);
  for (const auto& [name, expected] : cases) {
    SCOPED_TRACE(name);
    EXPECT_EQ(vector_error(hull::read_file(dir / name), false), expected);
  }
}

TEST(SpecBadVectors, EveryFileHasACaseAndEveryCaseAFile) { expect_cases_match_files(kConfigData / "bad"); }

TEST(SpecBadCreateVectors, EachParsesButFailsValidationWithItsExactMessage) {
  const fs::path dir = kConfigData / "bad-create";
  auto cases = load_cases(dir);
  ASSERT_GE(cases.size(), 20u);
  for (const auto& [name, expected] : cases) {
    SCOPED_TRACE(name);
    std::string text = hull::read_file(dir / name);
    EXPECT_EQ(vector_error(text, false), "<no error>");
    EXPECT_EQ(vector_error(text, true), expected);
  }
}

TEST(SpecBadCreateVectors, EveryFileHasACaseAndEveryCaseAFile) { expect_cases_match_files(kConfigData / "bad-create"); }

// The runtime-spec checkout is reference material beside the project, not part
// of it: HULL_SPEC_DIR in the environment overrides the compiled-in location,
// and the tests skip when neither exists.
fs::path upstream_vectors() {
  const char* env = std::getenv("HULL_SPEC_DIR");
  fs::path dir = fs::path(env && *env ? env : HULL_SPEC_DIR) / "schema" / "test" / "config";
  return fs::is_directory(dir) ? dir : fs::path();
}

TEST(SpecUpstreamVectors, GoodOnesParse) {
  fs::path dir = upstream_vectors();
  if (dir.empty()) GTEST_SKIP() << "runtime-spec checkout not found (set HULL_SPEC_DIR)";
  auto files = json_files(dir / "good");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    std::string text = hull::read_file(f);
    auto doc = nlohmann::json::parse(text);
    std::string version = doc.value("ociVersion", "");
    if (version.rfind("1.", 0) == 0) {
      EXPECT_NO_THROW(parse_config(text, "config.json"));
      continue;
    }
    // spec-example.json still says "0.5.0-dev", a pre-1.0 draft hull refuses
    // on purpose; everything else in it must parse once the version is 1.x.
    EXPECT_EQ(vector_error(text, false), "config.json: .ociVersion: unsupported version " + hull::quote(version) +
                                             " (hull supports 1.x; it implements up to 1.3)");
    doc["ociVersion"] = "1.0.0";
    EXPECT_NO_THROW(parse_config(doc.dump(), "config.json"));
  }
}

TEST(SpecUpstreamVectors, BadOnesFail) {
  fs::path dir = upstream_vectors();
  if (dir.empty()) GTEST_SKIP() << "runtime-spec checkout not found (set HULL_SPEC_DIR)";
  auto files = json_files(dir / "bad");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    EXPECT_NE(vector_error(hull::read_file(f), false), "<no error>");
  }
  EXPECT_EQ(vector_error(hull::read_file(dir / "bad" / "invalid-json.json"), false)
                .rfind("config.json: invalid JSON at line 1, column 2: ", 0),
            0u);
}

}  // namespace
