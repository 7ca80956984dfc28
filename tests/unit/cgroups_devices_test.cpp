// Device rules: the effective list, its v1 text, and the v2 eBPF program,
// checked instruction by instruction and by running it in a small interpreter
// for the instructions the generator emits.
#include <algorithm>
#include <iterator>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "cgroups/devices.hpp"
#include "cgroups_fake_tree.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups {
namespace {

// Runs prog on a bpf_cgroup_dev_ctx; fails the test on an unexpected opcode.
int run(const std::vector<bpf_insn>& prog, char type, uint8_t access, uint32_t major, uint32_t minor) {
  uint32_t ctx[3] = {(static_cast<uint32_t>(access) << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                     major, minor};
  uint64_t r[11] = {};
  size_t pc = 0;
  for (int steps = 0; steps < 10000 && pc < prog.size(); ++steps) {
    const bpf_insn& i = prog[pc++];
    switch (i.code) {
      case BPF_LDX | BPF_W | BPF_MEM:
        EXPECT_EQ(i.src_reg, BPF_REG_1);
        r[i.dst_reg] = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg] & static_cast<uint32_t>(i.imm));
        break;
      case BPF_ALU | BPF_RSH | BPF_K: r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) >> i.imm; break;
      case BPF_ALU | BPF_MOV | BPF_X: r[i.dst_reg] = static_cast<uint32_t>(r[i.src_reg]); break;
      case BPF_ALU64 | BPF_MOV | BPF_K: r[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm)); break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (r[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (r[i.dst_reg] == static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT: return static_cast<int>(r[0]);
      default: ADD_FAILURE() << "unexpected opcode " << int(i.code); return -1;
    }
  }
  ADD_FAILURE() << "program ran off its end";
  return -1;
}

constexpr uint8_t R = kRead, W = kWrite, M = kMknod;

int device_prog_result(const std::vector<DeviceRule>& rules, char type, uint8_t access, uint32_t major,
                       uint32_t minor) {
  return run(device_program(rules), type, access, major, minor);
}

TEST(CgroupDevices, ConfigRulesThenEveryOneOfRuncsDefaults) {
  std::vector<spec::DeviceCgroup> res = {{false, std::nullopt, std::nullopt, std::nullopt, "rwm"},
                                         {true, "c", 10, 229, "rw"}};
  auto rules = device_rules(res);
  ASSERT_EQ(rules.size(), 2u + 11u);
  EXPECT_EQ(rules[0], (DeviceRule{false, 'a', -1, -1, R | W | M}));
  EXPECT_EQ(rules[1], (DeviceRule{true, 'c', 10, 229, R | W}));
  EXPECT_EQ(rules[2], (DeviceRule{true, 'c', -1, -1, M}));
  EXPECT_EQ(rules[4], (DeviceRule{true, 'c', 1, 3, R | W | M}));         // /dev/null
  EXPECT_EQ(rules.back(), (DeviceRule{true, 'c', 10, 200, R | W | M}));  // /dev/net/tun
  EXPECT_EQ(device_rules(res, false).size(), 2u);
}

TEST(CgroupDevices, TypeAllWithANumberIsSplitIntoCharAndBlock) {
  auto rules = device_rules({{true, "a", 8, std::nullopt, "r"}}, false);
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(v1_rule_text(rules[0]), "c 8:* r");
  EXPECT_EQ(v1_rule_text(rules[1]), "b 8:* r");
}

// A rule that would take access out of a wider exception before it is
// dropped by the v1 kernel, silently, and enforced by v2's program: refused
// (as runc's emulator refuses it), so no config grants more on one host.
TEST(CgroupDevices, ARuleThatCutsAHoleInAWiderOneIsRefused) {
  const std::optional<std::string> rwm = "rwm";
  EXPECT_EQ(test::error_of([&] {
              device_rules({{false, std::nullopt, std::nullopt, std::nullopt, rwm},
                            {true, "c", 10, std::nullopt, rwm},
                            {false, "c", 10, 229, "w"}});
            }),
            "linux.resources.devices[2]: deny c 10:229 w would cut a hole in the wider allow c 10:* rwm before it, "
            "which cgroup v1 cannot do (runc refuses it too): list the devices the wider rule is for one by one "
            "instead");
  EXPECT_NE(test::error_of([&] {
              device_rules({{true, "a", std::nullopt, std::nullopt, rwm},
                            {false, "c", 10, std::nullopt, "r"},
                            {true, "c", 10, 229, "r"}},
                           false);
            }).find("linux.resources.devices[2]: allow c 10:229 r would cut a hole in the wider deny c 10:* r"),
            std::string::npos);
  // runc's defaults come after: a deny of every char device leaves them no room.
  EXPECT_NE(
      test::error_of([&] {
        device_rules({{true, "a", std::nullopt, std::nullopt, rwm}, {false, "c", std::nullopt, std::nullopt, rwm}});
      }).find("linux.resources.devices: the default rule for /dev/null: allow c 1:3 rwm would cut a hole"),
      std::string::npos);
  // What v1 can do: the same device again, a subset of one exception, a reset.
  EXPECT_EQ(device_rules({{false, std::nullopt, std::nullopt, std::nullopt, rwm},
                          {true, "c", 10, std::nullopt, rwm},
                          {false, "c", 10, std::nullopt, "w"},
                          {true, "c", 10, 229, "r"},
                          {false, "c", 10, 229, "w"},
                          {true, "a", std::nullopt, std::nullopt, rwm},
                          {false, "c", 10, 229, rwm}})
                .size(),
            7u + 11u);
}

// Type "a" for every device is a reset whatever its access, as the v1
// kernel and runc read it: "allow a r" allows everything, "deny a r" nothing.
TEST(CgroupDevices, TypeAllForEveryDeviceIsAResetWhateverItsAccess) {
  auto rules =
      device_rules({{true, "c", 10, 229, "rwm"}, {false, std::nullopt, std::nullopt, std::nullopt, "r"}}, false);
  EXPECT_EQ(rules[1], (DeviceRule{false, 'a', -1, -1, R | W | M}));
  EXPECT_EQ(device_prog_result(rules, 'c', W, 10, 229), 0);
  rules = device_rules({{true, std::nullopt, std::nullopt, std::nullopt, "r"}}, false);
  EXPECT_EQ(device_prog_result(rules, 'c', W, 4, 1), 1);
}

TEST(CgroupDevices, BadAccessOrTypeIsAnError) {
  EXPECT_EQ(test::error_of([&] {
              device_rules({{true, "c", 1, 3, "rx"}});
            }),
            "linux.resources.devices[0].access: \"rx\" is not a combination of r, w and m");
  EXPECT_THROW(device_rules({{true, "u", 1, 3, "r"}}), Error);
  // Empty access is refused (as runc refuses it): a deny rule "" was all of
  // rwm. Left out, it still means all.
  EXPECT_EQ(test::error_of([&] {
              device_rules({{false, "c", 1, 3, ""}});
            }),
            "linux.resources.devices[0].access: empty (give r, w and m, or leave it out)");
  auto all = device_rules({{false, "c", 1, 3, std::nullopt}}, false);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(v1_rule_text(all[0]), "c 1:3 rwm");
}

TEST(CgroupDevices, V1TextAndWriteOrder) {
  EXPECT_EQ(v1_rule_text({true, 'a', -1, -1, R | W | M}), "a *:* rwm");
  EXPECT_EQ(v1_rule_text({false, 'b', 8, 0, W}), "b 8:0 w");
  EXPECT_EQ(v1_rule_text({true, 'c', 136, -1, M}), "c 136:* m");
}

class CgroupDevicesV1 : public testing::FakeCgroupFs {};

TEST_F(CgroupDevicesV1, DenyAllFirstThenRulesInOrder) {
  std::string d = dir("devices/c", {"devices.allow", "devices.deny"});
  v1_set_devices(d, {{true, 'c', 1, 3, R | W | M}, {false, 'c', 1, 3, W}, {true, 'a', -1, -1, R | W | M}});
  EXPECT_EQ(written_files(), (std::vector<std::string>{"devices/c/devices.deny", "devices/c/devices.allow",
                                                       "devices/c/devices.deny", "devices/c/devices.allow"}));
  EXPECT_EQ(writes(d, "devices.deny"), (std::vector<std::string>{"a", "c 1:3 w"}));
  EXPECT_EQ(writes(d, "devices.allow"), (std::vector<std::string>{"c 1:3 rwm", "a *:* rwm"}));
}

TEST(CgroupDevicesBpf, EmptyRuleListDeniesEverything) {
  auto prog = device_program({});
  ASSERT_EQ(prog.size(), 2u);  // mov r0 0, exit
  EXPECT_EQ(prog[0].code, BPF_ALU64 | BPF_MOV | BPF_K);
  EXPECT_EQ(prog[0].imm, 0);
  EXPECT_EQ(prog[1].code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(run(prog, 'c', R, 1, 3), 0);
}

TEST(CgroupDevicesBpf, OneFullRuleIsTypeMajorMinorChecks) {
  auto prog = device_program({{true, 'c', 1, 3, R | W | M}});
  // r2 = type; if r2 != char skip 6; r4 = major; if r4 != 1 skip 4;
  // r5 = minor; if r5 != 3 skip 2; r0 = 1; exit; then the default deny
  ASSERT_EQ(prog.size(), 9u + 2u);
  EXPECT_EQ(prog[0].code, BPF_LDX | BPF_W | BPF_MEM);
  EXPECT_EQ(prog[0].dst_reg, BPF_REG_2);
  EXPECT_EQ(prog[0].off, 0);
  EXPECT_EQ(prog[2].code, BPF_JMP | BPF_JNE | BPF_K);
  EXPECT_EQ(prog[2].dst_reg, BPF_REG_2);
  EXPECT_EQ(prog[2].imm, BPF_DEVCG_DEV_CHAR);
  EXPECT_EQ(prog[2].off, 6);
  EXPECT_EQ(prog[3].dst_reg, BPF_REG_4);
  EXPECT_EQ(prog[3].off, 4);
  EXPECT_EQ(prog[4].dst_reg, BPF_REG_4);
  EXPECT_EQ(prog[4].imm, 1);
  EXPECT_EQ(prog[4].off, 4);
  EXPECT_EQ(prog[5].dst_reg, BPF_REG_5);
  EXPECT_EQ(prog[5].off, 8);
  EXPECT_EQ(prog[6].dst_reg, BPF_REG_5);
  EXPECT_EQ(prog[6].imm, 3);
  EXPECT_EQ(prog[6].off, 2);
  EXPECT_EQ(prog[7].imm, 1);
  EXPECT_EQ(prog[8].code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(run(prog, 'c', R | W, 1, 3), 1);
  EXPECT_EQ(run(prog, 'c', R | W, 1, 5), 0);
}

TEST(CgroupDevicesBpf, PartialAccessAddsAMaskTest) {
  auto prog = device_program({{true, 'b', 8, -1, R}});
  // type check (3), r3 = access (load, shift), and r3 ~r, jne r3 0, major check (2), r0 = 1, exit
  ASSERT_EQ(prog.size(), 3u + 4u + 2u + 2u + 2u);
  EXPECT_EQ(prog[3].code, BPF_LDX | BPF_W | BPF_MEM);
  EXPECT_EQ(prog[4].code, BPF_ALU | BPF_RSH | BPF_K);
  EXPECT_EQ(prog[5].code, BPF_ALU | BPF_AND | BPF_K);
  EXPECT_EQ(prog[5].imm, W | M);
  EXPECT_EQ(run(prog, 'b', R, 8, 1), 1);
  EXPECT_EQ(run(prog, 'b', R | W, 8, 1), 0);
  EXPECT_EQ(run(prog, 'c', R, 8, 1), 0);
  EXPECT_EQ(run(prog, 'b', R, 9, 1), 0);
}

// The verifier walks a program once per distinct state at each point: a
// block must not depend on what an earlier block's tests learnt, so each one
// loads what it tests and only the context pointer (r1) is ever read across
// blocks (see devices_bpf.cpp; the kernel's side: CgroupV2Test).
TEST(CgroupDevicesBpf, EveryBlockLoadsWhatItTestsAndKeepsTheContextPointer) {
  auto prog = device_program(device_rules({{false, std::nullopt, std::nullopt, std::nullopt, "rwm"}}));
  bool loaded[11] = {};
  for (const bpf_insn& i : prog) {
    EXPECT_NE(i.dst_reg, BPF_REG_1) << "r1 (the context) overwritten";
    if (i.code == (BPF_LDX | BPF_W | BPF_MEM)) loaded[i.dst_reg] = true;
    if (i.code == (BPF_JMP | BPF_JNE | BPF_K) || i.code == (BPF_JMP | BPF_JEQ | BPF_K)) {
      EXPECT_TRUE(loaded[i.dst_reg]) << "test of r" << int(i.dst_reg) << " not loaded in its block";
    }
    if (i.code == (BPF_JMP | BPF_EXIT)) std::fill(std::begin(loaded), std::end(loaded), false);
  }
}

TEST(CgroupDevicesBpf, DefaultRulesAllowTheSpecDevicesOnly) {
  auto prog = device_program(device_rules({{false, std::nullopt, std::nullopt, std::nullopt, "rwm"}}));
  EXPECT_EQ(run(prog, 'c', R | W, 1, 3), 1);    // /dev/null
  EXPECT_EQ(run(prog, 'c', R | W, 136, 7), 1);  // /dev/pts/7
  EXPECT_EQ(run(prog, 'c', R, 1, 11), 0);       // /dev/kmsg
  EXPECT_EQ(run(prog, 'b', R, 8, 0), 0);        // /dev/sda
  EXPECT_EQ(run(prog, 'b', M, 8, 0), 1);        // mknod of any block node, never opening it
}

// Nothing follows a rule that matches every access (deny-all as the spec's
// first rule): Linux 6.1's verifier refuses unreachable instructions.
TEST(CgroupDevicesBpf, ARuleMatchingEverythingEndsTheProgram) {
  auto prog = device_program({{false, 'a', -1, -1, R | W | M}, {true, 'c', 1, 11, W}});
  // allow kmsg (type 3, access 4, major 2, minor 2, r0 = 1, exit); deny all (r0 = 0, exit)
  ASSERT_EQ(prog.size(), 13u + 2u);
  EXPECT_EQ(prog[13].imm, 0);
  EXPECT_EQ(prog[14].code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(run(prog, 'c', W, 1, 11), 1);
  EXPECT_EQ(run(prog, 'c', R, 1, 11), 0);
}

TEST(CgroupDevicesBpf, LaterRulesOverrideEarlierOnes) {
  std::vector<DeviceRule> rules = {{true, 'a', -1, -1, R | W | M},  // privileged: everything
                                   {false, 'c', 1, 11, W}};         // but no writing to kmsg
  auto prog = device_program(rules);
  EXPECT_EQ(run(prog, 'c', R, 1, 11), 1);
  EXPECT_EQ(run(prog, 'c', W, 1, 11), 0);
  EXPECT_EQ(run(prog, 'c', R | W, 1, 11), 0);  // a deny matches when any requested bit is denied
  EXPECT_EQ(run(prog, 'b', R | W, 8, 0), 1);
  rules.push_back({true, 'c', 1, 11, R | W});
  EXPECT_EQ(run(device_program(rules), 'c', W, 1, 11), 1);
}

// As the v1 kernel and runc's emulator, whose rules its v2 filter is built
// from: rules for the same device add up, a deny for it takes bits out, and
// "a" with no numbers starts over.
TEST(CgroupDevicesBpf, RulesForTheSameDeviceAddUpAsOnV1) {
  std::vector<DeviceRule> rules = {{false, 'a', -1, -1, R | W | M}, {true, 'c', 10, 229, R}, {true, 'c', 10, 229, W}};
  EXPECT_EQ(device_prog_result(rules, 'c', R | W, 10, 229), 1);
  EXPECT_EQ(device_prog_result(rules, 'c', R | W | M, 10, 229), 0);
  EXPECT_EQ(device_prog_result(rules, 'c', R | W, 10, 228), 0);  // another device's rule adds nothing
  rules.push_back({true, 'c', 10, -1, M});
  EXPECT_EQ(device_prog_result(rules, 'c', R | M, 10, 229), 0);  // nor does a wider one
  rules.push_back({false, 'c', 10, 229, W});
  rules.push_back({true, 'c', 10, 229, M});
  EXPECT_EQ(device_prog_result(rules, 'c', R | M, 10, 229), 1);  // r, then w taken out, then m
  EXPECT_EQ(device_prog_result(rules, 'c', W, 10, 229), 0);
  rules.push_back({false, 'a', -1, -1, R | W | M});
  rules.push_back({true, 'c', 10, 229, W});
  EXPECT_EQ(device_prog_result(rules, 'c', R | W, 10, 229), 0);  // nothing from before the deny-all
  EXPECT_EQ(device_prog_result(rules, 'c', W, 10, 229), 1);
}

}  // namespace
}  // namespace hull::cgroups
