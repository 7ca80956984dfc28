#pragma once
// The measured scenarios. Each one interleaves the runtimes sample by sample
// (rotating who goes first) so slow drift of the machine hits all alike.
#include "ctx.hpp"

namespace bench {

// How samples follow each other: back to back, each after a pause
// (scenarios.cpp, kQuietPauseUs), or back to back beside a container of the
// same runtime that runs all along (kBesideTail).
enum class Pace { BackToBack, Quiet, Beside };

void bench_run(Ctx& c, bool netns, bool seccomp = false,
               Pace pace = Pace::BackToBack);  // `run` of /bin/true, attached (seccomp: with the profile)
void bench_run_mounts(Ctx& c);                 // `run` of /bin/true with read-only tmpfs and rbinds above them
void bench_lifecycle(Ctx& c, bool netns);      // create + start + wait + delete
void bench_create_memory(Ctx& c);              // what `create` holds as it exits: anonymous and file pages
void bench_exec(Ctx& c, bool seccomp = false,
                Pace pace = Pace::BackToBack);  // `exec <id> /bin/true` into a running container
void bench_state_list(Ctx& c);                  // state and list with 1..N containers present
void bench_parallel(Ctx& c, bool netns);        // N lifecycles at once, several rounds
void bench_sustained(Ctx& c, bool netns);       // N clients, lifecycles back to back without rounds
void bench_memory(Ctx& c);                      // memory charged to the container's cgroup
void bench_density(Ctx& c);                     // host memory per running container, N at once

// Removes every container a runtime still knows under our --root (delete -f).
void cleanup_containers(Ctx& c);

}  // namespace bench
