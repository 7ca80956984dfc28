// linux.intelRdt's groups (cgroups/resctrl.hpp): which directories a config
// names, the lines it writes and in what order, and when a group set up
// beforehand already holds what the config asks for.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "base/error.hpp"
#include "cgroups/resctrl.hpp"

namespace hull::resctrl {
namespace {

spec::IntelRdt rdt(std::optional<std::string> clos, bool monitoring = false) {
  spec::IntelRdt r;
  r.closID = std::move(clos);
  if (monitoring) r.enableMonitoring = true;
  return r;
}

TEST(Resctrl, WithoutClosIdTheGroupIsTheContainersOwn) {
  Groups g = plan("/sys/fs/resctrl", rdt(std::nullopt, true), "web");
  EXPECT_EQ(g.control, "/sys/fs/resctrl/web");
  EXPECT_EQ(g.monitor, "/sys/fs/resctrl/web/mon_groups/web");
  EXPECT_FALSE(g.remove_control) << "set once create has made it";
}

TEST(Resctrl, AClosIdGroupIsNeverTheContainersToRemove) {
  Groups g = plan("/sys/fs/resctrl", rdt("gold"), "web");
  EXPECT_EQ(g.control, "/sys/fs/resctrl/gold");
  EXPECT_EQ(g.monitor, "");
  EXPECT_FALSE(g.remove_control);
  // "/": the default class of service, the file system's root.
  g = plan("/sys/fs/resctrl", rdt("/", true), "web");
  EXPECT_EQ(g.control, "/sys/fs/resctrl");
  EXPECT_EQ(g.monitor, "/sys/fs/resctrl/mon_groups/web");
  EXPECT_FALSE(g.remove_control);
}

TEST(Resctrl, GroupsRoundTripThroughTheStateFile) {
  std::map<std::string, std::string> extra{{"other", "kept"}};
  Groups g = plan("/sys/fs/resctrl", rdt(std::nullopt, true), "web");
  g.remove_control = true;
  g.record(extra);
  Groups back = Groups::recorded(extra, "web");
  EXPECT_EQ(back.control, g.control);
  EXPECT_EQ(back.monitor, g.monitor);
  EXPECT_EQ(back.remove_control, g.remove_control);
  EXPECT_EQ(extra.at("other"), "kept");
  EXPECT_TRUE(Groups::recorded({}, "web").empty());
}

// config-linux.md: l3CacheSchema first, memBwSchema next, schemata last.
TEST(Resctrl, LinesComeInTheSpecsOrder) {
  spec::IntelRdt r;
  r.schemata = {"L2:0=f", "MB:1=70"};
  r.memBwSchema = "MB:0=20";
  r.l3CacheSchema = "L3:0=7f0;1=1f";
  EXPECT_EQ(schemata_lines(r), (std::vector<std::string>{"L3:0=7f0;1=1f", "MB:0=20", "L2:0=f", "MB:1=70"}));
  // An l3CacheSchema holding more than one line is written as its lines.
  r = {};
  r.l3CacheSchema = "L3:0=f\nMB:0=50\n";
  EXPECT_EQ(schemata_lines(r), (std::vector<std::string>{"L3:0=f", "MB:0=50"}));
  EXPECT_TRUE(schemata_lines(spec::IntelRdt{}).empty());
}

// The kernel pads resource names and may print masks with leading zeros.
TEST(Resctrl, AGroupHoldsWhatItsFileSaysWhateverTheSpelling) {
  const std::string file = "    L3:0=0f0;1=FFF\n    MB:0=  50;1=100\n    L2:0=ff\n";
  EXPECT_EQ(first_difference(file, {"L3:0=f0;1=fff", "MB:0=50;1=100"}), "");
  EXPECT_EQ(first_difference(file, {"L3:1=fff"}), "");  // a domain the config leaves out is not compared
  EXPECT_EQ(first_difference(file, {"MB:0=50", "L3:0=ff"}), "L3:0=ff");
  EXPECT_EQ(first_difference(file, {"L3:2=f"}), "L3:2=f");      // no such domain
  EXPECT_EQ(first_difference(file, {"SMBA:0=1"}), "SMBA:0=1");  // no such resource
  EXPECT_EQ(first_difference(file, {"garbage"}), "garbage");
  EXPECT_EQ(first_difference("", {}), "");
}

// A damaged or planted state.json cannot have exec, update or delete write
// or remove anything but the groups a create of the id makes.
TEST(Resctrl, RecordedGroupsAreOnlyOnesCreateMakes) {
  auto recorded = [](std::string control, std::string monitor, bool remove, const char* id = "web") {
    std::map<std::string, std::string> extra;
    Groups{std::move(control), std::move(monitor), remove}.record(extra);
    return Groups::recorded(extra, id);
  };
  EXPECT_NO_THROW(recorded("/sys/fs/resctrl/web", "/sys/fs/resctrl/web/mon_groups/web", true));
  EXPECT_NO_THROW(recorded("/sys/fs/resctrl/gold", "/sys/fs/resctrl/gold/mon_groups/web", false));
  EXPECT_NO_THROW(recorded("/sys/fs/resctrl", "/sys/fs/resctrl/mon_groups/web", false));
  EXPECT_THROW(recorded("/tmp", "", false), Error);
  EXPECT_THROW(recorded("/sys/fs/resctrl/..", "", false), Error);
  EXPECT_THROW(recorded("/sys/fs/resctrl/../../tmp", "", false), Error);
  EXPECT_THROW(recorded("/sys/fs/resctrl/gold/mon_groups/x", "", false), Error);  // not a CTRL_MON group
  EXPECT_THROW(recorded("/sys/fs/resctrl/web", "/sys/fs/resctrl/web/mon_groups/other", true), Error);
  EXPECT_THROW(recorded("/sys/fs/resctrl/other", "", true), Error);  // removal only of its own
  EXPECT_THROW(recorded("/sys/fs/resctrl", "", true), Error);
}

// The kernel rounds a bandwidth up to info/MB/bandwidth_gran: a group made
// with MB:0=25 holds 30, and the same config must find it holding 25.
TEST(Resctrl, ABandwidthMatchesWhatTheKernelRoundedItTo) {
  const std::string file = "MB:0=30;1=100\n";
  EXPECT_EQ(first_difference(file, {"MB:0=25"}, 10), "");
  EXPECT_EQ(first_difference(file, {"MB:0=30;1=100"}, 10), "");
  EXPECT_EQ(first_difference(file, {"MB:0=35"}, 10), "MB:0=35");
  EXPECT_EQ(first_difference(file, {"MB:0=25"}, 0), "MB:0=25");  // MBps: no rounding
}

}  // namespace
}  // namespace hull::resctrl
