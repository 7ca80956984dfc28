#pragma once
// The command line and environment hull was started with, as the kernel
// laid them out (the strings /proc/<pid>/cmdline and /proc/<pid>/environ
// show). A process of ours that a container may read (the init while it
// waits for `start`, `hull exec`'s process, both in its pid namespace,
// where anyone may read /proc/<pid>/cmdline and a ptracer /proc/<pid>/environ
// or /proc/<pid>/mem) wipes its copies: the caller's command line names
// the state root, the bundle and `exec -e` values, its environment is the
// caller's (a login shell's tokens, an engine's settings), and the
// process's own comes from the config.
namespace hull {

// Called first thing in main(), before anything changes the environment.
void record_startup_environment(int argc, char** argv, char** envp) noexcept;

// Zeroes the recorded strings in this process's memory; the command line
// then reads "hull init" (as runc's reads "runc init"). For a process that
// reads no variable of hull's nor its arguments afterwards: getenv() then
// finds none.
void wipe_startup_environment() noexcept;

}  // namespace hull
