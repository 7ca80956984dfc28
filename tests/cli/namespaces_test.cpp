// The namespaces config.json asks for are new ones: their /proc/self/ns links
// inside the container differ from the test process's own.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>

#include "harness.hpp"
#include "host_mounts.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

class NamespaceTest : public HullTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(NamespaceTest, DiffersFromHost) {
  const std::string ns = GetParam();
  ProcResult r = run_sh(bundle(), "readlink /proc/self/ns/" + ns);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(r.out.starts_with(ns + ":[")) << r.out;
  EXPECT_NE(r.out, host_ns(ns) + "\n") << "the container shares the host's " << ns << " namespace";
}

INSTANTIATE_TEST_SUITE_P(Core, NamespaceTest, ::testing::Values("uts", "ipc", "net", "mnt", "pid", "cgroup"),
                         [](const auto& info) { return info.param; });

// The other side: a namespace left out of config.json is the runtime's own,
// so the test above cannot pass merely because readlink sees something else.
TEST_F(HullTest, OmittedNetworkNamespaceIsShared) {
  Bundle& b = bundle();
  auto& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end(); ++it) {
    if ((*it)["type"] == "network") {
      namespaces.erase(it);
      break;
    }
  }
  // Whether sysfs mounts without its own network namespace is another question
  // (runc falls back to a bind mount); keep it out of this test.
  b.drop_mounts({"/sys"});
  ProcResult r = run_sh(b, "readlink /proc/self/ns/net");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, host_ns("net") + "\n");
}

}  // namespace
}  // namespace hull::itest

namespace hull::itest {
namespace {

// The runtime writes the maps and the init becomes the namespace's root before
// it sets up the rootfs: files it creates there (a tmpfs, /dev entries) must
// belong to a mapped id, or the kernel refuses them with EOVERFLOW.
TEST_F(HullTest, UserNamespaceMapsTheContainersRoot) {
  Bundle& b = bundle();
  b.add_user_namespace(100000, 200000);
  ProcResult r = run_sh(b,
                        "readlink /proc/self/ns/user; cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; "
                        "touch /dev/shm/f && stat -c %u:%g /dev/shm/f; grep CapEff /proc/self/status");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string ns, uid_map, gid_map, uid, gid, owner, capeff;
  std::getline(lines, ns);
  std::getline(lines, uid_map);
  std::getline(lines, gid_map);
  std::getline(lines, uid);
  std::getline(lines, gid);
  std::getline(lines, owner);
  std::getline(lines, capeff);
  EXPECT_TRUE(ns.starts_with("user:[")) << r.out;
  EXPECT_NE(ns, host_ns("user"));
  EXPECT_EQ(std::regex_replace(uid_map, std::regex(" +"), " "), " 0 100000 65536") << r.out;
  EXPECT_EQ(std::regex_replace(gid_map, std::regex(" +"), " "), " 0 200000 65536") << r.out;
  EXPECT_EQ(uid, "0");
  EXPECT_EQ(gid, "0");
  EXPECT_EQ(owner, "0:0");
  EXPECT_NE(capeff, "CapEff:\t0000000000000000") << "the namespace's root lost its capabilities";
}

// The init becomes root of the new user namespace first: maps without
// container id 0 fail there (runc too), and the message says which map.
TEST_F(HullTest, UserNamespaceMapsWithoutIdZeroNameTheMap) {
  Bundle& b = bundle();
  b.add_user_namespace(100000, 200000);
  b.config["linux"]["uidMappings"] = {{{"containerID", 1000}, {"hostID", 100000}, {"size", 10}}};
  ProcResult r = run_sh(b, "true", "nozero");
  EXPECT_TRUE(failed_with(r, {"setresuid(0) (.linux.uidMappings maps no container id 0): invalid argument"})) << r.err;
  EXPECT_TRUE(state_dirs().empty());
}

// An additional gid the gid map leaves out: setgroups(2) says only EINVAL,
// so the message names the groups and why.
TEST_F(HullTest, AnAdditionalGidOutsideTheGidMapIsNamed) {
  Bundle& b = bundle();
  b.add_user_namespace(100000, 200000);
  b.config["process"]["user"]["additionalGids"] = {10, 70000};
  ProcResult r = run_sh(b, "true", "unmappedgid");
  EXPECT_TRUE(failed_with(
      r, {"setgroups(additionalGids [10 70000]) (a gid not mapped in the user namespace): invalid argument"}));
  EXPECT_TRUE(state_dirs().empty());
}

// The ipc namespace is made by the container's root, as with runc and crun:
// its mqueue instance, /dev/mqueue, is that root's (made in the clone, by
// the host's root, it read nobody:nogroup inside).
TEST_F(HullTest, UserNamespaceRootOwnsTheMqueueOfItsIpcNamespace) {
  Bundle& b = bundle();
  b.add_user_namespace(100000, 200000);
  ProcResult r = run_sh(b, "stat -c %u:%g /dev/mqueue; chmod 1770 /dev/mqueue && echo chmod");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0:0\nchmod\n");
}

// Seen from the host, the container's init runs as the mapped ids, not as root.
TEST_F(HullTest, UserNamespaceInitRunsAsTheMappedIdsOnTheHost) {
  Bundle& b = bundle("bundle-userns");
  b.add_user_namespace(100000, 200000);
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "userns"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  pid_t pid = state("userns").value("pid", 0);
  ASSERT_GT(pid, 0);
  std::string status = read_text_file("/proc/" + std::to_string(pid) + "/status");
  EXPECT_NE(status.find("Uid:\t100000\t100000\t100000\t100000"), std::string::npos) << status;
  EXPECT_NE(status.find("Gid:\t200000\t200000\t200000\t200000"), std::string::npos) << status;
  start_container("userns");
  ProcResult e = hull({"exec", "userns", "sh", "-c", "readlink /proc/self/ns/user; id -u"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(e.out, std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/user").string() + "\n0\n");
  EXPECT_EQ(hull({"delete", "--force", "userns"}).exit_code, 0);
}

}  // namespace
}  // namespace hull::itest

namespace hull::itest {
namespace {

// linux.timeOffsets move the container's CLOCK_BOOTTIME (what /proc/uptime
// shows): a day ahead of the host's. b's process reports it.
void expect_time_offsets_applied(Bundle& b, const std::function<ProcResult(Bundle&, const std::string&)>& run_sh) {
  b.config["linux"]["namespaces"].push_back({{"type", "time"}});
  b.config["linux"]["timeOffsets"] = {{"boottime", {{"secs", 86400}, {"nanosecs", 0}}},
                                      {"monotonic", {{"secs", 3600}, {"nanosecs", 0}}}};
  ProcResult r = run_sh(b, "readlink /proc/self/ns/time; cat /proc/uptime; cat /proc/self/timens_offsets");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string ns, uptime;
  std::getline(lines, ns);
  std::getline(lines, uptime);
  EXPECT_TRUE(ns.starts_with("time:[")) << r.out;
  EXPECT_NE(ns, host_ns("time"));
  double host_uptime = std::stod(read_text_file("/proc/uptime"));
  double container_uptime = std::stod(uptime);
  EXPECT_GT(container_uptime, host_uptime + 86000) << r.out;
  EXPECT_LT(container_uptime, host_uptime + 86800) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("monotonic +3600 +0\n"))) << r.out;
}

TEST_F(HullTest, TimeNamespaceAppliesTheOffsets) {
  expect_time_offsets_applied(bundle(), [this](Bundle& b, const std::string& script) { return run_sh(b, script); });
}

// exec joins the container's time namespace, offsets and all. Its helper
// then has memory of its own: the kernel refuses a time namespace to a
// process that shares its memory (EUSERS: every exec failed so, found by
// review 2026-11-30).
TEST_F(HullTest, ExecJoinsTheContainersTimeNamespace) {
  Bundle& b = bundle();
  b.config["linux"]["namespaces"].push_back({{"type", "time"}});
  b.config["linux"]["timeOffsets"] = {{"monotonic", {{"secs", 3600}, {"nanosecs", 0}}}};
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "timens-exec"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container("timens-exec");
  const int init = state("timens-exec").value("pid", 0);
  ASSERT_GT(init, 0);
  const std::string theirs = std::filesystem::read_symlink("/proc/" + std::to_string(init) + "/ns/time").string();
  ProcResult r =
      hull({"exec", "timens-exec", "sh", "-c", "readlink /proc/self/ns/time; cat /proc/self/timens_offsets"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), theirs) << r.out;
  EXPECT_NE(theirs, host_ns("time"));
  EXPECT_TRUE(std::regex_search(r.out, std::regex("monotonic +3600 +0\n"))) << r.out;
  EXPECT_EQ(hull({"delete", "--force", "timens-exec"}).exit_code, 0);
}

// A time namespace joined by path (another container's, with a boottime
// offset): hull joins it for the clone, and joining one moves the caller
// too. It returns to its own before recording the init's start time, so
// every later command, in the host's time namespace, knows the init as its
// (it read 1337 s ahead: state said stopped, exec and kill were refused;
// runc's run.bats "joining existing container namespaces").
TEST_F(HullTest, AContainerJoiningATimeNamespaceByPathIsKnownByLaterCommands) {
  Bundle& owner_b = bundle("owner");
  owner_b.config["linux"]["namespaces"].push_back({{"type", "time"}});
  owner_b.config["linux"]["timeOffsets"] = {{"boottime", {{"secs", 1337}, {"nanosecs", 0}}}};
  owner_b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"run", "-d", "--bundle", owner_b.dir().string(), "timens-owner"}).exit_code, 0);
  const int owner = state("timens-owner").value("pid", 0);
  ASSERT_GT(owner, 0);
  const std::string theirs = std::filesystem::read_symlink("/proc/" + std::to_string(owner) + "/ns/time").string();

  Bundle& b = bundle("joiner");
  b.config["linux"]["namespaces"].push_back(
      {{"type", "time"}, {"path", "/proc/" + std::to_string(owner) + "/ns/time"}});
  b.args({"sleep", "1000"});
  ProcResult r = hull({"run", "-d", "--bundle", b.dir().string(), "timens-joiner"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status("timens-joiner"), "running");
  ProcResult x = hull({"exec", "timens-joiner", "readlink", "/proc/self/ns/time"});
  EXPECT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(x.out, theirs + "\n");
  EXPECT_EQ(hull({"kill", "timens-joiner", "TERM"}).exit_code, 0);
  EXPECT_EQ(hull({"delete", "--force", "timens-joiner"}).exit_code, 0);
  EXPECT_EQ(hull({"delete", "--force", "timens-owner"}).exit_code, 0);
}

// A pid namespace joined by path (a pod's shared one) is joined by hull
// itself for the clone; the hooks it runs afterwards are the host's and run
// in its pid namespace, as config.md says and runc does, never among the
// container's processes (which could ptrace a hook run as the host's root).
TEST_F(HullTest, TheHooksOfAContainerJoiningAPidNamespaceRunInTheHosts) {
  ASSERT_GT(create_container("pidns-owner"), 0);
  const int owner = state("pidns-owner").value("pid", 0);
  Bundle& b = bundle("joiner");
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "pid") n["path"] = "/proc/" + std::to_string(owner) + "/ns/pid";
  const std::string log = (temp_dir() / "hooks.log").string();
  auto hook = [&](const char* kind) {
    return nlohmann::json{{"path", "/bin/sh"},
                          {"args", {"sh", "-c", "echo $0 $(readlink /proc/self/ns/pid) >> " + log, kind}}};
  };
  for (const char* kind : {"prestart", "createRuntime", "poststart", "poststop"})
    b.config["hooks"][kind] = {hook(kind)};
  ProcResult r = run_sh(b, "readlink /proc/self/ns/pid", "pidns-joiner");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string theirs = std::filesystem::read_symlink("/proc/" + std::to_string(owner) + "/ns/pid").string();
  EXPECT_EQ(r.out, theirs + "\n");
  const std::string ours = host_ns("pid");
  EXPECT_EQ(read_text_file(log),
            "prestart " + ours + "\ncreateRuntime " + ours + "\npoststart " + ours + "\npoststop " + ours + "\n");
}

// Another container's mount namespace joined by path: its /proc is of that
// container's pid namespace, where the new init is not. runc fails too
// ("open /proc/self/mountinfo"); the message said only "stat
// /proc/self/ns/mnt: no such file or directory". It says why, and what to
// do; a mount namespace with no /proc at all is named as such.
TEST_F(HullTest, AnotherContainersMountNamespaceJoinedByPathIsRefusedSayingWhy) {
  ASSERT_GT(create_container("mntns-owner"), 0);
  const int owner = state("mntns-owner").value("pid", 0);
  Bundle& b = bundle("mntns-joiner");
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "mount") n["path"] = "/proc/" + std::to_string(owner) + "/ns/mnt";
  ProcResult r = run_sh(b, "true", "mntns-joiner");
  EXPECT_TRUE(failed_with(r, {"the /proc of the mount namespace joined by path does not show the container's init",
                              "leave out the mount namespace's path"}));
  // The errno text goes with the step, not after the advice.
  EXPECT_TRUE(r.err.ends_with("leave out the mount namespace's path\n")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(state_dir("mntns-joiner")));
  EXPECT_EQ(hull({"delete", "--force", "mntns-owner"}).exit_code, 0);

  // One with no /proc at all is told apart.
  const auto mntns = temp_dir() / "mntns";
  std::ofstream(mntns).close();
  ProcResult u = run_process({"/usr/bin/unshare", "--mount=" + mntns.string(), "umount", "-l", "/proc"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  UnmountAtScopeExit unmount(mntns.string());
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "mount") n["path"] = mntns.string();
  r = run_sh(b, "true", "mntns-procless");
  EXPECT_TRUE(
      failed_with(r, {"the mount namespace joined by path has no /proc", "leave out the mount namespace's path"}));
  EXPECT_FALSE(std::filesystem::exists(state_dir("mntns-procless")));
}

// A pid namespace path whose init has exited: the kernel's ENOMEM from the
// clone says nothing of it, the message does, with its JSON path and the
// errno text once. A fifo in a namespace's place is refused as not a
// namespace file, without blocking on its open.
TEST_F(HullTest, APidNamespaceWithoutInitAndAFifoForANamespaceAreNamed) {
  const auto pidns = temp_dir() / "pidns";
  std::ofstream(pidns).close();
  ProcResult u = run_process({"/usr/bin/unshare", "--pid=" + pidns.string(), "--fork", "true"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  UnmountAtScopeExit unmount(pidns.string());
  Bundle& b = bundle();
  std::string pid_field;
  for (size_t i = 0; i < b.config["linux"]["namespaces"].size(); ++i)
    if (auto& n = b.config["linux"]["namespaces"][i]; n["type"] == "pid") {
      n["path"] = pidns.string();
      pid_field = ".linux.namespaces[" + std::to_string(i) + "].path";
    }
  ProcResult r = run_sh(b, "true", "pidns-gone");
  EXPECT_TRUE(failed_with(r, {"has the pid namespace \"" + pidns.string() + "\" (" + pid_field +
                              ") no init left?): cannot allocate memory"}));
  // The errno text once, after the word on it: it came twice, around it.
  EXPECT_EQ(r.err.find("memory"), r.err.rfind("memory")) << r.err;
  EXPECT_TRUE(state_dirs().empty());

  const auto fifo = temp_dir() / "netns.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Bundle& f = bundle("fifo");
  size_t net = 0;
  for (size_t i = 0; i < f.config["linux"]["namespaces"].size(); ++i)
    if (f.config["linux"]["namespaces"][i]["type"] == "network") net = i;
  const std::string at = ".linux.namespaces[" + std::to_string(net) + "].path: ";
  f.config["linux"]["namespaces"][net]["path"] = fifo.string();
  f.args({"true"});
  SpawnOptions quick;
  quick.timeout = milliseconds(10000);
  r = hull({"run", "--bundle", f.dir().string(), "netns-fifo"}, quick);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(failed_with(r, {at + "join network namespace \"" + fifo.string() + "\": not a namespace file"}));
  // Missing, or a namespace of another type: the JSON path is named too.
  f.config["linux"]["namespaces"][net]["path"] = (temp_dir() / "no-such-netns").string();
  f.write();
  r = hull({"run", "--bundle", f.dir().string(), "netns-missing"}, quick);
  EXPECT_TRUE(failed_with(r, {at + "join network namespace", "no such file or directory"}));
  f.config["linux"]["namespaces"][net]["path"] = "/proc/self/ns/ipc";
  f.write();
  r = hull({"run", "--bundle", f.dir().string(), "netns-ipc"}, quick);
  EXPECT_TRUE(
      failed_with(r, {at + "join network namespace \"/proc/self/ns/ipc\": the file is a namespace of another type"}));
  // One the kernel refuses to join (hull's own user namespace: EINVAL)
  // names its JSON path too.
  f.config["linux"]["namespaces"][net].erase("path");
  f.config["linux"]["namespaces"].push_back({{"type", "user"}, {"path", "/proc/self/ns/user"}});
  f.write();
  r = hull({"run", "--bundle", f.dir().string(), "userns-own"}, quick);
  EXPECT_TRUE(failed_with(r, {".linux.namespaces[" + std::to_string(f.config["linux"]["namespaces"].size() - 1) +
                              "].path: join user namespace \"/proc/self/ns/user\": invalid argument"}));
  EXPECT_TRUE(state_dirs().empty());
}

// A container with no namespace of its own (all the host's, as runc
// allows): exec runs in them too (it failed: setns with no namespace is
// EINVAL; found by review 2026-11-30).
TEST_F(HullTest, ExecIntoAContainerWithoutNamespaces) {
  Bundle& b = bundle();
  b.config["linux"]["namespaces"] = nlohmann::json::array();
  b.config["mounts"] = nlohmann::json::array();
  b.config.erase("hostname");
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "no-ns-exec"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container("no-ns-exec");
  ProcResult r = hull({"exec", "no-ns-exec", "readlink", "/proc/self/ns/net"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, host_ns("net") + "\n");
  EXPECT_EQ(hull({"delete", "--force", "no-ns-exec"}).exit_code, 0);
}

// The same in a user namespace (dockerd --userns-remap): the offsets file is
// host root's while the init is not dumpable, closed to the namespace's
// root, so the init opens it before it becomes that root.
TEST_F(HullTest, TimeNamespaceAppliesTheOffsetsInAUserNamespace) {
  Bundle& b = bundle();
  b.add_user_namespace();
  expect_time_offsets_applied(b, [this](Bundle& bb, const std::string& script) { return run_sh(bb, script); });
}

}  // namespace
}  // namespace hull::itest

namespace hull::itest {
namespace {

// A uts namespace joined by path takes .hostname and .domainname (as runc,
// runtime-tools linux_ns_path): the joined namespace is renamed, and the
// container sees the names.
TEST_F(HullTest, HostnameIsAppliedInAUtsNamespaceJoinedByPath) {
  pid_t owner = create_container("utsowner");
  ASSERT_GT(owner, 0);
  Bundle& b = bundle();
  auto& namespaces = b.config["linux"]["namespaces"];
  for (auto& n : namespaces)
    if (n["type"] == "uts") n["path"] = "/proc/" + std::to_string(owner) + "/ns/uts";
  b.config["hostname"] = "joined";
  b.config["domainname"] = "example.test";
  ProcResult r = run_sh(b, "readlink /proc/self/ns/uts; hostname; cat /proc/sys/kernel/domainname");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::filesystem::read_symlink("/proc/" + std::to_string(owner) + "/ns/uts").string() +
                       "\njoined\nexample.test\n");
  start_container("utsowner");
  ProcResult e = hull({"exec", "utsowner", "hostname"});
  EXPECT_EQ(e.out, "joined\n") << e.err;
}

// ... unless the path names the namespace hull itself runs in: that would
// rename the caller (here a private uts namespace made for the test, so that
// a runtime that does rename it renames only that).
TEST_F(HullTest, HostnameInTheRuntimesOwnUtsNamespaceIsRefused) {
  Bundle& b = bundle();
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "uts") n["path"] = "/proc/self/ns/uts";
  b.config["hostname"] = "renamed";
  b.args({"true"});
  ProcResult r =
      Child::spawn({"/usr/bin/unshare", "-u", "sh", "-c", "hostname before; \"$@\"; s=$?; hostname; exit $s", "sh",
                    runtime_binary(), "--root", state_root().string(), "run", "--bundle", b.dir().string(), "selfuts"})
          .finish();
  EXPECT_TRUE(failed_with(r, {"the one hull runs in"})) << r.out << r.err;
  EXPECT_EQ(r.out, "before\n") << "the caller's hostname changed";
}

// Network and ipc namespaces joined by path take the sysctls that live in
// them, as runc: containerd makes a pod's network namespace and runs the
// pod's sandbox in it with the pod's sysctls (containerd 2 adds
// net.ipv4.ip_unprivileged_port_start=0 and ping_group_range to every pod).
TEST_F(HullTest, SysctlsAreSetInNamespacesJoinedByPath) {
  pid_t owner = create_container("nsowner");
  ASSERT_GT(owner, 0);
  Bundle& b = bundle();
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "network" || n["type"] == "ipc")
      n["path"] = "/proc/" + std::to_string(owner) + "/ns/" + (n["type"] == "network" ? "net" : "ipc");
  b.config["linux"]["sysctl"] = {{"net.ipv4.ip_unprivileged_port_start", "0"}, {"kernel.shmmni", "1234"}};
  const char* read_both = "cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni";
  ProcResult r = run_sh(b, read_both);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1234\n");
  start_container("nsowner");
  ProcResult e = hull({"exec", "nsowner", "sh", "-c", read_both});
  EXPECT_EQ(e.out, "0\n1234\n") << e.err;
  EXPECT_NE(read_text_file("/proc/sys/kernel/shmmni"), "1234\n");
}

// The ucounts limits (user.*) are each user namespace's own: a container
// with one sets them there, as runc >= 1.5 does; the host's stay. The
// limit holds inside: three nested user namespaces are made, a fourth is
// refused (ENOSPC). unshare -r maps root, which the kernel allows only
// where the namespace's creator held CAP_SETFCAP.
TEST_F(HullTest, UserSysctlsAreSetInTheContainersUserNamespace) {
  Bundle& b = bundle();
  b.add_user_namespace();
  for (const char* set : {"bounding", "effective", "permitted"})
    b.config["process"]["capabilities"][set].push_back("CAP_SETFCAP");
  b.config["linux"]["sysctl"] = {{"user.max_user_namespaces", "3"}};
  const std::string host = read_text_file("/proc/sys/user/max_user_namespaces");
  ProcResult r =
      run_sh(b,
             "cat /proc/sys/user/max_user_namespaces; unshare -Ur unshare -Ur unshare -Ur true && echo three; "
             "unshare -Ur unshare -Ur unshare -Ur unshare -Ur true 2>&1 | grep -q 'No space left' && echo not-four");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "3\nthree\nnot-four\n");
  EXPECT_EQ(read_text_file("/proc/sys/user/max_user_namespaces"), host);
  EXPECT_NE(host, "3\n");

  Bundle& without = bundle("without");
  without.config["linux"]["sysctl"] = {{"user.max_user_namespaces", "3"}};
  without.args({"true"});
  EXPECT_TRUE(failed_with(hull({"run", "--bundle", without.dir().string(), "nouserns"}),
                          {".linux.sysctl[\"user.max_user_namespaces\"]: requires a user namespace"}));
  EXPECT_EQ(read_text_file("/proc/sys/user/max_user_namespaces"), host);
}

// ... unless the path names the namespace hull itself runs in: that would
// change the caller's (here a private network namespace made for the test,
// and the value it already has, so that a runtime that does write it
// changes nothing).
TEST_F(HullTest, ASysctlInTheNetworkNamespaceHullRunsInIsRefused) {
  Bundle& b = bundle();
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "network") n["path"] = "/proc/self/ns/net";
  b.config["linux"]["sysctl"] = {{"net.ipv4.ip_unprivileged_port_start", "1023"}};
  b.args({"true"});
  const char* file = "/proc/sys/net/ipv4/ip_unprivileged_port_start";
  ProcResult r =
      Child::spawn({"/usr/bin/unshare", "-n", "sh", "-c",
                    std::string("echo 1024 > ") + file + "; \"$@\"; s=$?; cat " + file + "; exit $s", "sh",
                    runtime_binary(), "--root", state_root().string(), "run", "--bundle", b.dir().string(), "selfnet"})
          .finish();
  EXPECT_TRUE(failed_with(
      r, {"linux.sysctl \"net.ipv4.ip_unprivileged_port_start\": the network namespace", "the one hull runs in"}))
      << r.out << r.err;
  EXPECT_EQ(r.out, "1024\n") << "the caller's network namespace changed";
}

}  // namespace
}  // namespace hull::itest

namespace hull::itest {
namespace {

// dockerd --userns-remap: the bundle lies in a 0700 root-owned directory,
// root.path elsewhere is reachable by the remapped root, and the init (host
// uid 100000 once in its user namespace) must never need the bundle's path.
TEST_F(HullTest, UserNamespacedInitNeverNeedsTheBundlePath) {
  Bundle& image = bundle("image");
  const auto locked = temp_dir() / "locked";
  std::filesystem::create_directories(locked / "bundle");
  std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
  nlohmann::json config = image.config;
  config["root"]["path"] = image.rootfs().string();
  config["process"]["args"] = {"sh", "-c", "id -u; echo ok > /tmp/written; cat /tmp/written"};
  config["linux"]["namespaces"].push_back({{"type", "user"}});
  config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  // The remapped root owns its rootfs (Docker chowns the image layers).
  // bin/busybox is a hard link to the harness's template: chowning it would
  // chown every later test's busybox too, so it gets a private copy first.
  const auto busybox = image.rootfs() / "bin" / "busybox";
  std::filesystem::copy_file(busybox, busybox.string() + ".copy");
  std::filesystem::rename(busybox.string() + ".copy", busybox);
  for (const auto& e : std::filesystem::recursive_directory_iterator(image.rootfs()))
    ASSERT_EQ(::lchown(e.path().c_str(), 100000, 100000), 0) << e.path();
  ASSERT_EQ(::lchown(image.rootfs().c_str(), 100000, 100000), 0);
  std::ofstream(locked / "bundle" / "config.json") << config.dump();
  ProcResult r = hull({"run", "--bundle", (locked / "bundle").string(), "remapped"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\nok\n");
}

}  // namespace
}  // namespace hull::itest

namespace hull::itest {
namespace {

// A read-only /dev tmpfs: runc mounts it writable, makes the device nodes,
// then makes it read-only. The container gets its nodes and cannot add any.
TEST_F(HullTest, ReadOnlyDevTmpfsIsPopulatedThenReadOnly) {
  Bundle& b = bundle();
  for (auto& m : b.config["mounts"])
    if (m["destination"] == "/dev") m["options"].push_back("ro");
  ProcResult r = run_sh(b,
                        "echo x > /dev/null && test -c /dev/zero && echo nodes; "
                        "touch /dev/new 2>/dev/null && echo wrote || echo read-only");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "nodes\nread-only\n");
}

// hull's own way (not in the runc parity list: runc masks with a tmpfs): the
// masks' empty directory is made in /dev while it is still writable, so a
// masked directory of a container with a read-only /dev is that directory
// too (two links, /dev's device; src/rootfs/masked_paths.hpp).
TEST_F(HullTest, MaskedDirectoryOfAReadOnlyDevIsAnEmptyDirectoryOfIt) {
  Bundle& b = bundle();
  for (auto& m : b.config["mounts"])
    if (m["destination"] == "/dev") m["options"].push_back("ro");
  b.config["linux"]["maskedPaths"] = {"/sys/firmware"};
  ProcResult r = run_sh(b,
                        "touch /dev/new 2>/dev/null && echo wrote || echo read-only; "
                        "stat -c '%h' /sys/firmware; "
                        "[ \"$(stat -c %d /sys/firmware)\" = \"$(stat -c %d /dev)\" ] && echo on-dev");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "read-only\n2\non-dev\n");
}

}  // namespace
}  // namespace hull::itest
