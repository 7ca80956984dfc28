// seccomp/program_cache: compiled programs kept in a directory between
// commands, used only for exactly the profile they were compiled from.
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/warn.hpp"
#include "seccomp/program_cache.hpp"
#include "support/forked_child.hpp"
#include "support/temp_dir.hpp"

namespace hull::seccomp {
namespace {

namespace fs = std::filesystem;

// getppid fails with `err`; everything else is allowed.
spec::Seccomp getppid_fails_with(uint32_t err) {
  spec::Seccomp s;
  s.defaultAction = "SCMP_ACT_ALLOW";
  s.syscalls = {{{"getppid"}, "SCMP_ACT_ERRNO", err, {}}};
  return s;
}

// What getppid returns as errno under `p`, loaded in a forked child; -1 when
// it succeeds, -2 when the program could not be loaded.
int getppid_errno_under(const Program& p) {
  auto r = test::run_forked_output([&] {
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    try {
      load(p);
    } catch (...) {
      return std::string("-2");
    }
    return std::to_string(::syscall(SYS_getppid) < 0 ? errno : -1);
  });
  return r.exited_ok() ? std::stoi(r.output) : -3;
}

std::vector<char> bytes_of(const Program& p) {
  const char* b = reinterpret_cast<const char*>(p.instructions.data());
  return {b, b + p.instructions.size() * sizeof(struct sock_filter)};
}

class ProgramCache : public ::testing::Test {
 protected:
  test::TempDir tmp_{"seccomp-cache"};
  std::string dir() const { return tmp_ / "~seccomp"; }
  CacheDir cache() const { return {UniqueFd(::open(tmp_.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)), "~seccomp"}; }
  std::string entry_of(const spec::Seccomp& s) const { return dir() + "/" + cache_entry_name(cache_key(s)); }
  std::set<std::string> entries() const {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir(), ec)) out.insert(e.path().filename());
    return out;
  }
};

TEST_F(ProgramCache, TheSecondCompileReadsWhatTheFirstStored) {
  const spec::Seccomp s = getppid_fails_with(38);
  CachedProgram first = compile_cached(s, cache());
  EXPECT_FALSE(first.from_cache);
  CachedProgram second = compile_cached(s, cache());
  EXPECT_TRUE(second.from_cache);
  const Program fresh = compile(s);
  EXPECT_EQ(bytes_of(second.program), bytes_of(fresh));
  EXPECT_EQ(second.program.flags, fresh.flags);
  EXPECT_EQ(second.program.notify, fresh.notify);
  EXPECT_EQ(entries(), (std::set<std::string>{cache_entry_name(cache_key(s))}));
  struct stat st {};
  ASSERT_EQ(::stat(dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(getppid_errno_under(second.program), 38);
}

// What carries the listener fd is part of the entry: a hit on a profile
// that hands sendmsg to the agent must not send the fd with sendmsg.
TEST_F(ProgramCache, AHitKeepsWhatCarriesTheListenerFd) {
  spec::Seccomp s = getppid_fails_with(38);
  s.listenerPath = "/run/agent.sock";
  s.syscalls.push_back({{"sendmsg"}, "SCMP_ACT_NOTIFY", {}, {}});
  ASSERT_FALSE(compile_cached(s, cache()).from_cache);
  CachedProgram hit = compile_cached(s, cache());
  EXPECT_TRUE(hit.from_cache);
  EXPECT_TRUE(hit.program.notify);
  EXPECT_EQ(hit.program.fd_send_call, SendCall::Sendmmsg);
}

TEST_F(ProgramCache, WarningsOfTheCompileAreGivenAgainOnAHit) {
  spec::Seccomp s = getppid_fails_with(38);
  s.syscalls[0].names.insert(s.syscalls[0].names.begin(), "no_such_syscall_hull");
  std::vector<std::string> got;
  WarnSink old = set_warn_sink([&](std::string_view m) { got.emplace_back(m); });
  CachedProgram first = compile_cached(s, cache());
  CachedProgram second = compile_cached(s, cache());
  set_warn_sink(old);
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(second.from_cache);
  const std::string w = "linux.seccomp.syscalls[0]: unknown syscall \"no_such_syscall_hull\" ignored";
  EXPECT_EQ(got, (std::vector<std::string>{w, w}));
}

TEST_F(ProgramCache, ADamagedEntryIsCompiledAgainAndRewritten) {
  const spec::Seccomp s = getppid_fails_with(38);
  compile_cached(s, cache());
  {
    // One bit of the program (its instructions end the file) flipped.
    std::fstream f(entry_of(s), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-5, std::ios::end);
    const char c = static_cast<char>(f.get());
    f.seekp(-5, std::ios::end);
    f.put(static_cast<char>(c ^ 1));
  }
  CachedProgram again = compile_cached(s, cache());
  EXPECT_FALSE(again.from_cache);
  EXPECT_EQ(getppid_errno_under(again.program), 38);
  EXPECT_TRUE(compile_cached(s, cache()).from_cache) << "the damaged entry was not rewritten";
}

TEST_F(ProgramCache, AnEntryOfAnotherProfileUnderTheNameIsNotUsed) {
  const spec::Seccomp strict = getppid_fails_with(38), other = getppid_fails_with(39);
  compile_cached(other, cache());
  fs::rename(entry_of(other), entry_of(strict));
  CachedProgram got = compile_cached(strict, cache());
  EXPECT_FALSE(got.from_cache);
  EXPECT_EQ(getppid_errno_under(got.program), 38);
}

TEST_F(ProgramCache, ASymlinkAtTheEntryIsNeitherFollowedNorWrittenThrough) {
  const spec::Seccomp s = getppid_fails_with(38);
  compile_cached(s, cache());
  const std::string elsewhere = tmp_ / "elsewhere";
  fs::rename(entry_of(s), elsewhere);
  fs::create_symlink(elsewhere, entry_of(s));
  const auto before = fs::file_size(elsewhere);
  CachedProgram got = compile_cached(s, cache());
  EXPECT_FALSE(got.from_cache);
  EXPECT_FALSE(fs::is_symlink(entry_of(s))) << "the entry was written through the link";
  EXPECT_EQ(fs::file_size(elsewhere), before);
  EXPECT_TRUE(compile_cached(s, cache()).from_cache);
}

TEST_F(ProgramCache, ADirectoryOthersMayWriteIsNotUsed) {
  const spec::Seccomp s = getppid_fails_with(38);
  compile_cached(s, cache());
  ASSERT_EQ(::chmod(dir().c_str(), 0777), 0);
  CachedProgram got = compile_cached(s, cache());
  EXPECT_FALSE(got.from_cache);
  EXPECT_EQ(getppid_errno_under(got.program), 38);
}

TEST_F(ProgramCache, AProfileThatDoesNotCompileLeavesNothing) {
  spec::Seccomp s = getppid_fails_with(38);
  s.syscalls[0].action = "SCMP_ACT_NO_SUCH_ACTION";
  EXPECT_THROW(compile_cached(s, cache()), Error);
  EXPECT_FALSE(fs::exists(dir()));
}

TEST_F(ProgramCache, WithoutADirectoryItCompiles) {
  CachedProgram got = compile_cached(getppid_fails_with(38), CacheDir{});
  EXPECT_FALSE(got.from_cache);
  EXPECT_EQ(getppid_errno_under(got.program), 38);
}

TEST_F(ProgramCache, AFullCacheStaysWithinItsBound) {
  fs::create_directories(dir());
  fs::permissions(dir(), fs::perms::owner_all, fs::perm_options::replace);
  for (size_t i = 0; i < kMaxCacheEntries; ++i) std::ofstream(dir() + "/old-" + std::to_string(i)) << "x";
  const spec::Seccomp s = getppid_fails_with(38);
  compile_cached(s, cache());
  EXPECT_EQ(entries().size(), kMaxCacheEntries);
  EXPECT_TRUE(entries().count(cache_entry_name(cache_key(s))));
  EXPECT_TRUE(compile_cached(s, cache()).from_cache);
}

TEST(ProgramCacheKey, EveryFieldCompileReadsChangesTheKey) {
  spec::Seccomp base = getppid_fails_with(38);
  base.syscalls[0].args = {{1, 2, 3, "SCMP_CMP_EQ"}};
  std::vector<spec::Seccomp> variants(14, base);
  variants[0].defaultAction = "SCMP_ACT_LOG";
  variants[1].defaultErrnoRet = 5;
  variants[2].architectures = {"SCMP_ARCH_X86"};
  variants[3].flags = {"SECCOMP_FILTER_FLAG_LOG"};
  variants[4].listenerPath = "/run/agent.sock";
  variants[5].listenerMetadata = "x";
  variants[6].syscalls[0].names = {"getpid"};
  variants[7].syscalls[0].action = "SCMP_ACT_KILL";
  variants[8].syscalls[0].errnoRet = 39;
  variants[9].syscalls[0].args[0].index = 2;
  variants[10].syscalls[0].args[0].value = 4;
  variants[11].syscalls[0].args[0].valueTwo = 5;
  variants[12].syscalls[0].args[0].op = "SCMP_CMP_NE";
  variants[13].flags = std::vector<std::string>{};  // [] is not absent (SPEC_ALLOW)
  std::set<std::string> keys{cache_key(base)};
  for (const auto& v : variants) EXPECT_TRUE(keys.insert(cache_key(v)).second) << "a variant kept the key";
  // Names split differently are another profile too.
  spec::Seccomp two = base, joined = base;
  two.syscalls[0].names = {"ab", "c"};
  joined.syscalls[0].names = {"a", "bc"};
  EXPECT_NE(cache_key(two), cache_key(joined));
}

}  // namespace
}  // namespace hull::seccomp
