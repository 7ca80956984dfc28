// parse_signal (declared in operations.hpp): the signal argument of `hull kill`.
#include <cctype>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>

#include "base/error.hpp"
#include "runtime/operations.hpp"
#include "runtime/units.hpp"

namespace hull {

namespace {

struct SignalName {
  std::string_view name;  // without "SIG"
  int number;
};

// The kernel's signal numbers on Linux (x86, arm, most others), plus the
// common aliases (IOT, CLD, POLL) that kill(1) also accepts.
constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},       {"FPE", SIGFPE},   {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

// Real-time signals are named relative to the C library's SIGRTMIN, which
// glibc sets to 34 (it keeps 32 and 33 for threads); Docker and bash name
// them the same way. The kernel's highest signal is 64.
constexpr int kRtMin = 34;
constexpr int kRtMax = 64;

// Parses a non-empty run of decimal digits (no sign, no spaces) into [0, limit].
bool parse_number(std::string_view s, int limit, int* out) {
  if (s.empty() || s.size() > 3) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > limit) return false;
  *out = v;
  return true;
}

// "RTMIN", "RTMIN+3", "RTMAX-2".
bool parse_realtime(std::string_view name, int* out) {
  for (auto [base_name, base, sign] :
       {std::tuple{std::string_view("RTMIN"), kRtMin, 1}, std::tuple{std::string_view("RTMAX"), kRtMax, -1}}) {
    if (name.substr(0, base_name.size()) != base_name) continue;
    std::string_view rest = name.substr(base_name.size());
    if (rest.empty()) {
      *out = base;
      return true;
    }
    int offset;
    char want = sign > 0 ? '+' : '-';
    if (rest[0] != want || !parse_number(rest.substr(1), kRtMax - kRtMin, &offset)) return false;
    *out = base + sign * offset;
    return true;
  }
  return false;
}

}  // namespace

int parse_signal(const std::string& s) {
  // Numbers as runc's strconv.Atoi reads them ("+9", "0015"; 0 only probes,
  // as with kill(1)); runc passes any number on, we reject what no kernel
  // accepts so the error names the input.
  if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '+' || s[0] == '-')) {
    int64_t n = -1;
    try {
      n = parse_go_int(s, 10);
    } catch (const Error&) {}
    if (n < 0 || n > kRtMax) throw Error("unknown signal " + quote(s));
    return static_cast<int>(n);
  }
  int number;

  std::string name;
  for (char c : s) name += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  std::string_view bare = name;
  if (bare.substr(0, 3) == "SIG") bare.remove_prefix(3);
  for (const auto& sig : kSignals) {
    if (sig.name == bare) return sig.number;
  }
  if (parse_realtime(bare, &number)) return number;
  throw Error("unknown signal " + quote(s));
}

}  // namespace hull
