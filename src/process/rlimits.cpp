#include "process/rlimits.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"
#include "base/text.hpp"

namespace hull::process {
namespace {

constexpr std::array<std::string_view, 16> kRlimitNames = {
    "RLIMIT_CPU",      "RLIMIT_FSIZE",  "RLIMIT_DATA",    "RLIMIT_STACK",  "RLIMIT_CORE",  "RLIMIT_RSS",
    "RLIMIT_NPROC",    "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",     "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE", "RLIMIT_NICE",   "RLIMIT_RTPRIO",  "RLIMIT_RTTIME",
};
static_assert(RLIMIT_CPU == 0 && RLIMIT_NOFILE == 7 && RLIMIT_AS == 9 && RLIMIT_RTTIME == 15 && RLIM_NLIMITS == 16);

}  // namespace

std::span<const std::string_view> known_rlimit_names() { return kRlimitNames; }

std::optional<int> rlimit_from_name(std::string_view name) {
  for (size_t i = 0; i < kRlimitNames.size(); ++i)
    if (kRlimitNames[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

namespace {

// Each entry's resource number, every name and pair checked first.
std::vector<int> checked_resources(const std::vector<spec::Rlimit>& rlimits) {
  std::vector<int> resources;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    auto r = rlimit_from_name(rlimits[i].type);
    if (!r) throw Error("process.rlimits[" + std::to_string(i) + "]: unknown rlimit type " + quote(rlimits[i].type));
    if (rlimits[i].soft > rlimits[i].hard)
      throw Error("process.rlimits[" + std::to_string(i) + "]: " + rlimits[i].type + " soft limit " +
                  std::to_string(rlimits[i].soft) + " is above the hard limit " + std::to_string(rlimits[i].hard));
    resources.push_back(*r);
  }
  return resources;
}

std::optional<uint64_t> nr_open_limit() {
  try {
    std::string text = procfs::read("sys/fs/nr_open");
    std::string_view rest = text;
    return whole_number<uint64_t>(next_word(rest));
  } catch (const Error&) {
    return std::nullopt;
  }
}

void set_rlimit(pid_t pid, const std::vector<spec::Rlimit>& rlimits, size_t i, int resource) {
  struct rlimit64 lim = {rlimits[i].soft, rlimits[i].hard};  // UINT64_MAX is RLIM64_INFINITY
  if (::prlimit64(pid, static_cast<__rlimit_resource>(resource), &lim, nullptr) == 0) return;
  int err = errno;
  std::string hint;
  // The kernel answers EPERM too for an open-files limit above fs.nr_open,
  // which no capability lifts.
  const std::optional<uint64_t> nr_open = resource == RLIMIT_NOFILE ? nr_open_limit() : std::nullopt;
  if (err == EPERM && nr_open && rlimits[i].hard > *nr_open) {
    hint = " (above the host's fs.nr_open, " + std::to_string(*nr_open) +
           ", which no capability lifts: lower it, or raise /proc/sys/fs/nr_open)";
  } else if (err == EPERM) {
    struct rlimit64 cur;
    if (::prlimit64(pid, static_cast<__rlimit_resource>(resource), nullptr, &cur) == 0)
      hint = " (the current hard limit is " + std::to_string(cur.rlim_max) +
             "; raising it needs CAP_SYS_RESOURCE in the runtime)";
  }
  throw_errno(err, "process.rlimits[" + std::to_string(i) + "]: set " + rlimits[i].type +
                       " soft=" + std::to_string(rlimits[i].soft) + " hard=" + std::to_string(rlimits[i].hard) + hint);
}

}  // namespace

void apply_rlimits(const std::vector<spec::Rlimit>& rlimits, RlimitsPart part, pid_t pid) {
  const std::vector<int> resources = checked_resources(rlimits);
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const bool nproc = resources[i] == RLIMIT_NPROC;
    if ((part == RlimitsPart::AllButNproc && nproc) || (part == RlimitsPart::NprocOnly && !nproc)) continue;
    set_rlimit(pid, rlimits, i, resources[i]);
  }
}

bool sets_nproc(const std::vector<spec::Rlimit>& rlimits) {
  return std::any_of(rlimits.begin(), rlimits.end(),
                     [](const spec::Rlimit& r) { return rlimit_from_name(r.type) == RLIMIT_NPROC; });
}

void raise_rlimits_of(pid_t pid, const std::vector<spec::Rlimit>& rlimits) {
  const std::vector<int> resources = checked_resources(rlimits);
  for (size_t i = 0; i < rlimits.size(); ++i) {
    struct rlimit64 cur;
    if (::prlimit64(pid, static_cast<__rlimit_resource>(resources[i]), nullptr, &cur) < 0)
      throw_errno("process.rlimits[" + std::to_string(i) + "]: read " + rlimits[i].type);
    if (rlimits[i].hard > cur.rlim_max) set_rlimit(pid, rlimits, i, resources[i]);
  }
}

namespace {

int current_oom_score_adj() {
  std::string text = procfs::read("self/oom_score_adj");
  return std::atoi(text.c_str());
}

void write_oom_score_adj(int value) {
  with_context("process.oomScoreAdj " + std::to_string(value), [&] {
    try {
      procfs::write("self/oom_score_adj", std::to_string(value));
    } catch (Error& e) {
      if ((e.code() == EACCES || e.code() == EPERM) && value < current_oom_score_adj())
        throw Error(e.message() + " (lowering it below the runtime's own value needs CAP_SYS_RESOURCE)", e.code());
      throw;
    }
  });
}

}  // namespace

void apply_oom_score_adj(int value) { write_oom_score_adj(value); }

namespace {

// Dumpable again for the one write, then not: nothing of a container can
// reach this process meanwhile (no clone yet, no namespace joined; or the
// clone made, in namespaces of its own).
void write_own_oom_score_adj(int value) {
  struct DumpableForAWrite {
    DumpableForAWrite() { ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0); }
    ~DumpableForAWrite() { ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
  } dumpable;
  write_oom_score_adj(value);
}

}  // namespace

LentOomScoreAdj::LentOomScoreAdj(int value) : own_(current_oom_score_adj()) {
  if (own_ == value) return;
  write_own_oom_score_adj(value);
  lent_ = true;
}

LentOomScoreAdj::~LentOomScoreAdj() {
  if (!lent_) return;
  // Raising it back is always allowed; lowering it back, only with the
  // CAP_SYS_RESOURCE the raise then set the floor with. Left as it is
  // otherwise: the runtime is about to exit or to wait for its container.
  try {
    write_own_oom_score_adj(own_);
  } catch (const Error&) {}
}

}  // namespace hull::process
