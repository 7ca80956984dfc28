#pragma once
// The environment hull was started with, as the kernel laid it out (the
// strings /proc/<pid>/environ shows). A process of ours that a container may
// read (`hull exec`'s process, born in its pid namespace, where a ptracer
// may open /proc/<pid>/environ or /proc/<pid>/mem) wipes its copy: the
// caller's environment is the caller's (a login shell's tokens, an engine's
// settings), and the process's own comes from the config.
namespace hull {

// Called first thing in main(), before anything changes the environment.
void record_startup_environment(char** envp) noexcept;

// Zeroes the recorded strings in this process's memory. For a process that
// reads no variable of hull's afterwards: getenv() then finds none.
void wipe_startup_environment() noexcept;

}  // namespace hull
