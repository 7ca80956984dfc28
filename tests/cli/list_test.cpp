// `hull list` in its three forms: the table, -f json and -q.
#include <set>
#include <sstream>
#include <string>

#include "harness.hpp"

namespace hull::itest {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST_F(HullTest, ListTableShowsContainer) {
  const pid_t pid = create_container("listed");
  ASSERT_GT(pid, 0);
  ProcResult r = hull({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_TRUE(lines[0].starts_with("ID")) << lines[0];
  EXPECT_NE(lines[0].find("STATUS"), std::string::npos) << lines[0];

  std::istringstream row(lines[1]);
  std::string id, row_pid, status;
  row >> id >> row_pid >> status;
  EXPECT_EQ(id, "listed");
  EXPECT_EQ(row_pid, std::to_string(pid));
  EXPECT_EQ(status, "created");
  EXPECT_NE(lines[1].find((temp_dir() / "bundle-listed").string()), std::string::npos) << lines[1];
}

TEST_F(HullTest, ListJsonShowsContainer) {
  const pid_t pid = create_container("listed");
  ASSERT_GT(pid, 0);
  ProcResult r = hull({"list", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json list = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << r.out;
  ASSERT_EQ(list.size(), 1u) << r.out;
  EXPECT_EQ(list[0].value("id", ""), "listed");
  EXPECT_EQ(list[0].value("pid", 0), pid);
  EXPECT_EQ(list[0].value("status", ""), "created");
  EXPECT_EQ(list[0].value("bundle", ""), (temp_dir() / "bundle-listed").string());
}

TEST_F(HullTest, ListQuietPrintsOnlyIds) {
  ASSERT_GT(create_container("first"), 0);
  ASSERT_GT(create_container("second"), 0);
  start_container("second");
  ProcResult r = hull({"list", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = lines_of(r.out);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()), (std::set<std::string>{"first", "second"})) << r.out;
  EXPECT_EQ(lines.size(), 2u) << r.out;
}

TEST_F(HullTest, ListShowsLiveStatusOfDeadInit) {
  const pid_t pid = create_container("dead");
  ASSERT_GT(pid, 0);
  start_container("dead");
  ASSERT_EQ(hull({"kill", "dead", "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_exit_and_reap(pid));
  ProcResult r = hull({"list", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json list = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(list.is_array() && list.size() == 1) << r.out;
  EXPECT_EQ(list[0].value("status", ""), "stopped");
}

}  // namespace
}  // namespace hull::itest
