// What a command prints reaches a regular file whole. hull leaves with
// _exit (src/cli/main.cpp: no exit handlers on the hot path), and stdio
// buffers a file's output fully, so anything not flushed before the _exit
// would be lost: a shim or script that redirects `hull state` to a file
// would read an empty one.
#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class OutputToFileTest : public HullTest {
 protected:
  // `hull --root <root> args` with stdout and stderr sent to files.
  ProcResult hull_to_files(const std::string& args, const fs::path& out, const fs::path& err) {
    std::string cmd = "exec '" + runtime_binary() + "' --root '" + state_root().string() + "' " + args + " >'" +
                      out.string() + "' 2>'" + err.string() + "'";
    return run_process({"/bin/sh", "-c", cmd});
  }
};

TEST_F(OutputToFileTest, StateListAndErrorsAreWrittenWhole) {
  ASSERT_GT(create_container("tofile"), 0);
  const fs::path out = temp_dir() / "out", err = temp_dir() / "err";

  ASSERT_EQ(hull_to_files("state tofile", out, err).exit_code, 0) << read_text_file(err);
  json st = json::parse(read_text_file(out), nullptr, false);
  ASSERT_TRUE(st.is_object()) << "state in a file: " << read_text_file(out);
  EXPECT_EQ(st.value("status", ""), "created");

  ASSERT_EQ(hull_to_files("list --format json", out, err).exit_code, 0) << read_text_file(err);
  json list = json::parse(read_text_file(out), nullptr, false);
  ASSERT_TRUE(list.is_array()) << "list in a file: " << read_text_file(out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].value("id", ""), "tofile");

  EXPECT_EQ(hull_to_files("state missing-one", out, err).exit_code, 1);
  EXPECT_NE(read_text_file(err).find("missing-one"), std::string::npos) << "error in a file: " << read_text_file(err);

  // The usage: CLI11 prints it through std::cout, several KiB.
  ASSERT_EQ(hull_to_files("--help", out, err).exit_code, 0) << read_text_file(err);
  const std::string help = read_text_file(out);
  EXPECT_NE(help.find("create"), std::string::npos) << help;
  EXPECT_NE(help.find("delete"), std::string::npos) << help;

  EXPECT_EQ(hull({"delete", "--force", "tofile"}).exit_code, 0);
}

}  // namespace
}  // namespace hull::itest
