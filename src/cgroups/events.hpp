#pragma once
// cgroup v2 cgroup.events ("populated 0|1", "frozen 0|1"): reading a key and
// waiting for a value. The kernel signals every change of the file as POLLPRI
// on an open fd, so waiting is a poll, not a loop of sleeps.
#include <chrono>
#include <optional>
#include <string>

namespace hull::cgroups {

// The value of `key` in dir/cgroup.events ("" when absent).
std::string event_value(const std::string& dir, const std::string& key);
// The same for the cgroup open as dirfd (`dir` names it in errors); nullopt
// where it has no cgroup.events (a v1 cgroup, or one removed since), an
// error where it cannot be read.
std::optional<std::string> event_value_at(int dirfd, const std::string& dir, const std::string& key);
// Whether the cgroup is frozen, or freezing by its own cgroup.freeze:
// "frozen 1" shows once every task has entered the freezer, a moment after
// the write (longer than a command's start-up under load on 6.x kernels),
// and a process cloned or moved into it meanwhile is frozen all the same.
// runc reads cgroup.freeze alone; the event also tells of a frozen cgroup
// above. false on a kernel without the v2 freezer (before 5.2), and for
// the _at form where the cgroup has no cgroup.events.
bool frozen_or_freezing(const std::string& dir);
bool frozen_or_freezing_at(int dirfd, const std::string& dir);
// Returns true once dir/cgroup.events has "key value", or `also` (an fd, -1
// for none) is readable; false at the deadline.
bool wait_event(const std::string& dir, const std::string& key, const std::string& value,
                std::chrono::steady_clock::time_point deadline, int also = -1);

}  // namespace hull::cgroups
