// The Release hull binary keeps the code its hot commands run in one place
// (cmake/hot-text.ld): an executable section ahead of .text that holds,
// among the rest, the config parser, create's path, the init's pivot_root
// (traced past the seal and into the init) and malloc. Without it the
// kernel maps most of the 3 MB of text at every create (bench/rounds.md,
// "The hot path in one place"), which no functional test would notice.
#include <elf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Section {
  uint64_t addr = 0;
  uint64_t size = 0;
  uint64_t flags = 0;
};

class HullElf {
 public:
  explicit HullElf(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  bool valid() const {
    return bytes_.size() > sizeof(Elf64_Ehdr) && std::memcmp(bytes_.data(), ELFMAG, SELFMAG) == 0 &&
           bytes_[EI_CLASS] == ELFCLASS64;
  }
  bool has_interpreter() const {
    for (int i = 0; i < header().e_phnum; ++i)
      if (at<Elf64_Phdr>(header().e_phoff + static_cast<uint64_t>(i) * header().e_phentsize).p_type == PT_INTERP)
        return true;
    return false;
  }
  std::optional<Section> section(std::string_view name) const {
    for (int i = 0; i < header().e_shnum; ++i) {
      const auto& sh = shdr(i);
      if (section_name(sh) == name) return Section{sh.sh_addr, sh.sh_size, sh.sh_flags};
    }
    return std::nullopt;
  }
  // The address of the first function symbol whose name starts with prefix,
  // not counting the parts gcc splits off as never run (name.cold).
  std::optional<uint64_t> function(std::string_view prefix) const {
    std::vector<Function> all = functions(prefix);
    if (all.empty()) return std::nullopt;
    return all.front().addr;
  }
  // Every such function, with its size, in symbol table order.
  struct Function {
    std::string_view name;
    uint64_t addr = 0;
    uint64_t size = 0;
  };
  std::vector<Function> functions(std::string_view prefix) const {
    return functions_if([prefix](std::string_view name) { return name.starts_with(prefix); });
  }
  template <class Pred>
  std::vector<Function> functions_if(Pred wanted) const {
    std::vector<Function> out;
    for (int i = 0; i < header().e_shnum; ++i) {
      const auto& sh = shdr(i);
      if (sh.sh_type != SHT_SYMTAB) continue;
      const auto& strtab = shdr(static_cast<int>(sh.sh_link));
      for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
        const auto& sym = at<Elf64_Sym>(sh.sh_offset + off);
        if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC) continue;
        std::string_view name(bytes_.data() + strtab.sh_offset + sym.st_name);
        if (wanted(name) && !name.ends_with(".cold")) out.push_back({name, sym.st_value, sym.st_size});
      }
    }
    return out;
  }
  // Whether f calls target directly (E8 and a 32-bit displacement, as gcc
  // emits a call within the binary).
  bool calls(const Function& f, uint64_t target) const {
    std::string_view bytes = code(f);
    for (size_t i = 0; i + 5 <= bytes.size(); ++i) {
      if (static_cast<unsigned char>(bytes[i]) != 0xe8) continue;
      int32_t rel = 0;
      std::memcpy(&rel, bytes.data() + i + 1, sizeof rel);
      if (f.addr + i + 5 + static_cast<int64_t>(rel) == target) return true;
    }
    return false;
  }
  // The bytes of a function, from the section that holds it.
  std::string_view code(const Function& f) const {
    for (int i = 0; i < header().e_shnum; ++i) {
      const auto& sh = shdr(i);
      if (sh.sh_type == SHT_PROGBITS && f.addr >= sh.sh_addr && f.addr + f.size <= sh.sh_addr + sh.sh_size)
        return std::string_view(bytes_).substr(sh.sh_offset + (f.addr - sh.sh_addr), f.size);
    }
    return {};
  }

 private:
  template <class T>
  const T& at(uint64_t offset) const {
    return *reinterpret_cast<const T*>(bytes_.data() + offset);
  }
  const Elf64_Ehdr& header() const { return at<Elf64_Ehdr>(0); }
  const Elf64_Shdr& shdr(int i) const {
    return at<Elf64_Shdr>(header().e_shoff + static_cast<uint64_t>(i) * header().e_shentsize);
  }
  std::string_view section_name(const Elf64_Shdr& sh) const {
    return bytes_.data() + shdr(header().e_shstrndx).sh_offset + sh.sh_name;
  }

  std::string bytes_;
};

bool inside(const Section& s, uint64_t addr) { return addr >= s.addr && addr < s.addr + s.size; }

TEST(BinaryHotPath, TheHotCommandsCodeSitsInOneSectionAheadOfText) {
  HullElf elf(HULL_BINARY);
  ASSERT_TRUE(elf.valid()) << HULL_BINARY;
  if (elf.has_interpreter()) GTEST_SKIP() << "a dynamic hull (Debug or HULL_STATIC=OFF) is linked without the hot path";
  auto hot = elf.section(".text.hot_path");
  auto text = elf.section(".text");
  ASSERT_TRUE(hot && text) << "no .text.hot_path: the link did not use cmake/hot-text.ld";
  EXPECT_NE(hot->flags & SHF_EXECINSTR, 0u);
  EXPECT_LT(hot->addr, text->addr);
  // Hundreds of functions, not a stray few: the list matched this build.
  EXPECT_GT(hot->size, 256u * 1024);
  for (std::string_view fn : {"_ZN4hull4spec12parse_config", "_ZN4hull23create_to_start_barrier",
                              "_ZN4hull6rootfs10pivot_intoEi", "malloc"}) {
    auto addr = elf.function(fn);
    ASSERT_TRUE(addr) << fn;
    EXPECT_TRUE(inside(*hot, *addr)) << fn << " is not in the hot path";
  }
}

// Every hull command used to build std::cout, std::cin & co and the C++
// locale before main(): libstdc++ 12's <iostream>, which CLI11 includes,
// gives each file a static std::ios_base::Init. cli/cli11.hpp keeps it out
// (60 us of every command; bench/rounds.md, "Seventeenth round"). Checked on
// the machine code: no static initializer of the binary calls the Init
// constructor (a direct call, E8 and a 32-bit displacement, as gcc emits it).
TEST(BinaryStartup, NoStaticInitializerBuildsTheStandardStreams) {
  HullElf elf(HULL_BINARY);
  ASSERT_TRUE(elf.valid()) << HULL_BINARY;
  if (elf.has_interpreter()) GTEST_SKIP() << "a dynamic hull calls the Init constructor through its PLT";
  auto init = elf.function("_ZNSt8ios_base4InitC1Ev");
  ASSERT_TRUE(init) << "the binary has no std::ios_base::Init constructor (help and events construct the streams)";
  std::vector<HullElf::Function> initializers = elf.functions("_GLOBAL__sub_I_");
  ASSERT_FALSE(initializers.empty());
  for (const HullElf::Function& f : initializers) {
    ASSERT_EQ(elf.code(f).size(), f.size) << f.name;
    EXPECT_FALSE(elf.calls(f, *init)) << f.name << " constructs the standard streams";
  }
}

// CLI11 2.1.2 trims every option name with std::isspace(c, std::locale()),
// and the first std::locale() builds the classic C++ locale on every
// command; cli/cli11.hpp gives those calls ASCII tests instead (bench/rounds.md,
// "Eighteenth round"). Checked on the machine code: no function of CLI11's
// that trims, splits or lowers a name constructs an std::locale.
TEST(BinaryStartup, CliNameParsingBuildsNoLocale) {
  HullElf elf(HULL_BINARY);
  ASSERT_TRUE(elf.valid()) << HULL_BINARY;
  if (elf.has_interpreter()) GTEST_SKIP() << "a dynamic hull calls the locale constructor through its PLT";
  auto locale = elf.function("_ZNSt6localeC1Ev");
  ASSERT_TRUE(locale) << "the binary has no std::locale constructor (streams for help and events use it)";
  std::vector<HullElf::Function> name_tools = elf.functions_if([](std::string_view name) {
    for (std::string_view tool : {"N3CLI6detail5ltrim", "N3CLI6detail5rtrim", "N3CLI6detail4trim",
                                  "N3CLI6detail9trim_copy", "N3CLI6detail11split_names", "N3CLI6detail8to_lower",
                                  "N3CLI6detail7isalpha", "N3CLI6detail8split_up"})
      if (name.find(tool) != std::string_view::npos) return true;
    return false;
  });
  ASSERT_FALSE(name_tools.empty()) << "CLI11's name functions are all inlined: nothing left to check";
  for (const HullElf::Function& f : name_tools) {
    ASSERT_EQ(elf.code(f).size(), f.size) << f.name;
    EXPECT_FALSE(elf.calls(f, *locale)) << f.name << " constructs an std::locale";
  }
}

// glibc's start-up of a static program reads /proc/self/exe to expand
// $ORIGIN in a later dlopen's paths, the first lookup of the new process's
// /proc/<pid>/exe (8-15 us before main() on the development VM); hull never
// dlopens such a path and skips it (src/cli/static_start.cpp, bench/rounds.md,
// "Thirty-ninth round"). Checked on what the binary does: every system call
// of `hull --version`, traced with ptrace, and the paths its readlink calls
// name.
TEST(BinaryStartup, StartUpReadsNoLinkOfProcSelfExe) {
  HullElf elf(HULL_BINARY);
  ASSERT_TRUE(elf.valid()) << HULL_BINARY;
  if (elf.has_interpreter()) GTEST_SKIP() << "a dynamic hull's origin is ld.so's business";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::execl(HULL_BINARY, "hull", "--version", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  bool reaped = false;
  // An assertion that returns early leaves no traced child behind.
  struct Reaper {
    pid_t pid;
    const bool& reaped;
    ~Reaper() {
      if (reaped) return;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{pid, reaped};
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);  // stopped at its execve
  ASSERT_TRUE(WIFSTOPPED(status));
  ::ptrace(PTRACE_SETOPTIONS, pid, nullptr, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
  std::vector<std::string> links_read;
  int calls = 0;
  for (;;) {
    ASSERT_EQ(::ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr), 0);
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      reaped = true;
      break;
    }
    if (!WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80)) continue;
    // The call and its arguments without the architecture's register names.
    __ptrace_syscall_info info{};
    ASSERT_GT(::ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info), 0) << std::strerror(errno);
    if (info.op != PTRACE_SYSCALL_INFO_ENTRY) continue;
    ++calls;
    uint64_t path = 0;
#ifdef SYS_readlink
    if (info.entry.nr == SYS_readlink) path = info.entry.args[0];
#endif
    if (info.entry.nr == SYS_readlinkat) path = info.entry.args[1];
    if (path != 0) {
      char buf[256] = {};
      iovec local{buf, sizeof buf - 1}, remote{reinterpret_cast<void*>(path), sizeof buf - 1};
      ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
      links_read.emplace_back(buf);
    }
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "hull --version failed under the trace";
  EXPECT_GT(calls, 5) << "the trace saw no system calls: it cannot tell";
  for (const std::string& link : links_read) EXPECT_NE(link, "/proc/self/exe") << "read before or in --version";
}

}  // namespace
