#include "runtime/exec_process_builder.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "base/warn.hpp"
#include "process/capabilities.hpp"

namespace hull {

namespace {

constexpr uint64_t kMaxId = spec::kMaxUserId;

uint32_t parse_id(std::string_view s, std::string_view flag, std::string_view whole, const char* what) {
  auto bad = [&](const std::string& why) {
    return Error(std::string(flag) + " " + quote(whole) + ": " + what + " " + why);
  };
  if (s.empty()) throw bad("is empty");
  if (s.starts_with('-')) throw bad(quote(s) + " is negative (ids are 0 to " + std::to_string(kMaxId) + ")");
  // A sign, as Go's strconv.Atoi (runc's reader) takes it: "+5" is 5.
  std::string_view digits = s.starts_with('+') ? s.substr(1) : s;
  if (digits.empty()) throw bad(quote(s) + " is not a decimal number");
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') throw bad(quote(s) + " is not a decimal number");
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > kMaxId) throw bad(quote(s) + " is out of range (at most " + std::to_string(kMaxId) + ")");
  }
  return static_cast<uint32_t>(v);
}

bool contains(const std::optional<std::vector<std::string>>& set, const std::string& cap) {
  return set && std::find(set->begin(), set->end(), cap) != set->end();
}

void add_unique(std::optional<std::vector<std::string>>& set, const std::string& cap) {
  if (!set) set.emplace();
  if (!contains(set, cap)) set->push_back(cap);
}

// -e KEY=VALUE replaces the container's KEY in place or appends it, as runc's
// environment ends up: a duplicate KEY in execve's environment would leave
// getenv() (which takes the first) with the container's value. Every entry
// of KEY takes it, where the container's environment has KEY more than once
// (whose last one the process would otherwise get).
void set_env(std::vector<std::string>& env, const std::string& assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw Error("--env " + quote(assignment) + ": not KEY=VALUE");
  std::string_view key(assignment.data(), eq + 1);
  bool found = false;
  for (auto& e : env) {
    if (e.starts_with(key)) {
      e = assignment;
      found = true;
    }
  }
  if (!found) env.push_back(assignment);
}

}  // namespace

ExecUser parse_exec_user(std::string_view s) {
  ExecUser u;
  size_t colon = s.find(':');
  u.uid = parse_id(s.substr(0, colon), "--user", s, "uid");
  if (colon != std::string_view::npos) u.gid = parse_id(s.substr(colon + 1), "--user", s, "gid");
  return u;
}

spec::Process build_exec_process(const spec::Process& base, const ExecOptions& o) {
  spec::Process p = base;
  if (o.args.empty()) throw Error("no command given to run");
  p.args = o.args;
  p.commandLine.reset();
  p.terminal = o.tty;
  for (const auto& e : o.env) set_env(p.env, e);
  if (!o.cwd.empty()) {
    if (o.cwd[0] != '/') throw Error("--cwd " + quote(o.cwd) + ": must be an absolute path");
    p.cwd = o.cwd;
  }
  if (!o.user.empty()) {
    ExecUser u = parse_exec_user(o.user);
    p.user.uid = u.uid;
    if (u.gid) p.user.gid = *u.gid;
  }
  // Added to the container's groups, as runc does.
  for (const auto& g : o.additional_gids) p.user.additionalGids.push_back(parse_id(g, "--additional-gids", g, "gid"));
  if (!o.process_label.empty()) p.selinuxLabel = o.process_label;
  if (!o.apparmor.empty()) p.apparmorProfile = o.apparmor;
  if (o.no_new_privs) p.noNewPrivileges = *o.no_new_privs;
  if (!o.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    // Never inheritable (CVE-2022-29162): file capabilities of a program the
    // process executes must not pick an added capability up. Ambient only
    // where the process has it inheritable already: raising an ambient
    // capability needs it in inheritable, so adding it anywhere else only
    // makes every `--cap` print a warning (as root the bounding set alone
    // gives it after execve; runc's non-root processes do not get it either).
    for (const auto& cap : o.caps) {
      // Said once, of the flag: left in, it would be warned of once per set.
      if (!process::capability_from_name(cap)) {
        warn("--cap: unknown capability " + quote(cap) + " ignored");
        continue;
      }
      add_unique(p.capabilities->bounding, cap);
      add_unique(p.capabilities->effective, cap);
      add_unique(p.capabilities->permitted, cap);
      if (contains(p.capabilities->inheritable, cap)) add_unique(p.capabilities->ambient, cap);
    }
  }
  return p;
}

spec::Process exec_process_from_file(const spec::Process& container, spec::Process p) {
  // What the file leaves out comes from the container's process, as in runc
  // (its exec's init config starts from the container's): an exec must not
  // run with no capabilities, no limits, or the caller's oom_score_adj (a
  // shim's is often far below the container's, so the exec process would
  // outlive the container under memory pressure).
  if (!p.capabilities) p.capabilities = container.capabilities;
  if (p.rlimits.empty()) p.rlimits = container.rlimits;
  if (!p.oomScoreAdj) p.oomScoreAdj = container.oomScoreAdj;
  // runc 1.2's exec takes these from the container too.
  if (!p.scheduler) p.scheduler = container.scheduler;
  if (!p.ioPriority) p.ioPriority = container.ioPriority;
  if (!p.execCPUAffinity) p.execCPUAffinity = container.execCPUAffinity;
  if (!p.user.umask) p.user.umask = container.user.umask;
  // An empty label is no label, as runc reads it: the container's applies
  // (not the runtime's own, which is usually unconfined).
  if (!p.apparmorProfile || p.apparmorProfile->empty()) p.apparmorProfile = container.apparmorProfile;
  if (!p.selinuxLabel || p.selinuxLabel->empty()) p.selinuxLabel = container.selinuxLabel;
  return p;
}

}  // namespace hull
