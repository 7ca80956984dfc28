#include "process/exec.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"
#include "base/unique_fd.hpp"

namespace hull::process {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// What a file starts with, as far as execve cares.
struct Header {
  std::optional<std::string> shebang_interpreter;  // "#!<interp> ..." (kept verbatim, '\r' included)
  std::optional<std::string> elf_interpreter;      // PT_INTERP of a dynamic ELF
  bool elf = false;
  bool elf_foreign_machine = false;
  uint16_t elf_machine = 0;
};

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
#elif defined(__i386__)
constexpr uint16_t kHostMachine = EM_386;
#else
constexpr uint16_t kHostMachine = 0;  // unknown: no architecture check
#endif

// `head`: the file's first bytes, read already.
template <class Ehdr, class Phdr>
void read_elf(int fd, std::string_view head, Header& h) {
  Ehdr eh;
  if (head.size() < sizeof eh) return;
  std::memcpy(&eh, head.data(), sizeof eh);
  h.elf = true;
  h.elf_machine = eh.e_machine;
  // A 32-bit x86 binary on x86_64 is fine (compat), anything else foreign is not.
  h.elf_foreign_machine =
      kHostMachine != 0 && eh.e_machine != kHostMachine && !(kHostMachine == EM_X86_64 && eh.e_machine == EM_386);
  if (eh.e_phentsize != sizeof(Phdr) || eh.e_phnum > 256) return;
  // The program headers in one read (one pread each cost 13 syscalls for
  // busybox, twice per exec; issue #16).
  std::vector<Phdr> phdrs(eh.e_phnum);
  const auto table = static_cast<ssize_t>(phdrs.size() * sizeof(Phdr));
  if (::pread(fd, phdrs.data(), static_cast<size_t>(table), static_cast<off_t>(eh.e_phoff)) != table) return;
  for (const Phdr& ph : phdrs) {
    if (ph.p_type != PT_INTERP) continue;
    if (ph.p_filesz == 0 || ph.p_filesz > 4096) return;
    std::string interp(ph.p_filesz, '\0');
    if (::pread(fd, interp.data(), interp.size(), static_cast<off_t>(ph.p_offset)) !=
        static_cast<ssize_t>(interp.size()))
      return;
    interp.resize(std::strlen(interp.c_str()));
    h.elf_interpreter = interp;
    return;
  }
}

// nullopt when the file cannot be read (no read permission is legitimate for
// an executable; then the kernel's errno is all we have).
std::optional<Header> read_header(const std::string& path) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (raw < 0) return std::nullopt;
  UniqueFd fd(raw);
  char buf[256];  // BINPRM_BUF_SIZE: the kernel looks at no more of a #! line
  ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
  if (n < 0) return std::nullopt;
  Header h;
  std::string_view head(buf, static_cast<size_t>(n));
  if (head.starts_with("#!")) {
    head.remove_prefix(2);
    head = head.substr(0, head.find('\n'));
    size_t b = head.find_first_not_of(" \t");
    if (b == std::string_view::npos) {
      h.shebang_interpreter = "";
      return h;
    }
    head.remove_prefix(b);
    h.shebang_interpreter = std::string(head.substr(0, head.find_first_of(" \t")));
  } else if (head.size() >= EI_NIDENT && std::memcmp(buf, ELFMAG, SELFMAG) == 0) {
    if (buf[EI_CLASS] == ELFCLASS64)
      read_elf<Elf64_Ehdr, Elf64_Phdr>(fd.get(), head, h);
    else if (buf[EI_CLASS] == ELFCLASS32)
      read_elf<Elf32_Ehdr, Elf32_Phdr>(fd.get(), head, h);
  }
  return h;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::optional<std::string> explain_header(const Header& h, std::string_view where, int depth = 0);

// Why a file that exists still gives ENOENT/ENOEXEC/ELIBBAD: its interpreter.
// nullopt when nothing wrong is visible.
std::optional<std::string> explain_content(const std::string& path, std::string_view where, int depth = 0) {
  auto h = read_header(path);
  if (!h) return std::nullopt;
  return explain_header(*h, where, depth);
}

// The same, for a file whose header was read already.
std::optional<std::string> explain_header(const Header& h, std::string_view where, int depth) {
  if (h.shebang_interpreter) {
    const std::string& interp = *h.shebang_interpreter;
    if (interp.empty()) return "its #! line names no interpreter";
    if (interp.ends_with('\r')) {
      std::string bare = interp.substr(0, interp.size() - 1);
      return "its #! line ends with a carriage return, so the interpreter looked up is " + quote(interp) +
             ": the script has Windows (CRLF) line endings; convert it with dos2unix or sed -i 's/\\r$//'" +
             (exists(bare) ? "" : " (and " + quote(bare) + " does not exist either)");
    }
    if (!exists(interp)) return "its #! interpreter " + quote(interp) + " does not exist" + std::string(where);
    if (depth < 4) {
      if (auto why = explain_content(interp, where, depth + 1))
        return "its #! interpreter " + quote(interp) + ": " + *why;
    }
    return std::nullopt;
  }
  if (h.elf) {
    if (h.elf_foreign_machine)
      return "it is an ELF binary for another architecture (e_machine " + std::to_string(h.elf_machine) + ")";
    if (h.elf_interpreter && !exists(*h.elf_interpreter))
      return "its dynamic loader " + quote(*h.elf_interpreter) + " does not exist" + std::string(where) +
             " (a binary built for another distribution, libc or architecture, or a rootfs missing its libraries)";
  }
  return std::nullopt;
}

// As execve will judge it: the effective ids and capabilities. access(2)
// takes the real ids and, for a uid other than 0, no capability at all.
// Only EACCES is a "no": a refusal of the call itself (faccessat2 answered
// EPERM by the seccomp filter of an older Docker hull runs under, where
// runc runs) leaves the answer to execve.
bool may_execute(const std::string& path) {
  return ::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0 || errno != EACCES;
}

std::optional<std::string> explain_not_executable(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return std::nullopt;
  if (S_ISDIR(st.st_mode)) return std::string("it is a directory");
  if (!S_ISREG(st.st_mode)) return std::string("it is not a regular file");
  if ((st.st_mode & 0111) == 0) {
    return "it is not executable (mode " + mode_text(st.st_mode) + ")";
  }
  struct statvfs vfs;
  if (::statvfs(path.c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
    return std::string("it is on a filesystem mounted noexec");
  if (!may_execute(path)) return "the container user (uid " + std::to_string(::getuid()) + ") may not execute it";
  return std::nullopt;
}

// CVE-2024-21626 (attack 3a): args[0] = "/proc/self/fd/7/../../bin/sh" walks
// from a runtime fd that is still open (CLOEXEC only takes effect at the very
// execve that resolves the path) into the host's filesystem. Such a file lives
// on a mount that is not in our mount namespace; a binary of the container is
// always on one that is. Without /proc there are no magic links to abuse.
// The files of `passed_fds` the caller meant the container to have.
void check_inside_mount_namespace(const std::string& path, std::span<const int> passed_fds) {
  struct statx stx;
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID)) return;
  // Mount ids are unique on the host: a binary on the mount of our own "/"
  // (the usual case: the rootfs) is inside, and mountinfo need not be read.
  struct statx root;
  const bool root_known = ::statx(AT_FDCWD, "/", 0, STATX_MNT_ID, &root) == 0 && (root.stx_mask & STATX_MNT_ID);
  if (root_known && stx.stx_mnt_id == root.stx_mnt_id) return;
  UniqueFd mi;
  try {
    mi = procfs::open("self/mountinfo", O_RDONLY);
  } catch (const Error&) {
    return;  // no procfs at all: no magic links to abuse either
  }
  std::string table = read_fd(mi.get(), "/proc/self/mountinfo");
  auto listed = [&](uint64_t mnt_id) {
    std::string id = std::to_string(mnt_id);
    for (size_t pos = 0; pos < table.size();) {
      size_t end = table.find('\n', pos);
      if (end == std::string::npos) end = table.size();
      std::string_view line(table.data() + pos, end - pos);
      if (line.substr(0, line.find(' ')) == id) return true;
      pos = end + 1;
    }
    return false;
  };
  if (listed(stx.stx_mnt_id)) return;
  // A container without a mount namespace of its own is only chrooted into
  // a directory of the caller's mounts: mountinfo leaves out the mount its
  // "/" is on, and cannot tell inside from outside.
  if (root_known && !listed(root.stx_mnt_id)) return;
  struct stat binary, passed;
  if (::stat(path.c_str(), &binary) == 0)
    for (int fd : passed_fds)
      if (::fstat(fd, &passed) == 0 && passed.st_dev == binary.st_dev && passed.st_ino == binary.st_ino) return;
  throw Error(
      "exec " + quote(path) +
      ": the binary is on a mount outside the container (through a leaked fd?); refusing to run it (CVE-2024-21626)");
}

// CVE-2019-5736: a container whose entrypoint is "#!/proc/self/exe" (or
// /proc/self/exe, /proc/1/exe, or an ELF whose PT_INTERP is one of those)
// makes the init execve the runtime's own binary as a container process. That
// process is dumpable again, so the container can open /proc/<pid>/exe, keep
// the O_PATH fd, and reopen it for writing once the process is gone: the
// host's binary, overwritten. Whatever chain of interpreters execve would
// follow must not end at our inode. (The attack needs the race between this
// check and execve otherwise; see the report for the mount-side protection.)
// `known`: path's header when the caller read it already.
void check_not_runtime_binary(const std::string& path, const struct stat& self, int depth = 0,
                              const std::optional<Header>* known = nullptr) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino)
    throw Error(
        quote(path) + " is the hull runtime binary itself; refusing to run it inside the container (CVE-2019-5736)",
        EPERM);
  if (depth >= 4) return;
  std::optional<Header> read;
  if (!known) read = read_header(path);
  const std::optional<Header>& h = known ? *known : read;
  if (!h) return;
  if (h->shebang_interpreter && !h->shebang_interpreter->empty())
    check_not_runtime_binary(*h->shebang_interpreter, self, depth + 1);
  if (h->elf_interpreter) check_not_runtime_binary(*h->elf_interpreter, self, depth + 1);
}

}  // namespace

std::string path_from_env(const std::vector<std::string>& env) {
  // The last assignment wins, as with getenv over an environment built by appending.
  std::optional<std::string> path;
  for (const auto& e : env)
    if (e.starts_with("PATH=")) path = e.substr(5);
  return path.value_or(kDefaultPath);
}

std::string find_executable(const std::string& file, const std::vector<std::string>& env) {
  if (file.empty()) throw Error("process.args[0] is empty");
  if (file.find('/') != std::string::npos) {
    struct stat st;
    if (::stat(file.c_str(), &st) == 0) return file;
    // Engines map "permission denied" to exit status 126 and "no such file"
    // to 127 (Docker, podman): a directory the user cannot search is the first.
    if (errno == EACCES)
      throw Error("exec " + quote(file) + ": permission denied: a directory on its path is not searchable by uid " +
                      std::to_string(::getuid()),
                  EACCES);
    throw Error("exec " + quote(file) + ": no such file in the container", ENOENT);
  }
  std::string path = path_from_env(env);
  std::optional<std::string> denied;
  for (size_t pos = 0;;) {
    size_t end = path.find(':', pos);
    std::string dir = path.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + file;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (may_execute(candidate)) return candidate;
      if (!denied) denied = candidate;
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  if (denied) {
    auto why = explain_not_executable(*denied);
    throw Error(
        "exec " + quote(file) + ": found " + quote(*denied) + " in $PATH but " + why.value_or("it cannot be executed"),
        EACCES);
  }
  throw Error("exec " + quote(file) + ": executable file not found in $PATH (PATH=" + path + ")", ENOENT);
}

std::optional<struct stat> runtime_binary_stat() {
  struct stat self;
  try {
    UniqueFd exe = procfs::open_link_target("self/exe", O_PATH);
    if (::fstat(exe.get(), &self) == 0) return self;
  } catch (const Error&) {}
  return std::nullopt;
}

void check_executable(const std::string& path, std::span<const int> passed_fds, const struct stat* runtime) {
  const std::optional<struct stat> self = runtime ? std::optional<struct stat>(*runtime) : runtime_binary_stat();
  // One read of the file's first bytes serves both the runtime-binary check
  // and the explanation of a missing interpreter (it was read twice).
  const std::optional<Header> header = read_header(path);
  if (self) with_context("exec " + quote(path), [&] { check_not_runtime_binary(path, *self, 0, &header); });
  check_inside_mount_namespace(path, passed_fds);
  if (auto why = explain_not_executable(path)) throw Error("exec " + quote(path) + ": " + *why, EACCES);
  if (auto why = header ? explain_header(*header, " in the container") : std::nullopt)
    throw Error("exec " + quote(path) + ": " + *why, ENOENT);
}

std::string explain_exec_failure(const std::string& path, int err, std::string_view where) {
  std::string head = "exec " + quote(path) + ": ";
  // A hook (no `where`) is charged to the cgroup it runs in, not always the
  // container's.
  const char* limit = where.empty() ? "its memory cgroup's limit reached?" : "the container's memory limit reached?";
  switch (err) {
    case ENOENT:
    case ELIBBAD:
    case ENOEXEC: {
      if (!exists(path)) return head + "no such file" + std::string(where);
      if (auto why = explain_content(path, where)) return head + *why;
      if (err == ENOEXEC) return head + "neither an ELF binary for this machine nor a script starting with #!";
      return head + "the file exists but the kernel reports it missing: its interpreter or dynamic loader is absent";
    }
    case EACCES:
    case EPERM:
      if (auto why = explain_not_executable(path)) return head + *why;
      return head + (err == EPERM ? "not permitted (a security module or seccomp denied it?)" : "permission denied");
    case ETXTBSY: return head + "the file is open for writing by some process";
    // The kernel answers E2BIG too when it cannot charge the strings' pages
    // to the memory cgroup: the size alone does not tell (exec_program adds it).
    case E2BIG:
      return head +
             "the arguments and environment are more than the kernel takes (a quarter of the stack rlimit, 128 KiB "
             "in one string), or their pages could not be charged (" +
             limit + ")";
    case ENOMEM: return head + "out of memory (" + limit + ")";
    default: return head + "execve failed";
  }
}

void exec_program(const std::string& path, const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<char*> argv, envp;
  argv.reserve(args.size() + 1);
  envp.reserve(env.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  ::execve(path.c_str(), argv.data(), envp.data());
  int err = errno;
  std::string why = explain_exec_failure(path, err);
  if (err == E2BIG) {
    size_t bytes = 0;
    for (const auto& a : args) bytes += a.size() + 1;
    for (const auto& e : env) bytes += e.size() + 1;
    why += ": " + std::to_string(bytes) + " bytes";
  }
  throw Error(why, err);
}

}  // namespace hull::process
