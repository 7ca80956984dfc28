// A writer sharing the rootfs swaps a mount's destination while the init
// sets it up. The init is held (hull_fault, HULL_FAULT_ACTION=hold) right
// after a new tmpfs is attached, where the attributes that need the mount
// itself (rrw, propagation, tmpcopyup, a read-only tmpfs) are still to come.
// runc 1.1 looks the destination up again there, so these tests are hull's.
//
// Built only in a -DHULL_FAULT_INJECTION=ON build, which defines HULL_FAULT_BINARY.
#ifdef HULL_FAULT_BINARY
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

// Opens the FIFO for writing once the held process has opened it for
// reading (bounded): it has reached its step. Gives up once `runner` (the
// hull that would get there) has exited.
UniqueFd open_when_held(const fs::path& fifo, pid_t runner) {
  for (int i = 0; i < 1500; ++i) {
    if (UniqueFd w(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)); w) return w;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(runner), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return UniqueFd();
}

class RootfsSwapRace : public HullTest {
 protected:
  // A bundle with a read-only bind of a host directory on /y and a tmpfs
  // with rrw on /x, whose program writes through /x and counts /x's
  // read-only mounts in its mountinfo (named as `x_entry`).
  Bundle& racing_bundle(const std::string& name, const std::string& x_entry,
                        const std::vector<std::string>& x_options = {"rrw"}) {
    Bundle& b = bundle(name);
    host_ = b.dir() / "host-dir";
    fs::create_directories(host());
    std::ofstream(host() / "file") << "original";
    fs::create_directories(b.rootfs() / "x");
    fs::create_directories(b.rootfs() / "y");
    b.config["mounts"].push_back(
        {{"destination", "/y"}, {"type", "bind"}, {"source", host().string()}, {"options", {"rbind", "ro"}}});
    b.config["mounts"].push_back(
        {{"destination", "/x"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", x_options}});
    b.args({"sh", "-c", "echo pwned > /x/file; grep -c ' " + x_entry + " ro,' /proc/self/mountinfo"});
    return b;
  }
  const fs::path& host() const { return host_; }
  // `hull_fault run`, held after /x's tmpfs is attached while `swap` runs.
  ProcResult run_swapping(Bundle& b, const std::function<void()>& swap) {
    const fs::path fifo = b.dir() / "hold";
    if (::mkfifo(fifo.c_str(), 0600) != 0) {
      ADD_FAILURE() << "mkfifo " << fifo << ": " << std::strerror(errno);
      return ProcResult{};
    }
    SpawnOptions bounded;
    bounded.timeout = milliseconds(20000);
    Child run = Child::spawn({"/usr/bin/env", "HULL_FAULT=rootfs-new-mount-attached", "HULL_FAULT_ACTION=hold",
                              "HULL_FAULT_HOLD=" + fifo.string(), HULL_FAULT_BINARY, "--root",
                              state_root().string(), "run", "--bundle", b.dir().string(), "swap"},
                             bounded);
    if (UniqueFd held = open_when_held(fifo, run.pid())) {
      swap();
    } else {
      ADD_FAILURE() << "the init never reached rootfs-new-mount-attached";
    }
    ProcResult r = finish_reaping_orphans(std::move(run));
    expect_nothing_left("swap");
    return r;
  }
  std::string host_file() {
    std::string content;
    std::getline(std::ifstream(host() / "file"), content);
    return content;
  }

 private:
  fs::path host_;
};

// /x renamed away and made a link to /y: the tmpfs, which went with the
// directory, gets its attributes; the program writing through /x meets the
// read-only bind.
TEST_F(RootfsSwapRace, ADestinationRenamedAwayKeepsItsTmpfsAndTheBindItNowLeadsToStaysReadOnly) {
  for (const std::vector<std::string>& options : {std::vector<std::string>{"rrw"}, {"rrw", "mpol=bind:0,0"}}) {
    Bundle& b = racing_bundle(options.size() == 1 ? "renamed" : "renamed-mpol", "/y", options);
    ProcResult r = run_swapping(b, [&] {
      fs::rename(b.rootfs() / "x", b.rootfs() / "x2");
      fs::create_directory_symlink("y", b.rootfs() / "x");
    });
    if (options.size() == 1) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out, "1\n") << r.err;
    } else if (r.exit_code == 0) {
      EXPECT_EQ(r.out, "1\n") << "the host bind is not read-only";
    } else {
      EXPECT_NE(r.err.find("the destination changed while mounting"), std::string::npos) << r.err;
    }
    EXPECT_EQ(host_file(), "original") << options.back();
  }
}

// /x removed (which detaches its tmpfs) and made a link to the bind's
// directory renamed "x (deleted)": what readlink of the removed directory
// says. Looked up again, /x led to the bind, whose mount point then read as
// the covered directory's path: rrw, meant for the tmpfs, made the host
// directory writable to the container. The attributes go on the mount made,
// through its fd: on a detached one, the kernel refuses them.
// Data that fsconfig cannot take as mount(2) does (here tmpfs's NUMA node
// list, "mpol=bind:0,0") is mounted on the destination and looked up again:
// a removed covered directory is refused as a changed destination.
TEST_F(RootfsSwapRace, ADestinationRemovedAndLinkedToABindNamedAsItsRemnantNeverGetsItsAttributes) {
  for (const std::vector<std::string>& options : {std::vector<std::string>{"rrw"}, {"rrw", "mpol=bind:0,0"}}) {
    Bundle& b = racing_bundle(options.size() == 1 ? "removed" : "removed-mpol", "/x\\040(deleted)", options);
    ProcResult r = run_swapping(b, [&] {
      fs::rename(b.rootfs() / "y", b.rootfs() / "x (deleted)");
      fs::remove(b.rootfs() / "x");
      fs::create_directory_symlink("x (deleted)", b.rootfs() / "x");
    });
    if (r.exit_code == 0) {
      EXPECT_EQ(r.out, "1\n") << "the host bind is not read-only";
    } else {
      // Refused for what the swap did: the detached tmpfs's attributes (the
      // kernel's EINVAL once it is unmounted), or the path looked up again.
      EXPECT_TRUE(r.err.find("mount_setattr") != std::string::npos ||
                  r.err.find("the destination changed while mounting") != std::string::npos)
          << r.err;
    }
    EXPECT_EQ(host_file(), "original") << options.back();
  }
}

}  // namespace
}  // namespace hull::itest
#endif  // HULL_FAULT_BINARY
