// linux.netDevices: host devices moved into the container's network
// namespace, renamed, with their permanent global addresses, and up. Each
// test runs hull in a network namespace of its own (unshare --net) that
// stands in for the host, and moves veth ends made there: when the
// container's namespace goes, the kernel destroys them.
#include <algorithm>
#include <initializer_list>
#include <sstream>
#include <string>

#include "harness.hpp"

namespace hull::itest {
namespace {

class NetDevicesTest : public HullTest {
 protected:
  // The stand-in host devices are veth pairs: a kernel without veth (the
  // pure-v2 VM's loads no modules) cannot run these tests.
  void SetUp() override {
    HullTest::SetUp();
    ProcResult probe = run_process(
        {"/usr/bin/unshare", "--net", "--", "ip", "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"});
    if (probe.exit_code != 0) GTEST_SKIP() << "no veth on this kernel: " << probe.err;
  }
  // Runs `setup`, then `hull run` of bundle b as "nd", then `after`, all in
  // a network namespace of their own; $HULL runs hull with the test's root.
  ProcResult run_in_private_netns(Bundle& b, const std::string& setup, const std::string& after) {
    b.write();
    return in_private_namespaces(
        setup + "\n$HULL run --bundle \"$3\" nd && echo run-exit=0 || echo run-exit=$?\n" + after, b.dir().string());
  }
  // Runs `script` in network and mount namespaces of its own, with $HULL
  // and $3 = arg.
  ProcResult in_private_namespaces(const std::string& script, const std::string& arg) {
    return run_process({"/usr/bin/unshare", "--net", "--mount", "--", "/bin/sh", "-c",
                        "set -e; HULL=\"$1 --root $2\"; " + script, "sh", runtime_binary(), state_root().string(),
                        arg});
  }
};

constexpr const char* kVethPairs =
    "ip link add hv0 type veth peer name hv1\n"
    "ip link add hv2 type veth peer name hv3\n"
    "ip addr add 192.0.2.5/24 dev hv0\n"
    "ip addr add 198.51.100.7/24 dev hv0 scope host\n"
    "ip addr add 203.0.113.9/24 dev hv0 valid_lft 300 preferred_lft 300\n"
    "ip -6 addr add 2001:db8::5/64 dev hv0 nodad\n"
    "ip addr add 198.18.0.6/24 dev hv0 label hv0:web metric 50\n"
    "ip link set hv0 up\n";

// The links of the namespace the script runs in (its /sys/class/net is the
// host's: a sysfs shows its mounter's namespace).
constexpr const char* kHostLinks = "echo host: $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort)";

// The host's links in kHostLinks' line, without the peers of moved veths:
// those go with the container's network namespace, which the kernel cleans
// up after `run` has returned, at a moment of its own.
std::string host_links_but_peers(const std::string& out, std::initializer_list<std::string> peers) {
  size_t at = out.find("host: ");
  if (at == std::string::npos) return "(no host line)";
  std::istringstream names(out.substr(at + 6, out.find('\n', at) - at - 6));
  std::string kept, name;
  while (names >> name)
    if (std::find(peers.begin(), peers.end(), name) == peers.end()) kept += (kept.empty() ? "" : " ") + name;
  return kept;
}

// As the spec's example: the host's hv0 becomes ceth0 inside with its
// permanent global addresses (not the host-scoped one, nor the one with a
// lifetime), up; "net%d" is numbered by the kernel; both leave the host.
TEST_F(NetDevicesTest, DevicesMoveRenamedWithTheirPermanentGlobalAddressesAndUp) {
  Bundle& b = bundle();
  b.config["linux"]["netDevices"] = {{"hv0", {{"name", "ceth0"}}}, {"hv2", {{"name", "net%d"}}}};
  b.config["process"]["args"] = {"sh", "-c",
                                 "echo flags=$(cat /sys/class/net/ceth0/flags) $(cat /sys/class/net/net0/flags); "
                                 "ip -o addr show dev ceth0; echo links: $(ls /sys/class/net); "
                                 "awk '$2 == \"000012C6\" {print \"metric=\" $7}' /proc/net/route"};
  ProcResult r = run_in_private_netns(b, kVethPairs, kHostLinks);
  ASSERT_NE(r.out.find("run-exit=0"), std::string::npos) << r.out << r.err;
  // IFF_UP is bit 0 of the flags.
  EXPECT_NE(r.out.find("flags=0x1003 0x1003"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet 192.0.2.5/24"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet6 2001:db8::5/64"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("198.51.100.7"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("203.0.113.9"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("links: ceth0 lo net0\n"), std::string::npos) << r.out;
  // An alias's label follows the new name; the prefix route keeps its metric.
  EXPECT_NE(r.out.find("inet 198.18.0.6/24 scope global ceth0:web"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("metric=50\n"), std::string::npos) << r.out;
  EXPECT_EQ(host_links_but_peers(r.out, {"hv1", "hv3"}), "lo") << r.out;
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
  EXPECT_EQ(host_links_but_peers(r.out, {"hv1"}), "hv2 hv3 lo") << r.out;
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

  // Every device is found before any moves: hv0 stays.
  b.config["linux"]["netDevices"] = {{"hv0", nlohmann::json::object()}, {"nosuch0", nlohmann::json::object()}};
  r = run_in_private_netns(b, kVethPairs, kHostLinks);
  EXPECT_NE(r.out.find("host: hv0 hv1 hv2 hv3 lo\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("run-exit=0"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("move network device \"nosuch0\" into the container: find it in the runtime's network "
                       "namespace: no such device"),
            std::string::npos)
      << r.err;
}

// The fixed names are taken first, so a template's number never takes one;
// a device named by one of its alternative names moves under its name, as
// does one whose new name is empty (runc 1.3).
TEST_F(NetDevicesTest, FixedNamesGoBeforeTemplatesAndAnAltnameOrAnEmptyNameMeansTheHostsName) {
  Bundle& b = bundle();
  b.config["linux"]["netDevices"] = {{"hv0", {{"name", "eth%d"}}},
                                     {"hv2", {{"name", "eth0"}}},
                                     {"enxalt4", nlohmann::json::object()},
                                     {"hv6", {{"name", ""}}}};
  b.config["process"]["args"] = {"sh", "-c",
                                 "ip -o -4 addr show dev eth0; ip -o -4 addr show dev eth1; echo links: $(ls "
                                 "/sys/class/net)"};
  ProcResult r = run_in_private_netns(b,
                                      std::string(kVethPairs) +
                                          "ip addr add 192.0.2.9/24 dev hv2\n"
                                          "ip link add hv4 type veth peer name hv5\n"
                                          "ip link property add dev hv4 altname enxalt4\n"
                                          "ip link add hv6 type veth peer name hv7\n",
                                      kHostLinks);
  ASSERT_NE(r.out.find("run-exit=0"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("eth0    inet 192.0.2.9/24"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("eth1    inet 192.0.2.5/24"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("links: eth0 eth1 hv4 hv6 lo\n"), std::string::npos) << r.out;
  EXPECT_EQ(host_links_but_peers(r.out, {"hv1", "hv3", "hv5", "hv7"}), "lo") << r.out;
}

// A device the kernel refuses to move (a bridge stays in its namespace)
// fails the create after others have moved: they come back to the host
// with their addresses, up as they were.
TEST_F(NetDevicesTest, AFailedMovePutsBackTheDevicesMovedBeforeIt) {
  Bundle& b = bundle();
  b.config["linux"]["netDevices"] = {{"hv0", {{"name", "ceth0"}}}, {"zbr0", nlohmann::json::object()}};
  b.args({"true"});
  ProcResult r = run_in_private_netns(b, std::string(kVethPairs) + "ip link add zbr0 type bridge\n",
                                      std::string(kHostLinks) + "; ip -o addr show dev hv0; ip -o link show hv0");
  EXPECT_EQ(r.out.find("run-exit=0"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("move network device \"zbr0\" into the container: move it into the container's network "
                       "namespace"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("host: hv0 hv1 hv2 hv3 lo zbr0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet 192.0.2.5/24"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet 198.18.0.6/24 metric 50 scope global hv0:web"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet6 2001:db8::5/64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(",UP"), std::string::npos) << r.out;
}

// Two creates moving devices into one namespace joined by path (a pod's) at
// once: each device is found by a name of its own runtime's, so each gets
// its own addresses and is up.
TEST_F(NetDevicesTest, TwoCreatesMovingIntoOneSharedNamespaceAtOnceKeepEachDevicesAddresses) {
  const std::string holder = (temp_dir() / "holder-ns").string();
  for (const char* side : {"a", "b"}) {
    Bundle& b = bundle(std::string("bundle-") + side);
    for (int i = 0; i < 12; ++i)
      b.config["linux"]["netDevices"][std::string("h") + side + std::to_string(i)] = nlohmann::json::object();
    for (auto& n : b.config["linux"]["namespaces"])
      if (n["type"] == "network") n["path"] = holder;
    b.write();
  }
  const std::string script =
      "H=$3; for i in $(seq 0 11); do\n"
      "  ip link add ha$i type veth peer name hap$i; ip addr add 10.100.$i.1/24 dev ha$i\n"
      "  ip link add hb$i type veth peer name hbp$i; ip addr add 10.200.$i.1/24 dev hb$i\n"
      "done\n"
      "unshare --net sleep 1000 & HP=$!\n"
      "while [ \"$(readlink /proc/$HP/ns/net)\" = \"$(readlink /proc/self/ns/net)\" ]; do :; done\n"
      "touch $H; mount --bind /proc/$HP/ns/net $H\n"
      "$HULL create --bundle " +
      (temp_dir() / "bundle-a").string() +
      " nda & PA=$!\n"
      "$HULL create --bundle " +
      (temp_dir() / "bundle-b").string() +
      " ndb & PB=$!\n"
      "wait $PA && echo a=0 || echo a=$?; wait $PB && echo b=0 || echo b=$?\n"
      "bad=0; for i in $(seq 0 11); do\n"
      "  nsenter --net=$H ip -o -4 addr show dev ha$i | grep -q \" 10.100.$i.1/24 \" || bad=$((bad+1))\n"
      "  nsenter --net=$H ip -o -4 addr show dev hb$i | grep -q \" 10.200.$i.1/24 \" || bad=$((bad+1))\n"
      "done; echo wrong-addresses=$bad up=$(nsenter --net=$H ip -o link show up | grep -c ': h[ab][0-9]*@')\n"
      "$HULL delete -f nda || true; $HULL delete -f ndb || true; kill $HP\n";
  ProcResult r = in_private_namespaces(script, holder);
  EXPECT_NE(r.out.find("a=0\nb=0\n"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("wrong-addresses=0 up=24\n"), std::string::npos) << r.out << r.err;
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
