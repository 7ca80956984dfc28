// linux.netDevices: host devices moved into the container's network
// namespace, renamed, with their permanent global addresses, and up. Each
// test runs hull in a network namespace of its own (unshare --net) that
// stands in for the host, and moves veth ends made there: when the
// container's namespace goes, the kernel destroys them.
#include <string>

#include "harness.hpp"

namespace hull::itest {
namespace {

class NetDevicesTest : public HullTest {
 protected:
  // Runs `setup`, then `hull run` of bundle b as "nd", then `after`, all in
  // a network namespace of their own; $HULL runs hull with the test's root.
  ProcResult run_in_private_netns(Bundle& b, const std::string& setup, const std::string& after) {
    b.write();
    const std::string script = "set -e; HULL=\"$1 --root $2\"; " + setup +
                               "\n$HULL run --bundle \"$3\" nd && echo run-exit=0 || echo run-exit=$?\n" + after;
    return run_process({"/usr/bin/unshare", "--net", "--", "/bin/sh", "-c", script, "sh", runtime_binary(),
                        state_root().string(), b.dir().string()});
  }
};

constexpr const char* kVethPairs =
    "ip link add hv0 type veth peer name hv1\n"
    "ip link add hv2 type veth peer name hv3\n"
    "ip addr add 192.0.2.5/24 dev hv0\n"
    "ip addr add 198.51.100.7/24 dev hv0 scope host\n"
    "ip addr add 203.0.113.9/24 dev hv0 valid_lft 300 preferred_lft 300\n"
    "ip -6 addr add 2001:db8::5/64 dev hv0 nodad\n";

// The links of the namespace the script runs in (its /sys/class/net is the
// host's: a sysfs shows its mounter's namespace).
constexpr const char* kHostLinks = "echo host: $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort)";

// As the spec's example: the host's hv0 becomes ceth0 inside with its
// permanent global addresses (not the host-scoped one, nor the one with a
// lifetime), up; "net%d" is numbered by the kernel; both leave the host.
TEST_F(NetDevicesTest, DevicesMoveRenamedWithTheirPermanentGlobalAddressesAndUp) {
  Bundle& b = bundle();
  b.config["linux"]["netDevices"] = {{"hv0", {{"name", "ceth0"}}}, {"hv2", {{"name", "net%d"}}}};
  b.config["process"]["args"] = {"sh", "-c",
                                 "echo flags=$(cat /sys/class/net/ceth0/flags) $(cat /sys/class/net/net0/flags); "
                                 "ip -o addr show dev ceth0; echo links: $(ls /sys/class/net)"};
  ProcResult r = run_in_private_netns(b, kVethPairs, kHostLinks);
  ASSERT_NE(r.out.find("run-exit=0"), std::string::npos) << r.out << r.err;
  // IFF_UP is bit 0 of the flags.
  EXPECT_NE(r.out.find("flags=0x1003 0x1003"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet 192.0.2.5/24"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet6 2001:db8::5/64"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("198.51.100.7"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("203.0.113.9"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("links: ceth0 lo net0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("host: hv1 hv3 lo\n"), std::string::npos) << r.out;
}

// A network namespace owned by the container's user namespace: the runtime,
// host root, moves the device and sets it up there all the same.
TEST_F(NetDevicesTest, ADeviceMovesIntoAUserNamespacedContainer) {
  Bundle& b = bundle().add_user_namespace(100000, 100000);
  b.config["linux"]["netDevices"] = {{"hv0", {{"name", "ceth0"}}}};
  b.config["process"]["args"] = {"sh", "-c", "echo flags=$(cat /sys/class/net/ceth0/flags); ip -o addr show dev ceth0"};
  ProcResult r = run_in_private_netns(b, kVethPairs, kHostLinks);
  ASSERT_NE(r.out.find("run-exit=0"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("flags=0x1003"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet 192.0.2.5/24"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("host: hv1 hv2 hv3 lo\n"), std::string::npos) << r.out;
}

// A name already taken inside is refused before anything moves (the spec:
// MUST generate an error); so is a device the runtime's namespace lacks.
TEST_F(NetDevicesTest, ANameTakenInsideOrAMissingDeviceFailsAndLeavesTheHostsDevices) {
  Bundle& b = bundle();
  b.config["linux"]["netDevices"] = {{"hv0", {{"name", "lo"}}}};
  b.args({"true"});
  ProcResult r = run_in_private_netns(b, kVethPairs, kHostLinks);
  EXPECT_EQ(r.out.find("run-exit=0"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("move network device \"hv0\" into the container: a device named \"lo\" is already in the "
                       "container's network namespace"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("host: hv0 hv1 hv2 hv3 lo\n"), std::string::npos) << r.out;

  b.config["linux"]["netDevices"] = {{"nosuch0", nlohmann::json::object()}};
  r = run_in_private_netns(b, "", "");
  EXPECT_EQ(r.out.find("run-exit=0"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("move network device \"nosuch0\" into the container: find it in the runtime's network "
                       "namespace: no such device"),
            std::string::npos)
      << r.err;
}

// A network namespace joined by path that is the runtime's own: the move
// would only rename a device of the host, so it is refused and the device
// keeps its name.
TEST_F(NetDevicesTest, TheRuntimesOwnNetworkNamespaceJoinedByPathIsRefused) {
  Bundle& b = bundle();
  b.config["linux"]["netDevices"] = {{"hv0", {{"name", "ceth0"}}}};
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "network") n["path"] = "/proc/self/ns/net";
  b.args({"true"});
  ProcResult r = run_in_private_netns(b, kVethPairs, kHostLinks);
  EXPECT_EQ(r.out.find("run-exit=0"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("linux.netDevices: the container's network namespace is the one hull runs in"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("host: hv0 hv1 hv2 hv3 lo\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hull::itest
