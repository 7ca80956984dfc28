#include "base/phase_trace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace hull {

namespace detail {
int phase_trace_fd = -1;

void write_phase_mark(const char* phase) noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  // Faults after the clock: the mark's own getrusage is not in this phase's count.
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  // The CPU and the context switches so far say whether a phase slept
  // (voluntary) or waited for a CPU (involuntary), and where a clone's child
  // started beside its parent.
  char line[192];
  int n = std::snprintf(line, sizeof line, "%s %lld %d %ld %d %ld %ld\n", phase,
                        static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec, static_cast<int>(::getpid()),
                        ru.ru_minflt + ru.ru_majflt, ::sched_getcpu(), ru.ru_nvcsw, ru.ru_nivcsw);
  // One write per line: the runtime and the init share the file offset and
  // never split each other's lines. A failed write only loses a mark.
  if (n > 0 && static_cast<size_t>(n) < sizeof line) (void)!::write(phase_trace_fd, line, static_cast<size_t>(n));
}
}  // namespace detail

void phase_trace_from_env() noexcept {
  const char* v = std::getenv("HULL_TRACE_PHASES");
  if (!v || !*v) return;
  char* end = nullptr;
  long fd = std::strtol(v, &end, 10);
  // Only an fd the caller really passed (an fd >= 3 that is open): a stale
  // variable must not make hull write into whatever it opens later there.
  if (*end != '\0' || fd < 3 || fd > 1 << 20 || ::fcntl(static_cast<int>(fd), F_GETFD) < 0) return;
  // Close-on-exec: hooks and other programs hull runs do not get it (the
  // init, cloned without exec, closes it with every other fd before execve).
  if (::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC) < 0) return;
  detail::phase_trace_fd = static_cast<int>(fd);
  detail::write_phase_mark("main");
}

}  // namespace hull
