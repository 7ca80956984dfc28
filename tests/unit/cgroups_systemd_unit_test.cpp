// The systemd driver's pure parts: cgroupsPath "slice:prefix:name" to a
// unit and its cgroup (runc's defaults, systemd's slice naming), resources
// to unit properties (runc's mapping), and Manager::plan/load with it.
#include <gtest/gtest.h>

#include <limits>

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/convert.hpp"
#include "cgroups/systemd_unit.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups {
namespace {

using test::error_of;

constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max();

const dbus::PropertyValue* find_property(const std::vector<dbus::Property>& props, const std::string& name) {
  const dbus::PropertyValue* found = nullptr;
  for (const auto& p : props)
    if (p.name == name) found = &p.value;  // the last one wins, as in systemd
  return found;
}

uint64_t number(const std::vector<dbus::Property>& props, const std::string& name) {
  const dbus::PropertyValue* v = find_property(props, name);
  if (!v) ADD_FAILURE() << name << " is not set";
  return v ? std::get<uint64_t>(*v) : 0;
}

TEST(SystemdSlice, ExpandsAsSystemdNamesSlices) {
  EXPECT_EQ(expand_slice("system.slice"), "system.slice");
  EXPECT_EQ(expand_slice("a-b-c.slice"), "a.slice/a-b.slice/a-b-c.slice");
  EXPECT_EQ(expand_slice("kubepods-burstable-pod1234.slice"),
            "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice");
  EXPECT_EQ(expand_slice("-.slice"), "");
  for (const char* bad : {"a--b.slice", "-a.slice", "a-.slice", ".slice", "system", "a/b.slice"})
    EXPECT_NE(error_of([&] { expand_slice(bad); }), test::kNoError) << bad;
  EXPECT_EQ(error_of([] { expand_slice("a--b.slice"); }),
            "systemd slice \"a--b.slice\": empty component (a leading, trailing or doubled '-')");
}

TEST(SystemdUnitName, RuncDefaultsForEmptyParts) {
  SystemdUnit u = systemd_unit(std::nullopt, "web");
  EXPECT_EQ(u.name, "hull-web.scope");
  EXPECT_EQ(u.slice, "system.slice");
  EXPECT_EQ(u.cgroup, "system.slice/hull-web.scope");
  EXPECT_FALSE(u.is_slice());

  u = systemd_unit(":cri-containerd:abc", "ignored");
  EXPECT_EQ(u.name, "cri-containerd-abc.scope");
  EXPECT_EQ(u.cgroup, "system.slice/cri-containerd-abc.scope");

  u = systemd_unit("system.slice::abc", "x");
  EXPECT_EQ(u.name, "abc.scope");
}

TEST(SystemdUnitName, NestedSliceAndSliceNames) {
  SystemdUnit u = systemd_unit("kubepods-burstable-pod1234.slice:cri-containerd:abc", "abc");
  EXPECT_EQ(u.name, "cri-containerd-abc.scope");
  EXPECT_EQ(u.slice, "kubepods-burstable-pod1234.slice");
  EXPECT_EQ(u.cgroup,
            "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-abc.scope");

  // A name that is a slice is created as that slice, placed by its own name.
  u = systemd_unit("system.slice:hull:machine-web.slice", "web");
  EXPECT_EQ(u.name, "machine-web.slice");
  EXPECT_TRUE(u.is_slice());
  EXPECT_EQ(u.cgroup, "machine.slice/machine-web.slice");

  EXPECT_EQ(error_of([] { systemd_unit("a--b.slice:p:n", "n"); }),
            "systemd slice \"a--b.slice\": empty component (a leading, trailing or doubled '-')");
  EXPECT_EQ(error_of([] { systemd_unit("/a/b", "n"); }),
            "cgroupsPath \"/a/b\": with --systemd-cgroup it must be \"slice:prefix:name\"");
}

TEST(SystemdMask, ListsBecomeLittleEndianBitmasks) {
  EXPECT_EQ(list_to_mask("0-2,9", "cpus"), (std::vector<uint8_t>{0x07, 0x02}));
  EXPECT_EQ(list_to_mask("7", "cpus"), (std::vector<uint8_t>{0x80}));
  EXPECT_EQ(list_to_mask("8-15", "cpus"), (std::vector<uint8_t>{0x00, 0xff}));
  EXPECT_EQ(error_of([] { list_to_mask("3-1", "linux.resources.cpu.cpus"); }),
            "linux.resources.cpu.cpus: \"3-1\" is not a list of numbers and ranges: range \"3-1\" runs backwards");
  EXPECT_NE(error_of([] { list_to_mask("a", "cpus"); }), test::kNoError);
  EXPECT_NE(error_of([] { list_to_mask("99999999", "cpus"); }), test::kNoError);
}

TEST(SystemdProperties, ResourcesMapAsRuncMapsThem) {
  spec::Resources r;
  r.memory = spec::Memory{};
  r.memory->limit = 32 << 20;
  r.memory->reservation = 16 << 20;
  r.memory->swap = 48 << 20;
  r.cpu = spec::CPU{};
  r.cpu->shares = 1024;
  r.cpu->quota = 33333;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.pids = spec::Pids{42};
  r.unified["memory.high"] = "max";
  auto props = resource_properties(r);
  EXPECT_EQ(number(props, "MemoryMax"), 32u << 20);
  EXPECT_EQ(number(props, "MemoryLow"), 16u << 20);
  EXPECT_EQ(number(props, "MemorySwapMax"), 16u << 20);  // v2 swap alone: swap - limit
  EXPECT_EQ(number(props, "CPUWeight"), 100u);           // shares_to_weight(1024)
  EXPECT_EQ(number(props, "CPUQuotaPeriodUSec"), 100000u);
  EXPECT_EQ(number(props, "CPUQuotaPerSecUSec"), 340000u);  // 333330 rounded up to whole percent
  EXPECT_EQ(std::get<std::vector<uint8_t>>(*find_property(props, "AllowedCPUs")), (std::vector<uint8_t>{0x03}));
  EXPECT_EQ(std::get<std::vector<uint8_t>>(*find_property(props, "AllowedMemoryNodes")), (std::vector<uint8_t>{0x01}));
  EXPECT_EQ(number(props, "TasksMax"), 42u);
  EXPECT_EQ(number(props, "MemoryHigh"), kInfinity);

  spec::Resources unlimited;
  unlimited.memory = spec::Memory{};
  unlimited.memory->limit = -1;
  unlimited.pids = spec::Pids{-1};
  unlimited.cpu = spec::CPU{};
  unlimited.cpu->quota = -1;
  props = resource_properties(unlimited);
  EXPECT_EQ(number(props, "MemoryMax"), kInfinity);
  EXPECT_EQ(number(props, "MemorySwapMax"), kInfinity);
  EXPECT_EQ(number(props, "TasksMax"), kInfinity);
  EXPECT_EQ(number(props, "CPUQuotaPerSecUSec"), kInfinity);
  EXPECT_EQ(find_property(props, "CPUQuotaPeriodUSec"), nullptr);

  EXPECT_TRUE(resource_properties(spec::Resources{}).empty());
}

// The IO weight goes to systemd too: without IOWeight, a daemon-reload or
// the next update wrote systemd's own io.weight (default 100) back over the
// container's (found in the systemd VM; runc 1.1.5 loses it the same way).
TEST(SystemdProperties, TheIoWeightIsAPropertySoThatAReloadKeepsIt) {
  spec::Resources r;
  r.blockIO = spec::BlockIO{};
  r.blockIO->weight = 500;
  auto props = resource_properties(r);
  EXPECT_EQ(number(props, "IOWeight"), 4950u);  // blkio_weight_to_io_weight, as io.weight is written
  r.blockIO->weight = 0;
  EXPECT_EQ(find_property(resource_properties(r), "IOWeight"), nullptr);
  r.blockIO.reset();
  for (const char* value : {"default 300", "300\n", "8:0 50\ndefault 300\n"}) {
    r.unified = {{"io.weight", value}};
    EXPECT_EQ(number(resource_properties(r), "IOWeight"), 300u) << value;
  }
  r.unified = {{"io.weight", "8:0 50"}};  // a device's alone: no default to keep
  EXPECT_EQ(find_property(resource_properties(r), "IOWeight"), nullptr);
}

// systemd writes cpu.idle at each apply of the unit (252 and later): 0 for
// any weight but "idle" (0). An idle container's shares went as its weight,
// and a daemon-reload took it out of idle.
TEST(SystemdProperties, AnIdleCpuIsTheIdleWeightWhateverTheShares) {
  spec::Resources r;
  r.cpu = spec::CPU{};
  r.cpu->shares = 512;
  r.cpu->idle = 1;
  EXPECT_EQ(number(resource_properties(r), "CPUWeight"), 0u);
  r.cpu->idle = 0;
  EXPECT_EQ(number(resource_properties(r), "CPUWeight"), shares_to_weight(512));
  // Out of idle with no shares: unset, or systemd would keep its idle weight.
  r.cpu->shares.reset();
  EXPECT_EQ(number(resource_properties(r), "CPUWeight"), kInfinity);
}

// systemd before 252 refuses CPUWeight 0: the call goes again without it;
// any other refusal is the caller's.
TEST(SystemdProperties, AnIdleWeightSystemdRefusesIsLeftOut) {
  spec::Resources r;
  r.cpu = spec::CPU{};
  r.cpu->idle = 1;
  r.pids = spec::Pids{50};
  std::vector<std::vector<dbus::Property>> calls;
  with_idle_weight_fallback(resource_properties(r), [&](const std::vector<dbus::Property>& props) {
    calls.push_back(props);
    if (find_property(props, "CPUWeight"))
      throw Error("org.freedesktop.DBus.Error.InvalidArgs: Value specified in CPUWeight is out of range");
  });
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(find_property(calls[1], "CPUWeight"), nullptr);
  EXPECT_EQ(number(calls[1], "TasksMax"), 50u);
  EXPECT_EQ(error_of([&] {
              with_idle_weight_fallback(resource_properties(r), [](const std::vector<dbus::Property>&) {
                throw Error("org.freedesktop.DBus.Error.AccessDenied: no");
              });
            }),
            "org.freedesktop.DBus.Error.AccessDenied: no");
}

TEST(SystemdProperties, ScopeIsDelegatedAndHoldsTheInit) {
  spec::Resources r;
  r.pids = spec::Pids{7};
  auto props = start_properties(systemd_unit("system.slice:hull:web", "web"), 4242, "web", r);
  EXPECT_EQ(std::get<std::string>(*find_property(props, "Description")), "hull container web");
  EXPECT_EQ(std::get<std::string>(*find_property(props, "Slice")), "system.slice");
  EXPECT_EQ(std::get<bool>(*find_property(props, "Delegate")), true);
  EXPECT_EQ(std::get<bool>(*find_property(props, "DefaultDependencies")), false);
  // Failed, it is collected: no failed unit left per container.
  EXPECT_EQ(std::get<std::string>(*find_property(props, "CollectMode")), "inactive-or-failed");
  EXPECT_EQ(std::get<std::vector<uint32_t>>(*find_property(props, "PIDs")), std::vector<uint32_t>{4242});
  EXPECT_EQ(number(props, "TasksMax"), 7u);

  // A slice has no PIDs= or Delegate=; its parent comes in by Wants=.
  props = start_properties(systemd_unit("system.slice:hull:machine-web.slice", "web"), 4242, "web", r);
  EXPECT_EQ(find_property(props, "PIDs"), nullptr);
  EXPECT_EQ(find_property(props, "Delegate"), nullptr);
  // Wants= is a list of units ("as"): a plain string is refused by systemd.
  EXPECT_EQ(std::get<std::vector<std::string>>(*find_property(props, "Wants")),
            std::vector<std::string>{"system.slice"});
}

// A unified cpu.max goes to systemd as runc sends it, so a daemon-reload
// keeps it; unified values are trimmed as runc trims them.
TEST(SystemdProperties, UnifiedCpuMaxAndValuesWithWhitespace) {
  spec::Resources r;
  r.unified["cpu.max"] = "30000 100000";
  r.unified["memory.max"] = "90000000\n";
  r.unified["pids.max"] = " 50 ";
  auto props = resource_properties(r);
  EXPECT_EQ(number(props, "CPUQuotaPeriodUSec"), 100000u);
  EXPECT_EQ(number(props, "CPUQuotaPerSecUSec"), 300000u);
  EXPECT_EQ(number(props, "MemoryMax"), 90000000u);
  EXPECT_EQ(number(props, "TasksMax"), 50u);
  r.unified = {{"cpu.max", "max"}};
  props = resource_properties(r);
  EXPECT_EQ(number(props, "CPUQuotaPeriodUSec"), 100000u);
  EXPECT_EQ(number(props, "CPUQuotaPerSecUSec"), kInfinity);
  r.unified = {{"cpu.max", "70000 200000\n"}};
  props = resource_properties(r);
  EXPECT_EQ(number(props, "CPUQuotaPeriodUSec"), 200000u);
  EXPECT_EQ(number(props, "CPUQuotaPerSecUSec"), 350000u);
  for (const char* bad : {"", "x 100000", "100 0", "100 200 300", "-5"}) {
    r.unified = {{"cpu.max", bad}};
    EXPECT_NE(error_of([&] { resource_properties(r); }), test::kNoError) << bad;
  }
}

// CRI-O's and podman's org.systemd.property.* annotations, read as runc
// reads them (its specconv initSystemdProps).
TEST(SystemdProperties, AnnotationsBecomeUnitPropertiesAsRuncReadsThem) {
  auto props = annotation_properties({
      {"org.systemd.property.TimeoutStopUSec", "uint64 5000000"},
      {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
      {"org.systemd.property.DefaultDependencies", "true"},
      {"org.systemd.property.After", "['crio.service', \"x.target\"]"},
      {"org.systemd.property.KillSignal", "15"},
      {"org.systemd.property.RuntimeMaxSec", "7"},
      {"org.systemd.property.CPUQuotaPeriodSec", "@t 2"},
      {"io.kubernetes.cri-o.Something", "not a property"},
  });
  EXPECT_EQ(number(props, "TimeoutStopUSec"), 5000000u);
  EXPECT_EQ(std::get<std::string>(*find_property(props, "CollectMode")), "inactive-or-failed");
  EXPECT_EQ(std::get<bool>(*find_property(props, "DefaultDependencies")), true);
  EXPECT_EQ(std::get<std::vector<std::string>>(*find_property(props, "After")),
            (std::vector<std::string>{"crio.service", "x.target"}));
  EXPECT_EQ(std::get<int32_t>(*find_property(props, "KillSignal")), 15);
  EXPECT_EQ(number(props, "RuntimeMaxUSec"), 7000000u);  // a lowercase letter before "Sec": seconds
  EXPECT_EQ(find_property(props, "RuntimeMaxSec"), nullptr);
  EXPECT_EQ(number(props, "CPUQuotaPeriodUSec"), 2000000u);
  EXPECT_EQ(props.size(), 7u);
  // Seconds past what 64 bits of microseconds hold are systemd's infinity.
  for (const char* huge : {"1e300", "@d inf", "uint64 18446744073709551615", "uint64 18446744073710"})
    EXPECT_EQ(number(annotation_properties({{"org.systemd.property.RuntimeMaxSec", huge}}), "RuntimeMaxUSec"),
              kInfinity)
        << huge;
  EXPECT_EQ(number(annotation_properties({{"org.systemd.property.RuntimeMaxSec", "uint64 18446744073709"}}),
                   "RuntimeMaxUSec"),
            18446744073709000000u);

  // After hull's own, so they override them; before the config's limits,
  // which override them.
  spec::Resources limits;
  limits.pids = spec::Pids{42};
  props.push_back({"TasksMax", uint64_t{7}});
  auto all = start_properties(systemd_unit("system.slice:hull:web", "web"), 1, "web", limits, props);
  EXPECT_EQ(std::get<bool>(*find_property(all, "DefaultDependencies")), true);
  EXPECT_EQ(std::get<std::string>(*find_property(all, "CollectMode")), "inactive-or-failed");
  EXPECT_EQ(number(all, "TasksMax"), 42u);

  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"org.systemd.property.bad name", "true"},
           {"org.systemd.property.Ab", "true"},
           {"org.systemd.property.TimeoutStopUSec", "notgvariant"},
           {"org.systemd.property.TimeoutStopSec", "'five'"},
           {"org.systemd.property.TimeoutStopSec", "-1"},
           {"org.systemd.property.KillSignal", "int32 99999999999"},
       })
    EXPECT_NE(error_of([&, k = key, v = value] {
                annotation_properties({{k, v}});
              }),
              test::kNoError)
        << key << "=" << value;
  EXPECT_EQ(error_of([] {
              annotation_properties({{"org.systemd.property.Bad1", "true"}});
            }),
            "annotation \"org.systemd.property.Bad1\": the property name holds a character other than an ASCII "
            "letter");
}

Host unified_host() {
  Host h;
  h.mode = Mode::Unified;
  h.v2_mount = "/sys/fs/cgroup";
  h.v2_own_path = "/user.slice/session-1.scope";
  h.v2_controllers = std::set<std::string>{"cpu", "memory", "pids", "cpuset", "io"};
  return h;
}

TEST(SystemdManager, PlanNamesTheScopeCgroupAndStateKeepsTheUnit) {
  spec::Linux l;
  l.cgroupsPath = "kubepods-pod1.slice:cri-containerd:abc";
  const Host host = unified_host();
  Manager m = Manager::plan(&l, "abc", true, host);
  EXPECT_TRUE(m.systemd());
  EXPECT_EQ(m.paths().v2, "/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope");
  EXPECT_TRUE(m.paths().v1.empty());
  EXPECT_EQ(m.clone_into_fd(), -1);
  std::string state = m.to_state();
  EXPECT_NE(state.find("\"systemdUnit\":\"cri-containerd-abc.scope\""), std::string::npos) << state;

  Manager loaded = Manager::load(state, &host);
  EXPECT_TRUE(loaded.systemd());
  EXPECT_EQ(loaded.paths().v2, m.paths().v2);
  EXPECT_FALSE(Manager::load(Manager::plan(&l, "abc", false, host).to_state(), &host).systemd());
  EXPECT_NE(error_of([] { Manager::load(R"({"mode":"unified","v2":"/x","v1":{},"systemdUnit":"x.service"})"); }),
            test::kNoError);
}

TEST(SystemdManager, RefusedOffPureV2) {
  Host h = unified_host();
  h.mode = Mode::Hybrid;
  spec::Linux l;
  EXPECT_NE(error_of([&] {
              Manager::plan(&l, "abc", true, h);
            }).find("--systemd-cgroup: the systemd cgroup driver needs a pure cgroup v2 host"),
            std::string::npos);
}

// Only with the systemd driver, as runc reads them only there.
TEST(SystemdManager, AnnotationsAreReadOnlyWithTheSystemdDriver) {
  spec::Linux l;
  l.cgroupsPath = "system.slice:x:y";
  const std::map<std::string, std::string> bad{{"org.systemd.property.X y", "1"}};
  const Host host = unified_host();
  Manager with_systemd = Manager::plan(&l, "y", true, host);
  EXPECT_NE(error_of([&] { with_systemd.set_unit_annotations(bad); }), test::kNoError);
  spec::Linux plain;
  Manager cgroupfs = Manager::plan(&plain, "y", false, host);
  EXPECT_EQ(error_of([&] { cgroupfs.set_unit_annotations(bad); }), test::kNoError);
}

}  // namespace
}  // namespace hull::cgroups
