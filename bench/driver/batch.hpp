#pragma once
// Many containers through their lifecycle at once, each driven by a client
// thread of its own (as each container on a node has its own shim): every
// create is started together, each container moves on (start, then delete
// once its init has exited) as soon as its own previous step ends. Used for
// the parallel rows and to fill the state directory quickly before the
// state/list rows.
#include <string>
#include <vector>

#include "ctx.hpp"

namespace bench {

struct BatchResult {
  int errors = 0;  // containers whose create/start/delete failed or timed out
  int64_t ns = 0;  // wall time of the whole batch
};

// Bundles for ids must exist. keep=true leaves each container stopped
// (create + start + init exited) instead of deleting it. width: how many
// client threads (0: one per container); each takes the next container as
// soon as its own is done.
BatchResult lifecycle_batch(Ctx& c, const Runtime& rt, const std::vector<std::string>& ids, bool keep, int width = 0);
// Runs the commands on `width` client threads, each one command at a time.
// Returns how many failed.
int command_batch(Ctx& c, const std::vector<std::vector<std::string>>& argvs, int width);
// Deletes ids, at most `width` delete processes at a time. Returns failures.
int delete_batch(Ctx& c, const Runtime& rt, const std::vector<std::string>& ids, int width);

}  // namespace bench
