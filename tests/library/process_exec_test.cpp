// exec_container_process in a forked child, checked from busybox.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "arch.hpp"
#include "process_child.hpp"
#include "support/temp_dir.hpp"

using namespace hull;
using hull::test::busybox_spec;
using hull::test::run_process_child;

TEST(ProcessExecChild, RunsBusyboxFromContainerPath) {
  HULL_REQUIRE_ROOT();
  auto r = run_process_child(busybox_spec({"echo", "hello"}));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.out, "hello\n");
  EXPECT_TRUE(r.exited_ok());
}

TEST(ProcessExecChild, AppliesUserGroupsUmaskEnvCwd) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"sh", "-c", "id; umask; echo $FOO; pwd"});
  s.process->user.uid = 1234;
  s.process->user.gid = 2345;
  s.process->user.additionalGids = {3000, 3001};
  s.process->user.umask = 027;
  s.process->env.push_back("FOO=bar baz");
  s.process->cwd = "/tmp";
  auto r = run_process_child(s);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.out, "uid=1234 gid=2345 groups=3000,3001\n0027\nbar baz\n/tmp\n");
}

TEST(ProcessExecChild, DropsRuntimeSupplementaryGroups) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"cat", "/proc/self/status"});
  auto r = run_process_child(s, {}, [] {
    gid_t g[] = {4242};
    ::setgroups(1, g);
  });
  EXPECT_NE(r.out.find("Groups:\t \n"), std::string::npos) << r.out;
}

TEST(ProcessExecChild, ClosesStrayFdsButKeepsPreserved) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"ls", "/proc/self/fd"});
  process::ExecOptions opts;
  opts.preserve_fds = 2;
  auto r = run_process_child(s, opts, [] {
    // 3,4 preserved (not CLOEXEC); 5..9 stray, some without CLOEXEC.
    for (int i = 0; i < 7; ++i) ::open("/", O_RDONLY);
  });
  EXPECT_EQ(r.error, "");
  // ls itself opens one fd for the directory listing.
  EXPECT_TRUE(r.out == "0\n1\n2\n3\n4\n5\n") << r.out;
}

TEST(ProcessExecChild, RefusesCwdThroughLeakedFd) {
  HULL_REQUIRE_ROOT();
  // The child chroots into a scratch root while holding an fd to the real
  // root, as a runtime that leaked a host directory fd would.
  hull::test::TempDir tmp{"process"};
  std::string root = tmp.path();
  std::filesystem::create_directories(root + "/proc");
  for (int n = 3; n <= 20; ++n) {
    auto s = busybox_spec({"true"});
    s.process->cwd = "/proc/self/fd/" + std::to_string(n);
    auto r = run_process_child(s, {}, [&] {
      int fd = ::open("/", O_RDONLY | O_DIRECTORY);
      if (fd != n) ::dup2(fd, n);
      if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
          ::mount("proc", (root + "/proc").c_str(), "proc", 0, nullptr) < 0 || ::chroot(root.c_str()) < 0 ||
          ::chdir("/") < 0)
        throw Error("test setup", errno);
    });
    EXPECT_NE(r.error.find("CVE-2024-21626"), std::string::npos) << "fd " << n << ": " << r.error;
    EXPECT_FALSE(r.exited_ok());
  }
}

TEST(ProcessExecChild, ExplainsMissingInterpreterAndCrlf) {
  HULL_REQUIRE_ROOT();
  hull::test::TempDir tmp{"process"};
  std::string dir = tmp.path();
  auto script = [&](const std::string& name, const std::string& body) {
    std::ofstream(dir + "/" + name) << body;
    ::chmod((dir + "/" + name).c_str(), 0755);
    return dir + "/" + name;
  };
  auto crlf = busybox_spec({});
  crlf.process->args = {script("crlf.sh", "#!/bin/sh\r\necho hi\r\n")};
  auto r = run_process_child(crlf);
  EXPECT_NE(r.error.find("carriage return"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("crlf.sh"), std::string::npos) << r.error;

  auto nointerp = busybox_spec({});
  nointerp.process->args = {script("py.sh", "#!/usr/bin/no-such-python3\nprint(1)\n")};
  r = run_process_child(nointerp);
  EXPECT_NE(r.error.find("interpreter \"/usr/bin/no-such-python3\" does not exist"), std::string::npos) << r.error;

  auto noexec = busybox_spec({});
  std::ofstream(dir + "/plain") << "data";
  ::chmod((dir + "/plain").c_str(), 0644);
  noexec.process->args = {dir + "/plain"};
  r = run_process_child(noexec);
  EXPECT_NE(r.error.find("not executable (mode 0644)"), std::string::npos) << r.error;

  // An ELF whose PT_INTERP names a loader that does not exist: a copy of
  // this (dynamic) test program with the loader's path bent.
  std::string copy = dir + "/foreign";
  std::filesystem::copy_file("/proc/self/exe", copy);
  std::string missing_loader = kElfInterpreter;
  missing_loader[1] = 'X';
  {
    std::fstream f(copy, std::ios::in | std::ios::out | std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(f)), {});
    auto pos = data.find(kElfInterpreter);
    ASSERT_NE(pos, std::string::npos);
    f.seekp(static_cast<std::streamoff>(pos + 1));
    f.write("X", 1);
  }
  auto noloader = busybox_spec({});
  noloader.process->args = {copy};
  r = run_process_child(noloader);
  EXPECT_NE(r.error.find("dynamic loader \"" + missing_loader + "\" does not exist"), std::string::npos) << r.error;
}

TEST(ProcessExecChild, WaitsForStartBeforeExec) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"echo", "ran"});
  process::ExecOptions opts;
  opts.wait_for_start = [] {
    [[maybe_unused]] auto n = ::write(1, "waited\n", 7);
    return -1;
  };
  auto r = run_process_child(s, opts);
  EXPECT_EQ(r.out, "waited\nran\n");
}

TEST(ProcessExecChild, RefusesToRunTheRuntimeBinary) {
  HULL_REQUIRE_ROOT();
  hull::test::TempDir tmp{"process"};
  const std::string& dir = tmp.path();
  std::string script = dir + "/evil.sh";
  std::ofstream(script) << "#!/proc/self/exe\n";
  ::chmod(script.c_str(), 0755);
  // (In a container /proc/1/exe is the init too; here pid 1 is the host's.)
  for (const std::string& entry : {script, std::string("/proc/self/exe")}) {
    auto s = busybox_spec({});
    s.process->args = {entry};
    auto r = run_process_child(s);
    EXPECT_NE(r.error.find("is the hull runtime binary itself"), std::string::npos) << entry << ": " << r.error;
    EXPECT_NE(r.error.find("CVE-2019-5736"), std::string::npos);
    EXPECT_FALSE(r.exited_ok());
  }
}

// The mount side of CVE-2019-5736: a binary run from a read-only mount keeps
// that mount as its exe, so reopening /proc/<pid>/exe for writing fails with
// EROFS; `hull features` reports it.
TEST(ProcessExecChild, ReadOnlyBinaryMountIsReportedAndCannotBeReopenedForWriting) {
  HULL_REQUIRE_ROOT();
  hull::test::TempDir tmp{"process"};
  const std::string& dir = tmp.path();
  std::string copy = dir + "/hull";
  std::filesystem::copy_file(HULL_BINARY, copy);
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
        ::mount(copy.c_str(), copy.c_str(), nullptr, MS_BIND, nullptr) < 0 ||
        ::mount(nullptr, copy.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) < 0)
      ::_exit(2);
    // What /proc/<pid>/exe of a copy started from here yields is an O_PATH
    // handle through this read-only mount; reopening it for writing: EROFS.
    int exe = ::open(copy.c_str(), O_PATH | O_CLOEXEC);
    int w = ::open(("/proc/self/fd/" + std::to_string(exe)).c_str(), O_WRONLY);
    std::string verdict = w < 0 && errno == EROFS ? "EROFS" : "WRITABLE";
    int sync[2];
    if (::pipe(sync) < 0) ::_exit(2);
    pid_t runner = ::fork();
    if (runner == 0) {
      ::close(sync[0]);
      ::dup2(sync[1], 1);
      ::execl(copy.c_str(), copy.c_str(), "features", nullptr);
      ::_exit(3);
    }
    ::close(sync[1]);
    std::string features = read_fd(sync[0], "features");
    ::waitpid(runner, nullptr, 0);
    std::string report = features + "\n" + verdict + "\n";
    [[maybe_unused]] auto n = ::write(1, report.data(), report.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string got = read_fd(out[0], "child");
  ::close(out[0]);
  int status;
  ::waitpid(pid, &status, 0);
  EXPECT_NE(got.find("\"io.github.hull.binary.readonly\": \"true\""), std::string::npos) << got;
  EXPECT_TRUE(got.ends_with("EROFS\n")) << got;
}
