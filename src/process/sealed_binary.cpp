#include "process/sealed_binary.hpp"

#include <fcntl.h>
#include <link.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/prctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "base/error.hpp"
#include "base/executable_memfd.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "base/procfs.hpp"
#include "base/signal_mask.hpp"
#include "base/unique_fd.hpp"
#include "process/capabilities.hpp"
#include "process/self_protection.hpp"

namespace hull::process {
namespace {

// The second lower layer of the overlay (see the header): any directory that
// is neither above nor below the binary's (overlayfs refuses overlapping
// layers) and holds no file named like it. sysfs's /sys/fs qualifies on every
// host hull runs on; the init attaches the view there, beneath the old root
// it detaches (sealed_view_mount).
constexpr const char* kSecondLowerDir = "/sys/fs";

bool has_sys_admin() {
  try {
    return (held_capabilities().effective & (uint64_t{1} << CAP_SYS_ADMIN)) != 0;
  } catch (const Error&) {
    return false;
  }
}

// overlayfs's option syntax: ':' separates layers, '\' escapes.
std::string escape_layer(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

bool same_file(const struct stat& a, const struct stat& b) {
  // overlayfs reports its own st_dev; with xino off the inode number is the
  // lower file's. A binary replaced since we started (a package upgrade) is
  // a new inode, one changed in place (impossible while it runs: ETXTBSY)
  // would differ in size or mtime.
  return a.st_ino == b.st_ino && a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

// The overlay's mount fd, held until release_detached_mounts(): see there.
UniqueFd view_mount;

// The binary through a read-only overlay mounted nowhere, or nothing. On
// success the overlay's mount fd is left in view_mount.
UniqueFd overlay_view(const std::string& exe_path, const struct stat& exe) {
  size_t slash = exe_path.rfind('/');
  if (exe_path.empty() || exe_path[0] != '/' || slash == std::string::npos) return {};
  std::string dir = slash == 0 ? "/" : exe_path.substr(0, slash);
  std::string name = exe_path.substr(slash + 1);
  UniqueFd ctx(static_cast<int>(::syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC)));
  if (!ctx) return {};
  std::string lower = escape_layer(dir) + ":" + kSecondLowerDir;
  if (::syscall(SYS_fsconfig, ctx.get(), FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0) < 0) return {};
  // xino would only add dmesg noise when the layers are on different filesystems.
  ::syscall(SYS_fsconfig, ctx.get(), FSCONFIG_SET_STRING, "xino", "off", 0);
  if (::syscall(SYS_fsconfig, ctx.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) return {};
  UniqueFd mnt(static_cast<int>(
      ::syscall(SYS_fsmount, ctx.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID)));
  if (!mnt) return {};
  UniqueFd file(::openat(mnt.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!file || ::fstat(file.get(), &st) < 0 || !same_file(st, exe)) return {};
  view_mount = std::move(mnt);
  return file;
}

// A sealed memfd copy of the binary, or nothing.
UniqueFd memfd_view(int exe_fd, const struct stat& exe) {
  UniqueFd mem = executable_memfd("hull-sealed", MFD_ALLOW_SEALING);
  if (!mem) return {};
  off_t off = 0;
  while (off < exe.st_size) {
    ssize_t n = ::sendfile(mem.get(), exe_fd, &off, static_cast<size_t>(exe.st_size - off));
    if (n == 0) errno = EIO;  // the binary ended before its size
    if (n <= 0) return {};
  }
  if (::fchmod(mem.get(), 0555) < 0 ||
      ::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return {};
  return mem;
}

// A system call that touches no memory of ours but its arguments: between
// the copy of the writable segment and its move, libc (errno, the GOT of a
// dynamic build) must not be entered.
long raw_syscall6(long nr, long a, long b, long c, long d, long e, long f) {
#if defined(__x86_64__)
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
#else
#error "raw_syscall6: add this architecture's system call sequence"
#endif
}

bool raw_failed(long r) { return static_cast<unsigned long>(r) > static_cast<unsigned long>(-4096L); }

struct Segment {
  uintptr_t start, length;
  off_t offset;
  int prot;
  bool writable;
};

struct Image {
  std::vector<Segment> segments;
  uintptr_t relro_start = 0, relro_end = 0;
};

// The main program's PT_LOAD segments as the loader mapped them.
Image image_of_self() {
  Image img;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto& out = *static_cast<Image*>(data);
        const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& p = info->dlpi_phdr[i];
          uintptr_t begin = info->dlpi_addr + p.p_vaddr;
          if (p.p_type == PT_GNU_RELRO) {
            // As the loader protects it: whole pages only.
            out.relro_start = begin & ~(page - 1);
            out.relro_end = (begin + p.p_memsz) & ~(page - 1);
          }
          if (p.p_type != PT_LOAD || p.p_filesz == 0) continue;
          uintptr_t start = begin & ~(page - 1);
          uintptr_t end = (begin + p.p_filesz + page - 1) & ~(page - 1);
          int prot = ((p.p_flags & PF_R) ? PROT_READ : 0) | ((p.p_flags & PF_W) ? PROT_WRITE : 0) |
                     ((p.p_flags & PF_X) ? PROT_EXEC : 0);
          out.segments.push_back(
              {start, end - start, static_cast<off_t>(p.p_offset & ~(page - 1)), prot, (p.p_flags & PF_W) != 0});
        }
        return 1;  // the first object is the program itself
      },
      &img);
  return img;
}

// The writable segment becomes anonymous memory with the same bytes: a fresh
// mapping elsewhere takes a copy, then one mremap moves it over the live
// segment, which the kernel unmaps in the same step. Until that step the live
// segment is what the program uses, so the only rule is that nothing may
// write a global between the copy and the move (signals are blocked, and the
// move is a bare system call: no errno, no lazily bound GOT entry).
// Returns 0 or the move's errno. The copy is a plain loop, not memcpy: an
// intercepted or instrumented memcpy could itself write a global.
__attribute__((noinline, no_sanitize("address", "undefined"))) int move_copy_over(const Segment& s, void* fresh) {
  const auto* live = reinterpret_cast<const volatile uint64_t*>(s.start);
  auto* copy = static_cast<uint64_t*>(fresh);
  for (size_t i = 0; i < s.length / sizeof(uint64_t); ++i) copy[i] = live[i];
  long r = raw_syscall6(SYS_mremap, reinterpret_cast<long>(fresh), static_cast<long>(s.length),
                        static_cast<long>(s.length), MREMAP_MAYMOVE | MREMAP_FIXED, static_cast<long>(s.start), 0);
  return raw_failed(r) ? static_cast<int>(-r) : 0;
}

void remap_onto(const Image& img, int fd) {
  for (const Segment& s : img.segments) {
    if (s.writable) continue;
    // Same bytes, same place: code keeps running across the switch.
    if (::mmap(reinterpret_cast<void*>(s.start), s.length, s.prot, MAP_PRIVATE | MAP_FIXED, fd, s.offset) == MAP_FAILED)
      throw_errno("map the sealed binary");
  }
  for (const Segment& s : img.segments) {
    if (!s.writable) continue;
    // Populated at once: a fault per page of the copy costs more.
    void* fresh = ::mmap(nullptr, s.length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (fresh == MAP_FAILED) throw_errno("map anonymous memory for the writable segment");
    if (int err = move_copy_over(s, fresh); err != 0) {
      // Nothing moved: the live segment is as it was.
      ::munmap(fresh, s.length);
      throw Error("move the writable segment's copy into place", err);
    }
    // The moved mapping is writable throughout; the loader had made the
    // relocated data read-only again, and so must we.
    bool relro = img.relro_end > img.relro_start && img.relro_start < s.start + s.length && img.relro_end > s.start;
    if (relro && ::mprotect(reinterpret_cast<void*>(img.relro_start), img.relro_end - img.relro_start, PROT_READ) < 0)
      throw_errno("protect the relocated data");
  }
}

// The memory layout PR_SET_MM_MAP takes, as the kernel reports it in
// /proc/self/stat (fields 26-28 and 45-51); brk and exe_fd are left for
// point_exe_link_at (the brk moves). A clone shares the layout with its
// parent, so the parent can read it for the child while the child starts.
// self: this process's procfs directory.
prctl_mm_map memory_layout_of(int self) {
  UniqueFd file = procfs::open_at(self, "stat", O_RDONLY);
  const std::string stat = read_fd(file.get(), "/proc/self/stat");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) throw Error("/proc/self/stat: unexpected format");
  // Fields are 1-based; 1 and 2 are pid and comm, and the scan starts at 3.
  // Field 3 is a letter and a few may be negative: those are not used.
  uint64_t field[52] = {};
  const char* p = stat.c_str() + paren + 1;
  int n = 3;
  for (; n < 52 && *p != '\0'; ++n) {
    while (*p == ' ') ++p;
    char* end = nullptr;
    field[n] = std::strtoull(p, &end, 10);
    p = end;
    while (*p != ' ' && *p != '\0') ++p;  // what strtoull left of a non-number
  }
  if (n < 52) throw Error("/proc/self/stat: too few fields for the memory layout");
  prctl_mm_map map{};
  map.start_code = field[26];
  map.end_code = field[27];
  map.start_stack = field[28];
  map.start_data = field[45];
  map.end_data = field[46];
  map.start_brk = field[47];
  map.arg_start = field[48];
  map.arg_end = field[49];
  map.env_start = field[50];
  map.env_end = field[51];
  return map;
}

// /proc/self/exe -> fd: the kernel accepts the change only now that no
// mapping of the old file is left. PR_SET_MM_MAP (CAP_SYS_ADMIN) takes the
// memory layout as it is.
void point_exe_link_at(int fd, prctl_mm_map map) {
  map.brk = static_cast<uint64_t>(::syscall(SYS_brk, 0));
  map.exe_fd = static_cast<uint32_t>(fd);
  if (::prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0) < 0) throw_errno("prctl(PR_SET_MM_MAP) exe_fd");
}

// Blocks every signal for its lifetime: a handler that ran between the copy
// of the writable segment and its move would write into memory about to be
// dropped.
class SignalsBlocked {
 public:
  SignalsBlocked() { change_signal_mask(SIG_SETMASK, kEverySignal, &old_); }
  ~SignalsBlocked() { change_signal_mask(SIG_SETMASK, old_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  SignalMask old_ = 0;
};

struct View {
  SealedView how;
  UniqueFd file;  // the binary through the view; empty when no switch is needed
  UniqueFd self;  // our procfs directory, open along with file
};

// The checks and the view, without the switch.
View make_view() {
  if (runtime_binary_on_readonly_mount()) return {SealedView::ReadOnlyMount, {}, {}};
  if (!has_sys_admin()) return {SealedView::Unprivileged, {}, {}};
  UniqueFd self = procfs::open("self", O_PATH | O_DIRECTORY);
  UniqueFd exe = procfs::open_link_target_at(self.get(), "exe", O_RDONLY);
  struct stat st {};
  if (::fstat(exe.get(), &st) < 0) throw_errno("stat the runtime binary");
  std::string path(4096, '\0');
  ssize_t n = ::readlinkat(self.get(), "exe", path.data(), path.size());
  path.resize(n > 0 ? static_cast<size_t>(n) : 0);

  View v{SealedView::Overlay, overlay_view(path, st), std::move(self)};
  if (!v.file) {
    v.how = SealedView::Memfd;
    v.file = memfd_view(exe.get(), st);
  }
  if (!v.file) {
    const int err = errno;  // the copy's failing step's (out of fds, of memory)
    throw Error("no overlayfs view and no sealed memfd copy could be made of " + quote(path), err);
  }
  return v;
}

// The switch itself: code, data, then the exe link.
void switch_to(int file, const prctl_mm_map& layout) {
  Image img = image_of_self();
  if (img.segments.empty()) throw Error("the program's segments are not known (dl_iterate_phdr)");
  SignalsBlocked blocked;
  remap_onto(img, file);
  point_exe_link_at(file, layout);
}

SealedView seal() {
  View v = make_view();
  if (v.file) switch_to(v.file.get(), memory_layout_of(v.self.get()));
  return v.how;
}

// What a parent hands a child (sealed_view_for_child): how, and the layout
// the child shares. Both ends are this binary, so the bytes are the struct.
struct Offer {
  SealedView how;
  prctl_mm_map layout;
};

// This process's switch, once: it cannot be undone, and children inherit it.
std::optional<SealedView> done;

}  // namespace

SealedView run_from_sealed_binary() {
  if (done) return *done;
  done = with_context("seal the runtime binary", [] { return seal(); });
  log::debug([] { return "runtime binary: running from " + to_string(*done); });
  return *done;
}

SealedViewForChild sealed_view_for_child() {
  return with_context("seal the runtime binary", [] {
    View v = make_view();
    Offer offer{v.how, v.file ? memory_layout_of(v.self.get()) : prctl_mm_map{}};
    log::debug([&] { return "runtime binary: the init runs from " + to_string(v.how); });
    return SealedViewForChild{std::string(reinterpret_cast<const char*>(&offer), sizeof offer), std::move(v.file),
                              view_mount.get()};
  });
}

void run_from_parents_sealed_view(std::string_view offer_bytes, UniqueFd file, UniqueFd mount) {
  done = with_context("seal the runtime binary", [&] {
    Offer offer{};
    if (offer_bytes.size() != sizeof offer) throw Error("the sealed view's description has the wrong size");
    std::memcpy(&offer, offer_bytes.data(), sizeof offer);
    const bool switches = offer.how == SealedView::Overlay || offer.how == SealedView::Memfd;
    if (switches && !file) throw Error("the sealed view came without its file");
    if (switches) switch_to(file.get(), offer.layout);
    if (offer.how == SealedView::Overlay) view_mount = std::move(mount);
    return offer.how;
  });
}

rootfs::PassengerMount sealed_view_mount() { return {view_mount.get(), kSecondLowerDir + 1}; }

void release_detached_mounts() {
  procfs::close_shared_root();
  view_mount.reset();
}

void release_view_sent_to_child() { view_mount.reset(); }

int detached_mount_record() { return view_mount.get(); }

void restore_detached_mount_record(int fd) {
  (void)view_mount.release();  // the child's number: not ours to close
  view_mount = UniqueFd(fd);
}

std::string to_string(SealedView v) {
  switch (v) {
    case SealedView::Overlay: return "a read-only overlayfs view";
    case SealedView::Memfd: return "a sealed memfd copy";
    case SealedView::ReadOnlyMount: return "a read-only mount";
    case SealedView::Unprivileged: return "the binary as started (no CAP_SYS_ADMIN to seal it)";
  }
  return "?";
}

namespace {
std::string identity_of(const struct stat& st) {
  return std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
         std::to_string(static_cast<unsigned long long>(st.st_ino));
}
}  // namespace

std::string own_binary_identity() {
  UniqueFd exe = procfs::open_link_target("self/exe", O_PATH | O_CLOEXEC);
  struct stat st {};
  if (::fstat(exe.get(), &st) < 0) throw_errno("stat /proc/self/exe");
  return identity_of(st);
}

bool runs_binary(pid_t pid, std::string_view identity) {
  UniqueFd exe;
  try {
    exe = procfs::open_link_target(std::to_string(pid) + "/exe", O_PATH | O_CLOEXEC);
  } catch (const Error& e) {
    if (e.code() == ENOENT || e.code() == ESRCH) return false;  // gone, or a zombie: it runs nothing
    throw;
  }
  struct stat st {};
  if (::fstat(exe.get(), &st) < 0) throw_errno("stat /proc/" + std::to_string(pid) + "/exe");
  return identity_of(st) == identity;
}

}  // namespace hull::process
