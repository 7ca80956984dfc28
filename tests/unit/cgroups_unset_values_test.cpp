// The resource-zero table (tests/data/cgroups/unset_values.yaml): every
// linux.resources field x {absent, 0, -1, valid, invalid} against the files
// written on a fake v1 and a fake v2 tree, through the same steps create and
// update take (parse, without_unset_values, route, write).
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/routing.hpp"
#include "cgroups/unset_values.hpp"
#include "cgroups_fake_tree.hpp"

namespace hull::cgroups::testing {
namespace {

using V = std::vector<std::string>;

class UnsetValuesTable : public FakeCgroupFs {
 protected:
  // A legacy (v1-only) host with the controllers the table touches, and the
  // container's directories with the files the kernel would have.
  void legacy(Host& h, Paths& p) {
    h.mode = Mode::Legacy;
    const std::vector<std::pair<std::string, std::vector<std::string>>> ctrls = {
        {"memory",
         {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.swappiness",
          "memory.oom_control", "memory.use_hierarchy"}},
        {"cpu",
         {"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us", "cpu.rt_period_us",
          "cpu.rt_runtime_us", "cpu.idle"}},
        {"cpuset", {"cpuset.cpus", "cpuset.mems"}},
        {"pids", {"pids.max"}},
        {"blkio",
         {"blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.leaf_weight", "blkio.leaf_weight_device",
          "blkio.throttle.read_bps_device"}},
    };
    for (const auto& [name, files] : ctrls) {
      h.v1[name] = {dir("v1/" + name), "/", {name}};
      p.v1[name] = dir("v1/" + name + "/c");
      for (const auto& f : files) std::ofstream(p.v1[name] + "/" + f).flush();
    }
  }
  void unified(Host& h, Paths& p) {
    h.mode = Mode::Unified;
    h.v2_mount = dir("v2", {"cgroup.controllers=cpu cpuset io memory pids\n"});
    h.v2_controllers = std::set<std::string>{"cpu", "cpuset", "io", "memory", "pids"};
    p.mode = Mode::Unified;
    p.v2 = dir("v2/c", {"memory.max", "memory.swap.max", "memory.low", "memory.current=0\n", "cpu.weight", "cpu.max",
                        "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "pids.max", "io.weight", "io.max"});
  }

  // The writes as the table spells them, or "error: <message>".
  V outcome(const Host& h, const Paths& p, const spec::Resources& r, bool updating) {
    log_.writes.clear();
    Warnings warnings;
    try {
      spec::Resources effective = without_unset_values(r);
      Router router(h, p);
      router.check(effective);
      router.apply(effective, ApplyOptions{updating, &warnings});
    } catch (const Error& e) {
      return {std::string("error: ") + e.what()};
    }
    V out;
    for (const auto& [path, value] : log_.writes) {
      std::string rel = path.substr(root_.size() + 1);  // v1/cpu/c/cpu.shares, v2/c/cpu.max
      std::string file = rel.substr(rel.rfind('/') + 1);
      std::string shown = rel.starts_with("v1/") ? rel.substr(3, rel.find('/', 3) - 3) + "/" + file : file;
      out.push_back(shown + "=" + value);
    }
    return out;
  }
};

void expect_row(const YAML::Node& row, const char* version, const V& got, const std::string& what) {
  const std::string err_key = std::string(version) + "_error";
  if (row[err_key]) {
    ASSERT_EQ(got.size(), 1u) << what;
    EXPECT_TRUE(got[0].starts_with("error: ") && got[0].find(row[err_key].as<std::string>()) != std::string::npos)
        << what << ": " << got[0];
    return;
  }
  ASSERT_TRUE(row[version]) << what << ": the row has neither " << version << " nor " << err_key;
  EXPECT_EQ(got, row[version].as<V>()) << what;
}

TEST_F(UnsetValuesTable, EveryFieldAgainstTheFilesWritten) {
  Host v1_host, v2_host;
  Paths v1_paths, v2_paths;
  legacy(v1_host, v1_paths);
  unified(v2_host, v2_paths);
  YAML::Node table = YAML::LoadFile(std::string(HULL_TEST_DATA) + "/cgroups/unset_values.yaml");
  ASSERT_GT(table.size(), 40u);
  for (const YAML::Node& row : table) {
    const std::string json = row["resources"].as<std::string>();
    if (row["parse_error"]) {
      try {
        spec::parse_resources_json(json, "resources.json");
        ADD_FAILURE() << json << ": parsed, expected an error naming " << row["parse_error"].as<std::string>();
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(row["parse_error"].as<std::string>()), std::string::npos)
            << json << ": " << e.what();
      }
      continue;
    }
    spec::Resources r = spec::parse_resources_json(json, "resources.json");
    for (bool updating : {false, true}) {
      const std::string what = json + (updating ? " (update)" : " (create)");
      expect_row(row, "v1", outcome(v1_host, v1_paths, r, updating), what + " on v1");
      expect_row(row, "v2", outcome(v2_host, v2_paths, r, updating), what + " on v2");
    }
  }
}

// The zero groups are gone entirely, so a config of zeros needs no
// controller at all (Docker's on a host without blkio or rt scheduling).
TEST(UnsetValues, AGroupOfZerosIsDropped) {
  spec::Resources r = spec::parse_resources_json(
      R"({"cpu": {"shares": 0, "period": 0, "cpus": ""}, "blockIO": {"weight": 0}, "pids": {"limit": 0},
          "memory": {"limit": 0, "swap": 0}})",
      "r.json");
  spec::Resources e = without_unset_values(r);
  EXPECT_FALSE(e.cpu);
  EXPECT_FALSE(e.blockIO);
  EXPECT_FALSE(e.pids);
  EXPECT_FALSE(e.memory);
  // Not unset: a hugepage limit of 0 forbids huge pages.
  r.hugepageLimits = {{"2MB", 0}};
  EXPECT_EQ(without_unset_values(r).hugepageLimits.size(), 1u);
}

}  // namespace
}  // namespace hull::cgroups::testing
