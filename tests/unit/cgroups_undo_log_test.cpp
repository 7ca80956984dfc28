// cgroups::UndoLog: a failed update's files written back as they were.
#include "cgroups_fake_tree.hpp"

namespace hull::cgroups::testing {
namespace {

using V = std::vector<std::string>;

class UndoLogTest : public FakeCgroupFs {};

TEST_F(UndoLogTest, WritesBackWhatEachFileHeldLastWrittenFirstALineAtATime) {
  std::string d = dir("c", {"memory.max=max\n", "io.weight=default 100\n8:0 200\n", "pids.max=50\n"});
  {
    UndoLog undo;
    write_value(d, "memory.max", "1000");
    write_value(d, "io.weight", "default 50");
    write_value(d, "memory.max", "2000");  // recorded once: what it held first
    EXPECT_EQ(try_write_value(d, "missing", "1"), ENOENT);
    EXPECT_TRUE(undo.undo().empty());
    write_value(d, "pids.max", "10");  // after undo(): not recorded
  }
  EXPECT_EQ(writes(d, "io.weight"), (V{"default 50", "default 100", "8:0 200"}));
  EXPECT_EQ(writes(d, "memory.max"), (V{"1000", "2000", "max"}));
  EXPECT_EQ(written_files().size(), 7U);
  EXPECT_EQ(written_files()[3], "c/io.weight");  // io.weight went back first
  EXPECT_EQ(read(d, "pids.max"), "10");
}

// A write the kernel refuses changed nothing (cgroup.stat read back as six
// lines it refuses again), and the parent's subtree_control only gains
// controllers others may use by then: neither is written back.
TEST_F(UndoLogTest, KeepsNoRefusedWriteAndNoSubtreeControl) {
  std::string d = dir("c", {"cgroup.subtree_control=cpu\n"});
  std::filesystem::create_directory(d + "/cgroup.stat");  // refuses the write
  UndoLog undo;
  EXPECT_EQ(try_write_value(d, "cgroup.stat", "1"), EISDIR);
  write_value(d, "cgroup.subtree_control", "+memory");
  EXPECT_TRUE(undo.undo().empty());
  EXPECT_EQ(writes(d, "cgroup.subtree_control"), (V{"+memory"}));
}

TEST_F(UndoLogTest, SaysWhatCannotBeWrittenBack) {
  std::string d = dir("c", {"cpu.max=max 100000\n"});
  UndoLog undo;
  write_value(d, "cpu.max", "5000 50000");
  std::filesystem::remove(d + "/cpu.max");
  std::filesystem::create_directory(d + "/cpu.max");  // refuses the write, root or not
  const std::vector<std::string> refused = undo.undo();
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0], "write max 100000 to " + d + "/cpu.max: is a directory");
}

}  // namespace
}  // namespace hull::cgroups::testing
