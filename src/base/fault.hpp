#pragma once
// Fault injection for the robustness tests (docs/robustness.md): a named
// point at each step of create, start, exec, pause, update and delete where
// a test can have hull die as an OOM kill or a node drain would kill it.
//
// Compiled in only when HULL_FAULT_INJECTION is defined (the hull_fault
// binary of a -DHULL_FAULT_INJECTION=ON build); elsewhere fault_point is an
// empty inline function and the release binary has no trace of it.
//
// With HULL_FAULT=<step> in the environment, the process reaching that step
// dies by SIGKILL (the container's init, which may not be killed from inside
// its pid namespace, exits with status 137 instead). With HULL_FAULT_LIST=<file>,
// every step reached is appended to <file>, one name a line, so a test finds
// the steps a verb goes through without a list to keep in sync.
//
// With HULL_FAULT_ACTION=stop as well, the process reaching the step stops
// itself (SIGSTOP) instead of dying, and goes on at a SIGCONT: a test can run
// another command at exactly that step of this one, which makes a race
// between two commands reproducible (not in the container's init, which
// cannot stop itself from inside its pid namespace). With
// HULL_FAULT_THEN=<step> too, the process continued dies at that later step:
// a race's loser killed half-way.
//
// With HULL_FAULT_ACTION=hold and HULL_FAULT_HOLD=<fifo>, the process
// reaching the step opens that FIFO for reading and goes on once the test,
// which opened it for writing, closes it: the test acts at exactly that
// step, in any process (the container's init too). Held once, at the first
// pass; HULL_FAULT_THEN applies as after a stop.
namespace hull {

#ifdef HULL_FAULT_INJECTION
void fault_point(const char* step);
// The HULL_FAULT_LIST file's fd (opened on first use), else -1: kept by
// a process that closes all the fds it was not given, so its steps are
// listed too.
int fault_list_fd();
#else
inline void fault_point(const char*) {}
inline int fault_list_fd() { return -1; }
#endif

// A directory that stands in for a kernel file system the test machines
// cannot have (resctrl needs a CPU with RDT): the value of the environment
// variable `name` in the hull_fault binary, so its tests can watch what hull
// writes there; always null in every other build.
#ifdef HULL_FAULT_INJECTION
const char* test_stand_in(const char* name);
#else
inline const char* test_stand_in(const char*) { return nullptr; }
#endif

}  // namespace hull
