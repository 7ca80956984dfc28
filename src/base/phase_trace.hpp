#pragma once
// Phase timestamps for the benchmark (bench/phases.py, bench/README.md):
// with HULL_TRACE_PHASES=<fd> in the environment, every phase_mark() writes
// one line "<phase> <CLOCK_MONOTONIC ns> <pid> <page faults> <cpu>
// <voluntary switches> <involuntary switches>\n" to that inherited fd (the
// faults and context switches the process has had so far: a clone's child
// counts from zero; the CPU it runs on at the mark), from
// the runtime and from the container init alike (the init inherits the fd
// until it closes every fd before execve, so its last mark is "exec").
// Off (the variable unset or not a number), a mark is one load and a compare:
// no clock read, no syscall. The fd is the caller's; hull never opens a file
// for it, so a trace cannot land anywhere the caller did not open.
namespace hull {

namespace detail {
extern int phase_trace_fd;  // -1: off
void write_phase_mark(const char* phase) noexcept;
}  // namespace detail

// Reads HULL_TRACE_PHASES once; called first thing in main().
void phase_trace_from_env() noexcept;

// The trace fd (-1: off), for a process that closes all the fds it was not given.
inline int phase_trace_fd() noexcept { return detail::phase_trace_fd; }

inline void phase_mark(const char* phase) noexcept {
  if (detail::phase_trace_fd >= 0) detail::write_phase_mark(phase);
}

}  // namespace hull
