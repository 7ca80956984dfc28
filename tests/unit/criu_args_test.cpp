// checkpoint/restore: runc's flags as criu(8) arguments, the external mounts
// described as runc describes them, and the CRIU helpers that need no root.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "runtime/criu.hpp"
#include "runtime/criu_args.hpp"
#include "runtime/criu_images.hpp"
#include "spec/spec.hpp"
#include "support/temp_dir.hpp"

namespace hull {
namespace {

using Args = std::vector<std::string>;

// Whether `seq` appears in `args` as consecutive arguments.
bool has_in_order(const Args& args, const Args& seq) {
  return std::search(args.begin(), args.end(), seq.begin(), seq.end()) != args.end();
}

spec::Spec spec_with_mounts() {
  spec::Spec s;
  s.linux_.emplace();
  s.mounts.push_back({"/proc", std::string("proc"), std::string("proc"), {}, {}, {}});
  s.mounts.push_back({"/data/", std::nullopt, std::string("/srv/data"), {"rbind", "ro"}, {}, {}});
  s.mounts.push_back({"/etc/hosts", std::string("bind"), std::string("/srv/hosts"), {}, {}, {}});
  s.mounts.push_back({"/tmp", std::string("tmpfs"), std::string("tmpfs"), {"nosuid"}, {}, {}});
  s.linux_->maskedPaths = {"/proc/kcore", "/proc/acpi"};
  return s;
}

DumpTarget dump_target() {
  DumpTarget t;
  t.pid = 4242;
  t.rootfs = "/b/rootfs";
  t.freeze_cgroup = "/sys/fs/cgroup/c1";
  t.mounts = {{"/data", "/data"}};
  return t;
}

TEST(CriuArgs, DumpCarriesTheTreeImagesRootCgroupsAndRuncFlags) {
  CheckpointOptions o;
  o.criu.image_path = "/img";
  o.criu.work_path = "/work";
  o.criu.tcp_established = o.criu.ext_unix_sk = o.criu.shell_job = o.criu.file_locks = true;
  o.criu.auto_dedup = o.criu.lazy_pages = true;
  o.criu.empty_ns = {"network"};
  o.leave_running = true;
  o.tcp_skip_in_flight = o.link_remap = true;
  o.status_fd = 7;
  o.page_server = "10.0.0.1:2000";
  Args a = criu_dump_args(o, dump_target());
  EXPECT_EQ(a.at(0), "dump");
  EXPECT_TRUE(has_in_order(a, {"--tree", "4242"}));
  EXPECT_TRUE(has_in_order(a, {"--images-dir", "/img"}));
  EXPECT_TRUE(has_in_order(a, {"--work-dir", "/work"}));
  EXPECT_TRUE(has_in_order(a, {"--log-file", "dump.log", "-v4"}));
  EXPECT_TRUE(has_in_order(a, {"--root", "/b/rootfs"}));
  EXPECT_TRUE(has_in_order(a, {"--manage-cgroups=soft"}));
  EXPECT_TRUE(has_in_order(a, {"--freeze-cgroup", "/sys/fs/cgroup/c1"}));
  for (const char* f : {"--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks", "--auto-dedup",
                        "--lazy-pages", "--leave-running", "--skip-in-flight", "--link-remap"})
    EXPECT_TRUE(has_in_order(a, {f})) << f;
  EXPECT_TRUE(has_in_order(a, {"--empty-ns", "net"}));
  EXPECT_TRUE(has_in_order(a, {"--status-fd", "7"}));
  // Lazy: the dump serves the pages there itself (CRIU's --page-server
  // would send them to a server there instead).
  EXPECT_TRUE(has_in_order(a, {"--address", "10.0.0.1", "--port", "2000"}));
  EXPECT_FALSE(has_in_order(a, {"--page-server"}));
  EXPECT_TRUE(has_in_order(a, {"--external", "mnt[/data]:/data"}));
  EXPECT_FALSE(has_in_order(a, {"--track-mem"}));
}

TEST(CriuArgs, WithoutLazyPagesThePagesGoToThePageServer) {
  CheckpointOptions o;
  o.criu.image_path = "/img";
  o.page_server = "10.0.0.1:2000";
  Args a = criu_dump_args(o, dump_target());
  EXPECT_TRUE(has_in_order(a, {"--page-server", "--address", "10.0.0.1", "--port", "2000"}));
}

TEST(CriuArgs, DumpLeavesOutWhatWasNotAsked) {
  CheckpointOptions o;
  o.criu.image_path = "/img";
  DumpTarget t = dump_target();
  t.freeze_cgroup.clear();
  Args a = criu_dump_args(o, t);
  for (const char* f : {"--work-dir", "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks",
                        "--auto-dedup", "--lazy-pages", "--leave-running", "--freeze-cgroup", "--page-server",
                        "--status-fd", "--empty-ns", "--prev-images-dir", "--skip-in-flight", "--link-remap"})
    EXPECT_FALSE(has_in_order(a, {f})) << f;
}

TEST(CriuArgs, PreDumpTracksMemoryAndSkipsTheMountTree) {
  CheckpointOptions o;
  o.criu.image_path = "/img/pre";
  o.pre_dump = true;
  o.leave_running = true;  // implied: a pre-dump never stops the container
  Args a = criu_dump_args(o, dump_target());
  EXPECT_EQ(a.at(0), "pre-dump");
  EXPECT_TRUE(has_in_order(a, {"--track-mem"}));
  EXPECT_TRUE(has_in_order(a, {"--log-file", "dump.log"}));  // runc's name for it too
  EXPECT_FALSE(has_in_order(a, {"--leave-running"}));
  EXPECT_FALSE(has_in_order(a, {"--external"}));
}

TEST(CriuArgs, DumpOnAParentTracksMemoryFromThePreviousImages) {
  CheckpointOptions o;
  o.criu.image_path = "/img/final";
  o.parent_path = "../pre";
  Args a = criu_dump_args(o, dump_target());
  EXPECT_EQ(a.at(0), "dump");
  EXPECT_TRUE(has_in_order(a, {"--track-mem"}));
  EXPECT_TRUE(has_in_order(a, {"--prev-images-dir", "../pre"}));
}

TEST(CriuArgs, RestoreIsDetachedASiblingInTheContainersCgroup) {
  RestoreOptions o;
  o.criu.image_path = "/img";
  o.criu.manage_cgroups_mode = "full";
  o.criu.shell_job = true;
  RestoreTarget t;
  t.root = "/run/hull/c1/criu-root";
  t.pid_file = "/run/hull/c1/criu-restore.pid";
  t.cgroup_roots = {"/test.slice/c1"};
  t.mounts = {{"/data", "/srv/data"}, {"/dev/null", "/dev/null"}};
  t.inherit_fds = {{1, "pipe:[77]"}};
  t.action_script = "/run/hull/c1/criu-action-script";
  Args a = criu_restore_args(o, t);
  EXPECT_EQ(a.at(0), "restore");
  EXPECT_TRUE(has_in_order(a, {"--restore-detached", "--restore-sibling"}));
  EXPECT_TRUE(has_in_order(a, {"--root", "/run/hull/c1/criu-root"}));
  EXPECT_TRUE(has_in_order(a, {"--pidfile", "/run/hull/c1/criu-restore.pid"}));
  EXPECT_TRUE(has_in_order(a, {"--manage-cgroups=full"}));
  EXPECT_TRUE(has_in_order(a, {"--cgroup-root", "/test.slice/c1"}));
  EXPECT_TRUE(has_in_order(a, {"--log-file", "restore.log"}));
  EXPECT_TRUE(has_in_order(a, {"--shell-job"}));
  EXPECT_TRUE(has_in_order(a, {"--evasive-devices"}));
  EXPECT_TRUE(has_in_order(a, {"--external", "mnt[/data]:/srv/data"}));
  EXPECT_TRUE(has_in_order(a, {"--external", "mnt[/dev/null]:/dev/null"}));
  EXPECT_TRUE(has_in_order(a, {"--inherit-fd", "fd[1]:pipe:[77]"}));
  EXPECT_TRUE(has_in_order(a, {"--action-script", "/run/hull/c1/criu-action-script"}));
  EXPECT_FALSE(has_in_order(a, {"--lsm-profile"}));
  EXPECT_FALSE(has_in_order(a, {"--lsm-mount-context"}));
  t.action_script.clear();
  EXPECT_FALSE(has_in_order(criu_restore_args(o, t), {"--action-script"}));
  // podman's `container restore --pod` on SELinux hosts: passed as given.
  o.lsm_profile = "selinux:system_u:system_r:container_t:s0:c1,c2";
  o.lsm_mount_context = "system_u:object_r:container_file_t:s0:c1,c2";
  a = criu_restore_args(o, t);
  EXPECT_TRUE(has_in_order(a, {"--lsm-profile", "selinux:system_u:system_r:container_t:s0:c1,c2"}));
  EXPECT_TRUE(has_in_order(a, {"--lsm-mount-context", "system_u:object_r:container_file_t:s0:c1,c2"}));
}

TEST(CriuArgs, BadModesNamespacesAndPageServersAreErrorsNamingTheFlag) {
  EXPECT_EQ(criu_cgroups_mode(""), "soft");
  for (const char* m : {"soft", "full", "strict", "ignore"}) EXPECT_EQ(criu_cgroups_mode(m), m);
  EXPECT_THROW(criu_cgroups_mode("hard"), Error);
  try {
    criu_cgroups_mode("hard");
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "invalid --manage-cgroups-mode \"hard\": expected soft, full, strict or ignore");
  }
  EXPECT_EQ(criu_empty_ns("network"), "net");
  EXPECT_THROW(criu_empty_ns("pid"), Error);
  CheckpointOptions o;
  o.criu.image_path = "/img";
  for (const char* bad :
       {"10.0.0.1", ":2000", "10.0.0.1:", "10.0.0.1:abc", "::1:2000", "[::1]", "[::1]2000", "h:70000", "h:-1"}) {
    o.page_server = bad;
    EXPECT_THROW(criu_dump_args(o, dump_target()), Error) << bad;
  }
  // As Go's net.SplitHostPort: an IPv6 address in brackets, which CRIU takes without them.
  o.page_server = "[fd00::1]:2000";
  EXPECT_TRUE(
      has_in_order(criu_dump_args(o, dump_target()), {"--page-server", "--address", "fd00::1", "--port", "2000"}));
  EXPECT_EQ(page_server_address("host.example:0"), (std::pair<std::string, std::string>{"host.example", "0"}));
}

// The default devices, each its own cookie: in a user namespace each is a
// bind of the host's node (as runc lists c.config.Devices).
const std::vector<ExternalMount> kDefaultDeviceMounts = {
    {"/dev/null", "/dev/null"},     {"/dev/zero", "/dev/zero"},       {"/dev/full", "/dev/full"},
    {"/dev/random", "/dev/random"}, {"/dev/urandom", "/dev/urandom"}, {"/dev/tty", "/dev/tty"}};

std::vector<ExternalMount> plus_devices(std::vector<ExternalMount> mounts) {
  for (const ExternalMount& m : kDefaultDeviceMounts)
    if (std::find(mounts.begin(), mounts.end(), m) == mounts.end()) mounts.push_back(m);
  return mounts;
}

TEST(CriuArgs, ExternalMountsAreTheBindMountsMaskedFilesAndDevicesAsRuncLists) {
  spec::Spec s = spec_with_mounts();
  // /proc/acpi is a directory in the container (masked by a tmpfs): not listed by the caller.
  std::vector<ExternalMount> dump = dump_external_mounts(s, {"/proc/kcore"});
  std::vector<ExternalMount> want_dump = plus_devices(
      {{"/data", "/data"}, {"/etc/hosts", "/etc/hosts"}, {"/proc/kcore", "/dev/null"}, {"/dev/null", "/dev/null"}});
  EXPECT_EQ(dump, want_dump);
  std::vector<ExternalMount> restore = restore_external_mounts(s, "/b");
  // /dev/null once: the masked files' cookie and the device's are one.
  std::vector<ExternalMount> want_restore =
      plus_devices({{"/data", "/srv/data"}, {"/etc/hosts", "/srv/hosts"}, {"/dev/null", "/dev/null"}});
  EXPECT_EQ(restore, want_restore);
  s.linux_->maskedPaths.clear();
  EXPECT_EQ(restore_external_mounts(s, "/b"), plus_devices({{"/data", "/srv/data"}, {"/etc/hosts", "/srv/hosts"}}));
  // A relative source is the bundle's, as create reads it (CRIU would read it from hull's working directory).
  s.mounts[1].source = "data";
  EXPECT_EQ(restore_external_mounts(s, "/b"), plus_devices({{"/data", "/b/data"}, {"/etc/hosts", "/srv/hosts"}}));
  s.mounts[1].source = "/srv/data";
  // A config device: its path (cleaned), and a default of that path is not listed twice; no /dev/ptmx (a link).
  s.linux_->devices.push_back({"c", "/dev//fuse", 10, 229, {}, {}, {}});
  s.linux_->devices.push_back({"c", "/dev/null", 1, 3, {}, {}, {}});
  s.linux_->devices.push_back({"c", "/dev/ptmx", 5, 2, {}, {}, {}});
  dump = dump_external_mounts(s, {});
  EXPECT_EQ(std::count(dump.begin(), dump.end(), ExternalMount{"/dev/fuse", "/dev/fuse"}), 1);
  EXPECT_EQ(std::count(dump.begin(), dump.end(), ExternalMount{"/dev/null", "/dev/null"}), 1);
  EXPECT_EQ(std::count_if(dump.begin(), dump.end(), [](const ExternalMount& m) { return m.key == "/dev/ptmx"; }), 0);
}

TEST(CriuArgs, ATerminalContainersConsoleIsAnExternalMountOntoTheNewPty) {
  spec::Spec s = spec_with_mounts();
  s.linux_->maskedPaths.clear();
  EXPECT_FALSE(criu_terminal(s));
  s.process.emplace();
  s.process->terminal = true;
  EXPECT_TRUE(criu_terminal(s));
  std::vector<ExternalMount> dump = dump_external_mounts(s, {});
  EXPECT_NE(std::find(dump.begin(), dump.end(), ExternalMount{"/dev/console", "console"}), dump.end());
  std::vector<ExternalMount> restore = restore_external_mounts(s, "/b", "/dev/pts/7");
  EXPECT_NE(std::find(restore.begin(), restore.end(), ExternalMount{"console", "/dev/pts/7"}), restore.end());
  // No pty to mount there: an error, not a restore without a console.
  EXPECT_THROW(restore_external_mounts(s, "/b"), Error);
  s.process->terminal = false;
  EXPECT_EQ(restore_external_mounts(s, "/b").size(), restore.size() - 1);
}

TEST(CriuImages, CgroupRootsAreRelativeToTheirMounts) {
  cgroups::Host host;
  host.v2_mount = "/sys/fs/cgroup";
  cgroups::Paths p;
  p.v2 = "/sys/fs/cgroup/test.slice/c1";
  EXPECT_EQ(criu_cgroup_roots(p, host), std::vector<std::string>{"/test.slice/c1"});
  EXPECT_EQ(freezer_cgroup(p), "/sys/fs/cgroup/test.slice/c1");
  host.v2_mount = "/sys/fs/cgroup/unified";
  host.v1["freezer"].mount = "/sys/fs/cgroup/freezer";
  p.v2 = "/sys/fs/cgroup/unified/u/c1";
  p.v1["freezer"] = "/sys/fs/cgroup/freezer/u/c1";
  std::vector<std::string> want = {"/u/c1", "freezer:/u/c1"};
  EXPECT_EQ(criu_cgroup_roots(p, host), want);
  EXPECT_EQ(freezer_cgroup(p), "/sys/fs/cgroup/freezer/u/c1");
  // The same cgroups as /proc/<pid>/cgroup would list them.
  EXPECT_EQ(cgroup_membership(p, host), "0::/u/c1\n1:freezer:/u/c1\n");
}

// runc's way with namespaces joined by path: network and pid external to
// the dump and inherited by the restore under one key, the others joined.
TEST(CriuArgs, NamespacesJoinedByPathAreExternalOrJoined) {
  EXPECT_EQ(criu_namespace_key(spec::NamespaceType::Network), "extRootNetNS");
  EXPECT_EQ(criu_namespace_key(spec::NamespaceType::Pid), "extRootPidNS");
  EXPECT_EQ(criu_namespace_key(spec::NamespaceType::Ipc), "");
  EXPECT_EQ(criu_external_namespace(spec::NamespaceType::Network, 4026532163), "net[4026532163]:extRootNetNS");
  EXPECT_EQ(criu_external_namespace(spec::NamespaceType::Pid, 4026532160), "pid[4026532160]:extRootPidNS");
  EXPECT_EQ(criu_join_namespace(spec::NamespaceType::Ipc, "x"), "ipc");
  EXPECT_EQ(criu_join_namespace(spec::NamespaceType::Uts, "x"), "uts");
  EXPECT_EQ(criu_join_namespace(spec::NamespaceType::Mount, "x"), "mnt");
  EXPECT_EQ(criu_join_namespace(spec::NamespaceType::User, "x"), "user");
  for (auto t : {spec::NamespaceType::Cgroup, spec::NamespaceType::Time}) {
    try {
      criu_join_namespace(t, "config.json: .linux.namespaces[3].path \"/p\"");
      ADD_FAILURE() << "no error for " << spec::to_string(t);
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string("config.json: .linux.namespaces[3].path \"/p\": CRIU cannot restore a "
                            "process into a ") +
                    spec::to_string(t) + " namespace joined by path");
    }
  }

  CheckpointOptions o;
  o.criu.image_path = "/img";
  DumpTarget d = dump_target();
  d.external_namespaces = {"net[4026532163]:extRootNetNS"};
  EXPECT_TRUE(has_in_order(criu_dump_args(o, d), {"--external", "net[4026532163]:extRootNetNS"}));
  o.pre_dump = true;  // a pre-dump cannot save them either
  EXPECT_TRUE(has_in_order(criu_dump_args(o, d), {"--external", "net[4026532163]:extRootNetNS"}));

  RestoreOptions r;
  r.criu.image_path = "/img";
  RestoreTarget t;
  t.inherit_fds = {{7, "extRootNetNS"}};
  t.join_namespaces = {{"ipc", "/proc/42/ns/ipc"}, {"uts", "/proc/42/ns/uts"}};
  Args a = criu_restore_args(r, t);
  EXPECT_TRUE(has_in_order(a, {"--inherit-fd", "fd[7]:extRootNetNS"}));
  EXPECT_TRUE(has_in_order(a, {"--join-ns", "ipc:/proc/42/ns/ipc", "--join-ns", "uts:/proc/42/ns/uts"}));
}

TEST(CriuImages, ThePipesOfTheDescriptorsRecordAreInherited) {
  std::string json = descriptors_json({"/dev/null", "pipe:[1234]", "pipe:[99]"});
  EXPECT_EQ(json, R"(["/dev/null","pipe:[1234]","pipe:[99]"])");
  auto pipes = inherited_pipes(json, "descriptors.json");
  std::vector<std::pair<int, std::string>> want = {{1, "pipe:[1234]"}, {2, "pipe:[99]"}};
  EXPECT_EQ(pipes, want);
  EXPECT_THROW(inherited_pipes("{\"a\":1}", "descriptors.json"), Error);
  EXPECT_THROW(inherited_pipes("[1]", "descriptors.json"), Error);
  // A file name that is not UTF-8 does not stop the checkpoint.
  json = descriptors_json({"/tmp/out-caf\xe9.log", "pipe:[7]", "/dev/null"});
  EXPECT_EQ(json, "[\"/tmp/out-caf\xef\xbf\xbd.log\",\"pipe:[7]\",\"/dev/null\"]");
  EXPECT_EQ(inherited_pipes(json, "descriptors.json"), (std::vector<std::pair<int, std::string>>{{1, "pipe:[7]"}}));
}

TEST(CriuImages, ImageAndWorkPathsBecomeAbsoluteAndNameTheLog) {
  CriuOptions o;
  resolve_criu_dirs(o, false);
  EXPECT_TRUE(o.image_path.starts_with("/"));
  EXPECT_TRUE(o.image_path.ends_with("/checkpoint"));
  EXPECT_EQ(criu_log_path(o, kDumpLog), o.image_path + "/dump.log");
  o.work_path = "/w";
  EXPECT_EQ(criu_log_path(o, kRestoreLog), "/w/restore.log");
}

// runc's choice of CRIU configuration file; CRIU's own defaults, which
// runc's RPC never reads, left out.
TEST(CriuArgs, TheConfigFileIsTheAnnotationsOrRuncsAndNeverCriusDefault) {
  test::TempDir dir("criu-conf");
  const std::string conf = dir.path() + "/c.conf";
  std::ofstream(conf) << "tcp-established\n";
  spec::Spec s;
  s.annotations["org.criu.config"] = conf;
  EXPECT_EQ(criu_config_file(s).path, conf);
  s.annotations["org.criu.config"] = dir.path() + "/missing.conf";
  EXPECT_EQ(criu_config_file(s).path, "");  // a missing file is no file, as CRIU's RPC takes it
  s.annotations["org.criu.config"] = "";
  EXPECT_EQ(criu_config_file(s).path, "");  // "": none at all, not even runc.conf
  s.annotations.clear();
  EXPECT_EQ(criu_config_file(s).path, ::access("/etc/criu/runc.conf", F_OK) == 0 ? "/etc/criu/runc.conf" : "");

  CheckpointOptions o;
  o.criu.image_path = "/img";
  DumpTarget d = dump_target();
  d.config.path = conf;
  Args a = criu_dump_args(o, d);
  EXPECT_TRUE(has_in_order(a, {"--no-default-config", "--config", conf})) << ::testing::PrintToString(a);
  d.config.path.clear();
  a = criu_dump_args(o, d);
  EXPECT_TRUE(has_in_order(a, {"--no-default-config"}));
  EXPECT_FALSE(has_in_order(a, {"--config"}));
  RestoreOptions r;
  r.criu.image_path = "/img";
  RestoreTarget t;
  t.config.path = conf;
  EXPECT_TRUE(has_in_order(criu_restore_args(r, t), {"--no-default-config", "--config", conf}));
}

// Over runc's RPC the file's settings win; on CRIU's command line the
// command line's would: hull leaves out its own log file and verbosity
// where the file sets them (the file's log file went unwritten).
TEST(CriuArgs, TheConfigFilesLogFileAndVerbosityWin) {
  const CriuConfigFile c = parse_criu_config("/c.conf",
                                             "# runc.conf\n"
                                             "tcp-established\n"
                                             "log-file=replaced.log\n"
                                             "log-file \"/var/log/criu.log\"  # the last one counts\n"
                                             "verbosity 2\n");
  EXPECT_EQ(c.log_file, "/var/log/criu.log");
  // After "=", CRIU 3.17 keeps the quotes as part of the value.
  EXPECT_EQ(parse_criu_config("/c.conf", "log-file=\"q.log\"").log_file, "\"q.log\"");
  EXPECT_TRUE(c.verbosity);
  const CriuConfigFile plain = parse_criu_config("/c.conf", "tcp-established\n#log-file=x\nverbosityx\n");
  EXPECT_EQ(plain.log_file, "");
  EXPECT_FALSE(plain.verbosity);
  EXPECT_EQ(parse_criu_config("/c.conf", "log-file dump-mine.log").log_file, "dump-mine.log");

  CheckpointOptions o;
  o.criu.image_path = "/img";
  DumpTarget d = dump_target();
  d.config = c;
  Args a = criu_dump_args(o, d);
  EXPECT_FALSE(has_in_order(a, {"--log-file"})) << ::testing::PrintToString(a);
  EXPECT_FALSE(has_in_order(a, {"-v4"}));
  d.config = plain;
  a = criu_dump_args(o, d);
  EXPECT_TRUE(has_in_order(a, {"--log-file", kDumpLog, "-v4"})) << ::testing::PrintToString(a);
  EXPECT_EQ(criu_log_path(o.criu, kDumpLog, c.log_file), "/var/log/criu.log");
  EXPECT_EQ(criu_log_path(o.criu, kDumpLog, "mine.log"), "/img/mine.log");
  EXPECT_EQ(criu_log_path(o.criu, kDumpLog, ""), "/img/dump.log");
  // The file's work-dir is CRIU's where no --work-path is given.
  EXPECT_EQ(parse_criu_config("/c.conf", "work-dir /srv/criu-work\n").work_dir, "/srv/criu-work");
  EXPECT_EQ(criu_work_dir(o.criu, "/srv/criu-work"), "/srv/criu-work");
  EXPECT_EQ(criu_log_path(o.criu, kDumpLog, "", "/srv/criu-work"), "/srv/criu-work/dump.log");
  o.criu.work_path = "/w";
  EXPECT_EQ(criu_work_dir(o.criu, "/srv/criu-work"), "/w");
}

// As runc's MkdirAll: a nested image path is made whole, 0700.
TEST(CriuImages, AMissingImagePathIsMadeWithItsParents) {
  test::TempDir dir("criu-images");
  CriuOptions o;
  o.image_path = dir.path() + "/a/b/c";
  resolve_criu_dirs(o, true);
  struct stat st {};
  ASSERT_EQ(::stat(o.image_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((dir.path() + "/a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  resolve_criu_dirs(o, true);  // there already: fine
}

// A CRIU that fails before it writes its log: the error is not the last
// run's log, which is removed first.
TEST(CriuLog, AnEarlierRunsLogIsNotQuotedAsThisOnesError) {
  test::TempDir dir("criu-log");
  const std::string log = dir.path() + "/dump.log";
  {
    std::ofstream old(log);
    old << "(00.002) Error (criu/kerndat.c:1615): an old error\n";
  }
  std::string err;
  try {
    run_criu("/bin/false", {"dump"}, log);
  } catch (const Error& e) {
    err = e.what();
  }
  EXPECT_NE(err.find("criu dump failed (exit status 1; log " + log + "): no log written"), std::string::npos) << err;
  EXPECT_EQ(err.find("an old error"), std::string::npos) << err;
}

TEST(CriuLog, TheLastErrorLinesAreQuoted) {
  std::string log =
      "(00.001) Version: 3.17.1\n"
      "(00.002) Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.\n"
      "(00.003) a line\n"
      "(00.004) Error (criu/crtools.c:260): Could not initialize kernel features detection.\n";
  EXPECT_EQ(criu_log_errors(log),
            "(00.002) Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.; "
            "(00.004) Error (criu/crtools.c:260): Could not initialize kernel features detection.");
  EXPECT_EQ(criu_log_errors(log, 1),
            "(00.004) Error (criu/crtools.c:260): Could not initialize kernel features detection.");
  EXPECT_EQ(criu_log_errors("all fine\n"), "");
}

// The yard CRIU made in its work directory, by the name its log gives; a
// path (the user's --cgroup-yard) or anything else is no yard of CRIU's.
TEST(CriuLog, TheCgroupYardIsTheOneItsLogNames) {
  EXPECT_EQ(criu_cgroup_yard("(00.010) cg: Preparing cgroups yard (cgroups restore mode 0x4)\n"
                             "(00.011) cg: Opening .criu.cgyard.aen9WI as cg yard\n(00.012) next\n"),
            ".criu.cgyard.aen9WI");
  EXPECT_EQ(criu_cgroup_yard("(00.011) cg: Opening /srv/yard as cg yard\n"), "");
  EXPECT_EQ(criu_cgroup_yard("(00.011) cg: Opening .criu.cgyard. as cg yard\n"), "");
  EXPECT_EQ(criu_cgroup_yard("(00.011) cg: Opening .criu.cgyard.x/../.. as cg yard\n"), "");
  EXPECT_EQ(criu_cgroup_yard("Opening x\n.criu.cgyard.ab as cg yard\n"), "");
  EXPECT_EQ(criu_cgroup_yard("(00.001) nothing about cgroups\n"), "");
}

}  // namespace
}  // namespace hull
