// .process → spec::Process.
#include "base/error.hpp"
#include "spec/parse.hpp"

namespace hull::spec::detail {
namespace {

ConsoleSize parse_console_size(const Node& n) {
  ConsoleSize c;
  required_field(n, "height", c.height, &Node::u64);
  required_field(n, "width", c.width, &Node::u64);
  return c;
}

User parse_user(const Node& n) {
  User u;
  optional_field(n, "uid", u.uid, &Node::u32);
  optional_field(n, "gid", u.gid, &Node::u32);
  optional_field(n, "umask", u.umask, &Node::u32);
  if (auto g = n.get("additionalGids")) u.additionalGids = g->list([](const Node& e) { return e.u32(); });
  optional_field(n, "username", u.username, &Node::string);
  return u;
}

Capabilities parse_capabilities(const Node& n) {
  // Names are checked by the capability module: the spec asks for a warning,
  // not an error, for capabilities the kernel does not know.
  Capabilities c;
  optional_field(n, "bounding", c.bounding, &Node::strings);
  optional_field(n, "effective", c.effective, &Node::strings);
  optional_field(n, "permitted", c.permitted, &Node::strings);
  optional_field(n, "inheritable", c.inheritable, &Node::strings);
  optional_field(n, "ambient", c.ambient, &Node::strings);
  return c;
}

Rlimit parse_rlimit(const Node& n) {
  Rlimit r;
  // The resources of getrlimit(2) on Linux; the spec makes any other name an error.
  required_field(n, "type", r.type, [](const Node& t) {
    return t.one_of({"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
                     "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
                     "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"},
                    "rlimit");
  });
  required_field(n, "soft", r.soft, &Node::u64);
  required_field(n, "hard", r.hard, &Node::u64);
  return r;
}

IOPriority parse_io_priority(const Node& n) {
  IOPriority p;
  required_field(n, "class", p.class_, [](const Node& c) {
    return c.one_of({"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"}, "I/O priority class");
  });
  // ioprio_set(2) knows levels 0 (highest) to 7 (lowest) in every class.
  if (auto l = n.get("priority")) p.priority = l->integer_in<int32_t>(0, 7);
  return p;
}

// What sched_setattr(2) refuses whatever the host, checked before anything
// is made (the init applies it after the namespaces, cgroups and the first
// hooks), unless a KEEP flag leaves the kernel to judge (KEEP_PARAMS where
// the thread already runs a realtime or deadline policy). Deadline periods
// also meet tunable limits (/proc/sys/kernel/sched_deadline_period_*_us),
// left to the kernel.
void check_scheduler_params(const Node& n, const Scheduler& s) {
  if (s.keeps_threads_own()) return;
  const auto at = [&](const char* field) { return n.get(field).value_or(n); };
  const bool realtime = s.policy == "SCHED_FIFO" || s.policy == "SCHED_RR";
  const int32_t priority = s.priority.value_or(0);
  if (realtime && (priority < 1 || priority > 99)) at("priority").fail(s.policy + " takes a priority from 1 to 99");
  if (!realtime && priority != 0) at("priority").fail(s.policy + " takes no priority (0)");
  if (s.policy != "SCHED_DEADLINE") return;
  const uint64_t runtime = s.runtime.value_or(0), deadline = s.deadline.value_or(0), period = s.period.value_or(0);
  constexpr uint64_t kTopBit = uint64_t{1} << 63;
  if (deadline == 0) at("deadline").fail("SCHED_DEADLINE needs a deadline above 0 (nanoseconds)");
  if (deadline & kTopBit) at("deadline").fail("the deadline must be below 2^63 nanoseconds");
  if (period & kTopBit) at("period").fail("the period must be below 2^63 nanoseconds");
  if (runtime < 1024) at("runtime").fail("SCHED_DEADLINE needs a runtime of at least 1024 nanoseconds");
  if (runtime > deadline) at("runtime").fail("the runtime exceeds the deadline");
  if (period != 0 && period < deadline) at("period").fail("the period is shorter than the deadline");
}

Scheduler parse_scheduler(const Node& n) {
  Scheduler s;
  required_field(n, "policy", s.policy, [](const Node& p) {
    return p.one_of(
        {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"},
        "scheduler policy");
  });
  // The kernel clamps any other nice value silently.
  if (auto v = n.get("nice")) s.nice = v->integer_in<int32_t>(-20, 19);
  optional_field(n, "priority", s.priority, &Node::i32);
  if (auto f = n.get("flags")) {
    s.flags = f->list([](const Node& e) {
      return e.one_of(
          {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
           "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX"},
          "scheduler flag");
    });
  }
  optional_field(n, "runtime", s.runtime, &Node::u64);
  optional_field(n, "deadline", s.deadline, &Node::u64);
  optional_field(n, "period", s.period, &Node::u64);
  // Only SCHED_DEADLINE reads them: given with another policy, the config
  // asks for something it would not get.
  if (s.policy != "SCHED_DEADLINE")
    for (const char* field : {"runtime", "deadline", "period"})
      if (auto v = n.get(field); v && v->u64() != 0) v->fail("only SCHED_DEADLINE takes a " + std::string(field));
  check_scheduler_params(n, s);
  return s;
}

std::string parse_cpu_list(const Node& n) { return parse_number_list(n, "CPU"); }

ExecCPUAffinity parse_exec_cpu_affinity(const Node& n) {
  ExecCPUAffinity a;
  optional_field(n, "initial", a.initial, parse_cpu_list);
  optional_field(n, "final", a.final, parse_cpu_list);
  return a;
}

}  // namespace

Process parse_process(const Node& n) {
  Process p;
  optional_field(n, "terminal", p.terminal, &Node::boolean);
  optional_field(n, "consoleSize", p.consoleSize, parse_console_size);
  optional_field(n, "user", p.user, parse_user);
  optional_field(n, "args", p.args, &Node::strings);
  optional_field(n, "commandLine", p.commandLine, &Node::string);
  optional_field(n, "env", p.env, &Node::strings);
  required_field(n, "cwd", p.cwd, &Node::string);
  optional_field(n, "capabilities", p.capabilities, parse_capabilities);
  if (auto r = n.get("rlimits")) p.rlimits = r->list(parse_rlimit);
  optional_field(n, "noNewPrivileges", p.noNewPrivileges, &Node::boolean);
  optional_field(n, "apparmorProfile", p.apparmorProfile, &Node::string);
  // The kernel's range for /proc/<pid>/oom_score_adj.
  if (auto o = n.get("oomScoreAdj")) p.oomScoreAdj = o->integer_in<int>(-1000, 1000);
  optional_field(n, "selinuxLabel", p.selinuxLabel, &Node::string);
  optional_field(n, "ioPriority", p.ioPriority, parse_io_priority);
  optional_field(n, "scheduler", p.scheduler, parse_scheduler);
  optional_field(n, "execCPUAffinity", p.execCPUAffinity, parse_exec_cpu_affinity);
  return p;
}

}  // namespace hull::spec::detail
