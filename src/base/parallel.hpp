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
void for_each_index_parallel(size_t count, size_t min_per_thread, const std::function<void(size_t)>& work);

// How many threads for_each_index_parallel would use for `count` items.
size_t parallel_thread_count(size_t count, size_t min_per_thread);

}  // namespace hull
