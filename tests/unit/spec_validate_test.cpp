// validate_for_create on configs that must pass; the refusals are the
// bad-create vectors (spec_vectors_test).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/warn.hpp"
#include "runtime/default_spec.hpp"
#include "spec/spec.hpp"
#include "spec/validate.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hull::spec;

Spec good(const std::string& name) {
  return parse_config(hull::read_file(fs::path(HULL_TEST_DATA) / "config" / "good" / name));
}

// A runnable config whose linux section is `linux_json`, plus `extra` top-level members.
Spec runnable(const std::string& linux_json, const std::string& extra = "") {
  return parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"},
    "process": {"cwd": "/", "args": ["/bin/sh"]}, )" +
                      extra + R"("linux": )" + linux_json + "}");
}

std::string validation_error(const Spec& s, const std::string& file = "config.json") {
  try {
    validate_for_create(s, file);
  } catch (const hull::Error& e) {
    return e.what();
  }
  return "<no error>";
}

// Every field, Intel RDT's too (whether the host has resctrl is create's question).
TEST(SpecValidate, FullVectorIsValid) {
  Spec spec = good("full.json");
  ASSERT_FALSE(spec.linux_->netDevices.empty());
  ASSERT_TRUE(spec.linux_->intelRdt);
  EXPECT_EQ(validation_error(spec), "<no error>");
}

TEST(SpecValidate, MinimalForStartIsValid) {
  EXPECT_EQ(validation_error(good("minimal-for-start.json")), "<no error>");
}

// What `hull spec` writes must be creatable as it stands.
TEST(SpecValidate, DefaultSpecIsValid) {
  EXPECT_EQ(validation_error(parse_config(hull::default_spec_text())), "<no error>");
}

// setgroups(2) refuses more than NGROUPS_MAX with a bare EINVAL at start.
TEST(SpecValidate, MoreGroupsThanTheKernelTakesAreRefused) {
  Spec spec = runnable("{}");
  for (uint32_t gid = 0; gid < 65536; ++gid) spec.process->user.additionalGids.push_back(gid);
  EXPECT_EQ(validation_error(spec), "<no error>");
  spec.process->user.additionalGids.push_back(7);  // a repeat is passed once
  EXPECT_EQ(validation_error(spec), "<no error>");
  spec.process->user.additionalGids.push_back(65536);
  EXPECT_EQ(validation_error(spec),
            "config.json: .process.user.additionalGids: has 65537 different groups; the kernel takes at most 65536");
}

TEST(SpecValidate, NoNamespacesAtAllIsValid) { EXPECT_EQ(validation_error(runnable("{}")), "<no error>"); }

TEST(SpecValidate, JoinedUserNamespaceNeedsNoMappings) {
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "user", "path": "/proc/42/ns/user"}]})")),
            "<no error>");
}

TEST(SpecValidate, MappingsMayComeWithAJoinedUserNamespace) {
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "user", "path": "/proc/42/ns/user"}],
    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]})")),
            "<no error>");
}

// mknod(2) takes 12 bits of major and 20 of minor; makedev(3) would cut a
// larger number to 32 bits first and the error would name another device.
TEST(SpecValidate, ADeviceNumberTheKernelCannotHoldIsRefusedByPath) {
  auto device = [](const std::string& numbers) {
    return validation_error(runnable(
        R"({"namespaces": [{"type": "mount"}], "devices": [{"path": "/dev/fuse", "type": "c", )" + numbers + "}]}"));
  };
  EXPECT_EQ(device(R"("major": 4095, "minor": 1048575)"), "<no error>");
  EXPECT_EQ(device(R"("major": 4096, "minor": 1)"),
            "config.json: .linux.devices[0].major: 4096 is not a device major number (0-4095)");
  EXPECT_EQ(device(R"("major": 9223372036854775807, "minor": 1)"),
            "config.json: .linux.devices[0].major: 9223372036854775807 is not a device major number (0-4095)");
  EXPECT_EQ(device(R"("major": 10, "minor": -1)"),
            "config.json: .linux.devices[0].minor: -1 is not a device minor number (0-1048575)");
}

// Ids are 32-bit and 4294967295 is none: a range may reach 4294967294 on
// either side, not further. Ranges that touch are separate, in any order an
// engine lists them (subuid layouts).
TEST(SpecValidate, IdMapRangesEndBelowTheLastIdAndMayTouch) {
  auto maps = [](const std::string& uid_maps) {
    return validation_error(runnable(R"({"namespaces": [{"type": "user"}], "uidMappings": [)" + uid_maps +
                                     R"(], "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]})"));
  };
  EXPECT_EQ(maps(R"({"containerID": 0, "hostID": 0, "size": 4294967295})"), "<no error>");
  EXPECT_EQ(maps(R"({"containerID": 1, "hostID": 100000, "size": 4294967295})"),
            "config.json: .linux.uidMappings[0]: containerID + size must be at most 4294967295 (ids are 32-bit)");
  EXPECT_EQ(maps(R"({"containerID": 0, "hostID": 1, "size": 4294967295})"),
            "config.json: .linux.uidMappings[0]: hostID + size must be at most 4294967295 (ids are 32-bit)");
  const std::string root = R"({"containerID": 0, "hostID": 100000, "size": 1})";
  const std::string rest = R"({"containerID": 1, "hostID": 100001, "size": 65535})";
  EXPECT_EQ(maps(root + ", " + rest), "<no error>");
  EXPECT_EQ(maps(rest + ", " + root), "<no error>");
  EXPECT_EQ(maps(rest + R"(, {"containerID": 0, "hostID": 100000, "size": 2})"),
            "config.json: .linux.uidMappings[1]: its container ids overlap those of .linux.uidMappings[0]");
}

// One path twice: the same node again is harmless (docker --device given
// twice); two different ones are refused (runc makes the first, hull made
// the last).
TEST(SpecValidate, ADevicePathListedTwiceMustNameOneDevice) {
  auto devices = [](const std::string& second) {
    return validation_error(runnable(
        R"({"namespaces": [{"type": "mount"}], "devices": [{"path": "/dev/tun", "type": "c", "major": 10, "minor": 200}, )" +
        second + "]}"));
  };
  EXPECT_EQ(devices(R"({"path": "/dev//tun", "type": "c", "major": 10, "minor": 200})"), "<no error>");
  EXPECT_EQ(devices(R"({"path": "/dev/tap", "type": "c", "major": 1, "minor": 3})"), "<no error>");
  EXPECT_EQ(devices(R"({"path": "/dev/net/../tun", "type": "c", "major": 1, "minor": 3})"),
            "config.json: .linux.devices[1].path: \"/dev/net/../tun\" is also .linux.devices[0], as a different "
            "device or with other owner or mode");
  EXPECT_EQ(devices(R"({"path": "/dev/tun/", "type": "c", "major": 1, "minor": 3})"),
            "config.json: .linux.devices[1].path: \"/dev/tun/\" is also .linux.devices[0], as a different "
            "device or with other owner or mode");
  EXPECT_EQ(devices(R"({"path": "/dev/tun/.", "type": "c", "major": 10, "minor": 200})"), "<no error>");
  EXPECT_EQ(devices(R"({"path": "/dev/tun", "type": "c", "major": 10, "minor": 200, "fileMode": 384})"),
            "config.json: .linux.devices[1].path: \"/dev/tun\" is also .linux.devices[0], as a different device or "
            "with other owner or mode");
}

// Each device is compared with the first at its path only (every later one
// there is the same node, or refused): 20,000 devices took minutes when each
// was compared with all before it.
TEST(SpecValidate, ManyDevicesAreCheckedOnceEach) {
  std::string list;
  for (int i = 0; i < 20000; ++i)
    list += R"({"path": "/dev/x)" + std::to_string(i) + R"(", "type": "c", "major": 1, "minor": 3}, )";
  list += R"({"path": "/dev/x7", "type": "c", "major": 1, "minor": 3}, )";
  list += R"({"path": "/dev/./x7", "type": "c", "major": 1, "minor": 5})";
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "mount"}], "devices": [)" + list + "]}")),
            "config.json: .linux.devices[20001].path: \"/dev/./x7\" is also .linux.devices[7], as a different "
            "device or with other owner or mode");
}

// -1 is a rule's wildcard; -5 used to become one too ("c *:3 rwm").
TEST(SpecValidate, ADeviceRuleNumberBelowTheWildcardIsRefusedByPath) {
  auto rule = [](const std::string& numbers) {
    return validation_error(
        runnable(R"({"namespaces": [{"type": "mount"}], "resources": {"devices": [{"allow": true, "type": "c", )" +
                 numbers + R"(, "access": "rwm"}]}})"));
  };
  EXPECT_EQ(rule(R"("major": -1, "minor": -1)"), "<no error>");
  EXPECT_EQ(rule(R"("major": 4095, "minor": 1048575)"), "<no error>");
  EXPECT_EQ(rule(R"("major": -5, "minor": 3)"),
            "config.json: .linux.resources.devices[0].major: -5 is not a device major number (0-4095, or -1 for all)");
  EXPECT_EQ(rule(R"("major": 1, "minor": 1048576)"),
            "config.json: .linux.resources.devices[0].minor: 1048576 is not a device minor number (0-1048575, or -1 "
            "for all)");
}

// A mount on "/" would be attached under the rootfs the init pivots into.
TEST(SpecValidate, AMountOnTheRootIsRefusedByPath) {
  auto mount_on = [](const std::string& dest) {
    return validation_error(
        runnable(R"({"namespaces": [{"type": "mount"}]})",
                 R"("mounts": [{"destination": ")" + dest + R"(", "type": "tmpfs", "source": "tmpfs"}], )"));
  };
  for (const char* dest : {"/", "//", "/.", "/..", "/a/..", ".", "a/../.."})
    EXPECT_EQ(mount_on(dest), std::string("config.json: .mounts[0].destination: \"") + dest +
                                  "\" is the container's root, where a mount would stay hidden under the rootfs "
                                  "(.root.path names the root filesystem; a \"bind\", \"remount\" entry changes "
                                  "its flags)")
        << dest;
  for (const char* dest : {"/a", "/../a", "a/b/..", "/.hidden"}) EXPECT_EQ(mount_on(dest), "<no error>") << dest;
  // A bind remount of the root covers nothing: it sets the rootfs mount's flags.
  auto remount_root = [](const std::string& type, const std::string& options) {
    return validation_error(
        runnable(R"({"namespaces": [{"type": "mount"}]})",
                 R"("mounts": [{"destination": "/", "type": ")" + type + R"(", "options": [)" + options + R"(]}], )"));
  };
  EXPECT_EQ(remount_root("none", R"("bind", "remount", "nosuid")"), "<no error>");
  EXPECT_EQ(remount_root("none", R"("rbind", "remount", "ro")"), "<no error>");
  EXPECT_EQ(remount_root("bind", R"("remount", "nodev")"), "<no error>");
  EXPECT_NE(remount_root("tmpfs", R"("remount", "ro")"), "<no error>") << "a remount of the root's superblock";
  EXPECT_NE(remount_root("none", R"("bind", "nosuid")"), "<no error>");
}

// An empty name is no name, as with runc: no uts namespace needed (the init
// sets none); a name needs one.
TEST(SpecValidate, AHostnameNeedsAUtsNamespaceAndAnEmptyOneIsNone) {
  EXPECT_EQ(validation_error(runnable("{}", R"("hostname": "", "domainname": "", )")), "<no error>");
  EXPECT_EQ(validation_error(runnable("{}", R"("hostname": "web", )")),
            "config.json: .hostname: requires a uts namespace, but .linux.namespaces has no \"uts\" entry");
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "uts"}]})", R"("hostname": "", "domainname": "", )")),
            "<no error>");
  // Joined by path will do, as runc (runtime-tools linux_ns_path): the init
  // refuses only a path that turns out to be hull's own namespace.
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "uts", "path": "/proc/42/ns/uts"}]})",
                                      R"("hostname": "web", "domainname": "example", )")),
            "<no error>");
}

// An empty namespace path is no path, as runc reads it (run.bats): the
// namespace is made, not joined, and needs no absolute path.
TEST(SpecValidate, AnEmptyNamespacePathIsANewNamespace) {
  Spec s = runnable(R"({"namespaces": [{"type": "pid", "path": ""}, {"type": "uts", "path": "/proc/42/ns/uts"}]})");
  EXPECT_EQ(validation_error(s), "<no error>");
  ASSERT_EQ(s.linux_->namespaces.size(), 2u);
  EXPECT_FALSE(s.linux_->namespaces[0].path.has_value());
  EXPECT_EQ(s.linux_->namespaces[1].path, "/proc/42/ns/uts");
}

// Without a mount namespace hull mounts nothing (the caller's namespace is
// shared): what needs mounts is refused, not dropped; a joined one will do.
TEST(SpecValidate, MountSettingsNeedAMountNamespace) {
  const std::string no_mnt = "but .linux.namespaces has no \"mount\" entry";
  EXPECT_EQ(validation_error(runnable(R"({"maskedPaths": ["/proc/kcore"]})")),
            "config.json: .linux.maskedPaths: requires a mount namespace, " + no_mnt);
  EXPECT_EQ(validation_error(runnable(R"({"readonlyPaths": ["/proc/sys"]})")),
            "config.json: .linux.readonlyPaths: requires a mount namespace, " + no_mnt);
  EXPECT_EQ(validation_error(runnable(R"({"rootfsPropagation": "private"})")),
            "config.json: .linux.rootfsPropagation: requires a mount namespace, " + no_mnt);
  EXPECT_EQ(
      validation_error(runnable(R"({"devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]})")),
      "config.json: .linux.devices: requires a mount namespace, " + no_mnt);
  EXPECT_EQ(validation_error(parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs", "readonly": true},
    "process": {"cwd": "/", "args": ["/bin/sh"]}, "linux": {}})")),
            "config.json: .root.readonly: requires a mount namespace, " + no_mnt);
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "mount", "path": "/proc/42/ns/mnt"}],
    "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]})")),
            "<no error>");
  // Config mounts are not refused: they are skipped (crun's behaviour), as
  // runtime-tools' own default config has them.
  EXPECT_EQ(
      validation_error(runnable("{}", R"("mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}], )")),
      "<no error>");
}

// The kernel's limit, named at create rather than met in the init as
// "set hostname: invalid argument".
TEST(SpecValidate, AHostnameOrDomainnameFitsTheKernelsLimit) {
  const std::string uts = R"({"namespaces": [{"type": "uts"}]})";
  const std::string longest(64, 'h'), too_long(65, 'h');
  EXPECT_EQ(validation_error(runnable(uts, "\"hostname\": \"" + longest + "\", \"domainname\": \"" + longest + "\", ")),
            "<no error>");
  EXPECT_EQ(validation_error(runnable(uts, "\"hostname\": \"" + too_long + "\", ")),
            "config.json: .hostname: is 65 bytes long; the kernel takes at most 64");
  EXPECT_EQ(validation_error(runnable(uts, "\"domainname\": \"" + too_long + "\", ")),
            "config.json: .domainname: is 65 bytes long; the kernel takes at most 64");
}

TEST(SpecValidate, NullHostnameIsAbsent) {
  EXPECT_EQ(validation_error(runnable("{}", R"("hostname": null, "domainname": null, )")), "<no error>");
}

TEST(SpecValidate, SysctlsInTheirOwnNamespacesAreValid) {
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "uts"}, {"type": "ipc"}, {"type": "network"}],
    "sysctl": {"kernel.domainname": "x", "fs.mqueue.msg_max": "20", "net/ipv4/ip_forward": "1"}})")),
            "<no error>");
  // The ucounts limits are per user namespace (runc >= 1.5): only with one.
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "user"}], "uidMappings": [{"containerID": 0, "hostID":
    100000, "size": 65536}], "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "sysctl": {"user.max_user_namespaces": "3"}})")),
            "<no error>");
  EXPECT_EQ(
      validation_error(runnable(R"({"namespaces": [{"type": "ipc"}], "sysctl": {"user.max_user_namespaces": "3"}})")),
      "config.json: .linux.sysctl[\"user.max_user_namespaces\"]: requires a user namespace, but "
      ".linux.namespaces has no \"user\" entry");
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "ipc"}], "sysctl": {"kernel.domainname": "x"}})")),
            "config.json: .linux.sysctl[\"kernel.domainname\"]: requires a uts namespace, but .linux.namespaces "
            "has no \"uts\" entry");
  // The hostname field says it; the sysctl would override it unseen (runc
  // refuses it too).
  for (const char* key : {"kernel.hostname", "kernel/hostname"})
    EXPECT_EQ(validation_error(
                  runnable(std::string(R"({"namespaces": [{"type": "uts"}], "sysctl": {")") + key + R"(": "x"}})")),
              std::string("config.json: .linux.sysctl[\"") + key +
                  "\"]: conflicts with .hostname, which sets the container's hostname; set that instead");
  // Joined by path will do, as runc: a pod's network namespace, made by
  // containerd, gets the pod's sysctls (the init refuses hull's own).
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "network", "path": "/run/netns/pod"}, {"type": "ipc",
    "path": "/proc/42/ns/ipc"}], "sysctl": {"net.ipv4.ping_group_range": "0 0", "kernel.shmmax": "1"}})")),
            "<no error>");
}

TEST(SpecValidate, ErrorsNameTheGivenFile) {
  EXPECT_EQ(validation_error(runnable(R"({"namespaces": [{"type": "pid"}, {"type": "pid"}]})"), "/b/config.json"),
            "/b/config.json: .linux.namespaces[1].type: duplicate namespace \"pid\" (first at "
            ".linux.namespaces[0])");
}

// The runtime-spec lets a Linux mount destination be relative (deprecated),
// taken relative to "/": accepted with a warning, as runc does.
TEST(SpecValidate, ARelativeMountDestinationIsAcceptedWithAWarning) {
  std::vector<std::string> warnings;
  auto old = hull::set_warn_sink([&](std::string_view m) { warnings.emplace_back(m); });
  std::string err = validation_error(runnable("{}", R"("mounts": [{"destination": "mnt/rel", "type": "tmpfs"}], )"));
  hull::set_warn_sink(old);
  EXPECT_EQ(err, "<no error>");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "config.json: .mounts[0].destination: \"mnt/rel\" is not an absolute path; it is taken relative to "
            "\"/\" (relative destinations are deprecated)");
}

// crun's handler annotations (krun's microVM, WebAssembly) are accepted, as
// runc accepts them, but said to be ignored: the isolation they ask for is
// not given.
TEST(SpecValidate, ACrunHandlerAnnotationIsAcceptedWithAWarning) {
  std::vector<std::string> warnings;
  auto old = hull::set_warn_sink([&](std::string_view m) { warnings.emplace_back(m); });
  std::string err = validation_error(runnable(
      "{}", R"("annotations": {"run.oci.handler": "krun", "module.wasm.image/variant": "compat", "a": "b"}, )"));
  hull::set_warn_sink(old);
  EXPECT_EQ(err, "<no error>");
  const std::string rest =
      " names a handler of crun's; hull has none, and runs the container as an ordinary Linux container (for a "
      "microVM or WebAssembly, use a runtime built with that handler)";
  const std::string handler = "config.json: .annotations[\"run.oci.handler\"]: \"krun\"";
  const std::string variant = "config.json: .annotations[\"module.wasm.image/variant\"]: \"compat\"";
  EXPECT_EQ(warnings, (std::vector<std::string>{handler + rest, variant + rest}));
}

// maskedPaths and readonlyPaths MUST be absolute; a relative one is taken
// from "/", as runc takes it, with a warning naming it.
TEST(SpecValidate, ARelativeMaskedOrReadonlyPathIsAcceptedWithAWarning) {
  std::vector<std::string> warnings;
  auto old = hull::set_warn_sink([&](std::string_view m) { warnings.emplace_back(m); });
  std::string err =
      validation_error(runnable(R"({"namespaces": [{"type": "mount"}], "maskedPaths": ["/proc/kcore", "proc/keys"],
    "readonlyPaths": ["proc/sys"]})"));
  hull::set_warn_sink(old);
  EXPECT_EQ(err, "<no error>");
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "config.json: .linux.maskedPaths[1]: \"proc/keys\" is not an absolute path; it is taken "
                          "relative to \"/\"",
                          "config.json: .linux.readonlyPaths[0]: \"proc/sys\" is not an absolute path; it is taken "
                          "relative to \"/\""}));
}

// runc's range: 4294967295 is "no change" to setresuid(2), so such a user
// would keep the runtime's root (an image's USER passes runAsNonRoot).
TEST(SpecValidate, UidsAndGidsOutsideRuncsRangeAreRefused) {
  auto with_user = [](const std::string& user) {
    return parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "linux": {},
      "process": {"cwd": "/", "args": ["/bin/sh"], "user": )" +
                        user + "}}");
  };
  EXPECT_EQ(validation_error(with_user(R"({"uid": 4294967295, "gid": 0})")),
            "config.json: .process.user.uid: uids and gids must be in range 0-2147483647, got 4294967295");
  EXPECT_EQ(validation_error(with_user(R"({"uid": 1000, "gid": 2147483648})")),
            "config.json: .process.user.gid: uids and gids must be in range 0-2147483647, got 2147483648");
  EXPECT_EQ(validation_error(with_user(R"({"uid": 1, "gid": 1, "additionalGids": [5, 4294967295]})")),
            "config.json: .process.user.additionalGids[1]: uids and gids must be in range 0-2147483647, got "
            "4294967295");
  EXPECT_EQ(validation_error(with_user(R"({"uid": 2147483647, "gid": 2147483647})")), "<no error>");
}

TEST(SpecValidate, AUmaskBeyondThePermissionBitsIsRefused) {
  auto with_umask = [](const std::string& umask) {
    return parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "linux": {},
      "process": {"cwd": "/", "args": ["/bin/sh"], "user": {"uid": 0, "gid": 0, "umask": )" +
                        umask + "}}}");
  };
  EXPECT_EQ(validation_error(with_umask("511")), "<no error>");
  EXPECT_EQ(validation_error(with_umask("18")), "<no error>");
  EXPECT_EQ(validation_error(with_umask("1000")),
            "config.json: .process.user.umask: 1000 is not a file mode mask (0 to 511, octal 0777)");
}

// struct winsize has 16 bits a side; without a terminal the size is ignored.
TEST(SpecValidate, AConsoleSizeBeyondWhatATerminalHoldsIsRefused) {
  auto with_size = [](const std::string& terminal, const std::string& size) {
    return parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "linux": {},
      "process": {"cwd": "/", "args": ["/bin/sh"], "terminal": )" +
                        terminal + R"(, "consoleSize": )" + size + "}}");
  };
  EXPECT_EQ(validation_error(with_size("true", R"({"height": 65535, "width": 80})")), "<no error>");
  EXPECT_EQ(validation_error(with_size("true", R"({"height": 70000, "width": 80})")),
            "config.json: .process.consoleSize.height: 70000 rows: a terminal has at most 65535");
  EXPECT_EQ(validation_error(with_size("true", R"({"height": 25, "width": 65536})")),
            "config.json: .process.consoleSize.width: 65536 columns: a terminal has at most 65535");
  EXPECT_EQ(validation_error(with_size("false", R"({"height": 70000, "width": 80})")), "<no error>");
}

// config.md: "Keys MUST NOT be an empty string."
TEST(SpecValidate, AnEmptyAnnotationKeyIsRefused) {
  EXPECT_EQ(validation_error(runnable("{}", R"("annotations": {"a": "1"}, )")), "<no error>");
  EXPECT_EQ(validation_error(runnable("{}", R"("annotations": {"": "x"}, )")),
            "config.json: .annotations: a key must not be empty (config.md)");
}

TEST(SpecValidate, EnvironmentEntriesMustBeNameEqualsValue) {
  auto with_env = [](const std::string& env) {
    return parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "linux": {},
      "process": {"cwd": "/", "args": ["/bin/sh"], "env": )" +
                        env + "}}");
  };
  EXPECT_EQ(validation_error(with_env(R"(["A=1", "C"])")),
            "config.json: .process.env[1]: invalid environment variable \"C\": missing '='");
  EXPECT_EQ(validation_error(with_env(R"(["=x"])")),
            "config.json: .process.env[0]: invalid environment variable \"=x\": the name is empty");
  EXPECT_EQ(validation_error(with_env(R"(["A=", "A=2", "B=c=d"])")), "<no error>");
}

// exec --process FILE: the same checks, with paths from the file's top.
TEST(SpecValidate, AnExecProcessFileGetsTheProcessChecks) {
  auto error_of_process = [](const std::string& json) -> std::string {
    try {
      validate_exec_process(parse_process_json(json, "p.json"), "p.json");
    } catch (const hull::Error& e) {
      return e.what();
    }
    return "<no error>";
  };
  EXPECT_EQ(error_of_process(R"({"cwd": "tmp", "args": ["sh"]})"),
            "p.json: .cwd: must be an absolute path, got \"tmp\"");
  EXPECT_EQ(error_of_process(R"({"cwd": "/", "args": ["sh"], "user": {"uid": 4294967295, "gid": 0}})"),
            "p.json: .user.uid: uids and gids must be in range 0-2147483647, got 4294967295");
  EXPECT_EQ(error_of_process(R"({"cwd": "/", "args": ["sh"]})"), "<no error>");
}

}  // namespace
