#pragma once
// The container lifecycle as data: one table of (status, operation) -> next
// status or refusal, consulted by every command.
#include <optional>
#include <string>
#include <string_view>

namespace hull {

// PausedBeforeStart: a created container frozen by `pause` (runc allows it);
// it reads "paused", and `resume` makes it created again.
enum class Status { Creating, Created, Running, Paused, PausedBeforeStart, Stopped, Removed };

enum class Operation {
  Create,  // from Removed (no container yet)
  Start,
  Kill,
  KillAll,  // kill --all: also legal on a stopped container (kills leftovers in the cgroup)
  Pause,
  Resume,
  Delete,
  ForceDelete,  // delete --force
  Exec,
  ExecPaused,  // exec --ignore-paused
  State,
  Update,
  Exit,                    // the init process exited on its own
  Checkpoint,              // CRIU dumped it and killed its processes: removed, as runc does
  CheckpointLeaveRunning,  // checkpoint --leave-running or --pre-dump: it goes on
  Restore,                 // from CRIU's images into a new container (no container yet)
};

const char* to_string(Status s);      // "created", "running", ... ("removed" for the end state)
inline bool is_paused(Status s) { return s == Status::Paused || s == Status::PausedBeforeStart; }
// How a refusal names a status: to_string's word, or "still being created",
// "paused before it was started".
std::string describe(Status s);
const char* to_string(Operation op);  // "start", "delete", ...
std::optional<Status> status_from_string(std::string_view s);

// The status after `op`, or std::nullopt when the table forbids it.
std::optional<Status> next_status(Status from, Operation op);

// Like next_status, but throws hull::Error naming the container, the operation
// and the status, e.g.
//   cannot start container "web": it is running (only a created container can be started)
Status require_transition(std::string_view id, Status from, Operation op);

}  // namespace hull
