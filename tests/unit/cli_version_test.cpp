// `hull --version` in runc's layout, and `hull features` saying the same
// about the build.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <vector>

#include "base/build_info.hpp"
#include "base/sanitizers.hpp"
#include "cli/app.hpp"
#include "runtime/features.hpp"
#include "support/proc_files.hpp"

namespace hull {
namespace {

using itest::lines_of;

TEST(Version, RuncLayoutWithCommitBuildAndFeatures) {
  auto lines = lines_of(cli::version_text());
  ASSERT_EQ(lines.size(), 6u) << cli::version_text();
  EXPECT_EQ(lines[0], std::string("hull version ") + HULL_VERSION);
  EXPECT_EQ(lines[1], std::string("commit: ") + build_info::commit());
  EXPECT_EQ(lines[2], std::string("build: ") + build_info::build_type());
  EXPECT_EQ(lines[3], std::string("features: ") + build_info::features());
  EXPECT_EQ(lines[4], std::string("spec: ") + features::spec_version());
  EXPECT_EQ(lines[5], "libseccomp: " + features::libseccomp_version());
}

TEST(Version, BuildInfoIsFilledIn) {
  // A commit from git describe (hex, maybe after a tag, maybe -dirty) or
  // "unknown" outside git; never empty.
  EXPECT_TRUE(std::regex_match(build_info::commit(), std::regex("unknown|([A-Za-z0-9._-]+-g)?[0-9a-f]{7,40}(-dirty)?")))
      << build_info::commit();
  EXPECT_STRNE(build_info::build_type(), "");
  std::string f = build_info::features();
  EXPECT_EQ(f.rfind("seccomp", 0), 0u) << f;
  EXPECT_EQ(f.find(' '), std::string::npos) << f;
#if defined(HULL_UNDER_ASAN)
  EXPECT_NE(f.find("asan"), std::string::npos) << f;
#endif
}

TEST(Version, FeaturesAnnotationsMatch) {
  auto annotations = features::document()["annotations"];
  EXPECT_EQ(annotations["io.github.hull.version"], build_info::version());
  EXPECT_EQ(annotations["io.github.hull.commit"], build_info::commit());
  EXPECT_EQ(annotations["io.github.hull.build.features"], build_info::features());
}

}  // namespace
}  // namespace hull
