// `hull list` in its three forms: the table, -f json and -q.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

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

// The table shows a bundle path with a newline and an escape sequence
// escaped: it cannot forge a row or colour the terminal. The JSON keeps it.
TEST_F(HullTest, ListTableEscapesTheBundleCell) {
  Bundle& b = bundle("odd\n\x1b[31mname");
  std::string cgroups_path = b.config["linux"]["cgroupsPath"];  // named after the bundle: no newline there
  b.config["linux"]["cgroupsPath"] = cgroups_path.substr(0, cgroups_path.find("odd")) + "oddbundle";
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "oddbundle"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ProcResult r = hull({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("odd\\n\\x1b[31mname"), std::string::npos) << r.out;
  ProcResult j = hull({"list", "-f", "json"});
  nlohmann::json list = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_TRUE(list.is_array() && list.size() == 1) << j.out;
  EXPECT_EQ(list[0].value("bundle", ""), b.dir().string());
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

// list reads many containers on helper threads, each with an fd table of
// its own: a created container recorded "running" (a start killed after
// recording it) is asked through its start socket, addressed by a
// directory fd of the thread that asks. Sorted last, it is read on a
// helper; through /proc/self/fd that fd was the main thread's (another
// file, or none): list failed ("not a directory") or said "running".
TEST_F(HullTest, ListAsksACreatedContainerOnAHelperThreadThroughItsOwnFd) {
  ASSERT_GT(create_container("zz-waiting"), 0);
  const std::filesystem::path state_file = state_dir("zz-waiting") / "state.json";
  nlohmann::json st = nlohmann::json::parse(read_text_file(state_file));
  st["status"] = "running";
  std::ofstream(state_file) << st.dump();
  for (int i = 0; i < 200; ++i) {
    const std::string id = "stopped-" + std::to_string(1000 + i);
    std::filesystem::create_directories(state_dir(id));
    std::ofstream(state_dir(id) / "state.json")
        << nlohmann::json{{"ociVersion", "1.3.0"}, {"id", id},
                          {"status", "stopped"},   {"pid", 0},
                          {"bundle", "/"},         {"created", "2026-11-28T00:00:00Z"}}
               .dump();
  }
  for (int i = 0; i < 20; ++i) {
    ProcResult r = hull({"list", "-f", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json list = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(list.is_array() && list.size() == 201) << r.out.substr(0, 200);
    for (const auto& c : list) {
      if (c.value("id", "") == "zz-waiting") {
        EXPECT_EQ(c.value("status", ""), "created");
      }
    }
  }
}

}  // namespace
}  // namespace hull::itest
