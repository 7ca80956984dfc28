#pragma once
// Runs independent per-item work on a few threads when there is enough of it.
//
// Why: `list` with many containers is a loop of small kernel calls per
// container (open, read, close of state.json, a null signal to the init). Each
// item is independent and path lookups in the kernel scale across CPUs, so a
// node with 1000 containers answers in a fraction of the time. Few items stay
// on the calling thread: a thread costs more to start than ~50 items cost.
#include <cstddef>
#include <functional>

namespace hull {

// Calls work(i) once for every i in [0, count), in no particular order, on the
// calling thread and up to one helper thread per further usable CPU (capped),
// with at least `min_per_thread` items per thread. work must be safe to call
// concurrently for different i. The first exception thrown by any call is
// rethrown here after every thread has finished; remaining items are skipped.
//
// A helper thread has a file descriptor table of its own, a copy of the
// caller's taken when it starts (unshare(CLONE_FILES)): an open and close in
// a shared table take the table's lock and, in every system call on an fd, a
// reference on the file, which two threads opening files in turn bounce
// between CPUs (list with 1000 containers: 1.73 ms instead of 1.94 for the
// reads). So work may use any fd the caller had open, but an fd it opens
// must be closed before it returns, never kept in a process-wide cache
// (procfs's root, for one, is opened by the caller first if work needs it):
// it is not the caller's.
void for_each_index_parallel(size_t count, size_t min_per_thread, const std::function<void(size_t)>& work);

// How many threads for_each_index_parallel would use for `count` items.
size_t parallel_thread_count(size_t count, size_t min_per_thread);

}  // namespace hull
