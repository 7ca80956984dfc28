#include "runtime/state_machine.hpp"

#include <array>
#include <cstddef>
#include <string>

#include "base/error.hpp"

namespace hull {
namespace {

constexpr size_t kStatuses = 7;     // Creating .. Removed
constexpr size_t kOperations = 16;  // Create .. Restore

// One cell of the lifecycle table: the status after the operation, or a
// refusal (optionally with a hint telling the user how to get unstuck).
struct Cell {
  bool allowed;
  Status next;
  const char* hint;
};

constexpr Cell to(Status s) { return {true, s, nullptr}; }
constexpr Cell same_as(Status s) { return {true, s, nullptr}; }
constexpr Cell kNo{false, Status::Removed, nullptr};
constexpr Cell refused_hint(const char* hint) { return {false, Status::Removed, hint}; }

constexpr const char* kStopFirst = "stop it first or use --force";
constexpr const char* kResumeFirst = "resume it first or use --ignore-paused";
constexpr const char* kResumeToStart = "resume it first";
// runc's words: containerd (checkKillError) and CRI-O (runtimeCmd) read a
// failed kill with "container not running" as "the process is gone already".
constexpr const char* kNotRunning = "container not running";

using S = Status;
// THE lifecycle. Rows are operations, columns statuses in enum order:
//            Creating  Created  Running  Paused  PausedBeforeStart  Stopped  Removed
constexpr std::array<std::array<Cell, kStatuses>, kOperations> kTable{{
    /* Create      */ {kNo, kNo, kNo, kNo, kNo, kNo, to(S::Created)},
    /* Start       */ {kNo, to(S::Running), kNo, kNo, refused_hint(kResumeToStart), kNo, kNo},
    /* Kill        */
    {kNo, same_as(S::Created), same_as(S::Running), same_as(S::Paused), same_as(S::PausedBeforeStart),
     refused_hint(kNotRunning), kNo},
    // kill --all on a stopped container reaps processes left in its cgroup.
    /* KillAll     */
    {kNo, same_as(S::Created), same_as(S::Running), same_as(S::Paused), same_as(S::PausedBeforeStart),
     same_as(S::Stopped), kNo},
    /* Pause       */ {kNo, to(S::PausedBeforeStart), to(S::Paused), kNo, kNo, kNo, kNo},
    /* Resume      */ {kNo, kNo, kNo, to(S::Running), to(S::Created), kNo, kNo},
    // Deleting a Creating container cleans up after a create that died half-way;
    // a live creator holds the container lock, so delete cannot race it.
    /* Delete      */
    {to(S::Removed), to(S::Removed), refused_hint(kStopFirst), refused_hint(kStopFirst), refused_hint(kStopFirst),
     to(S::Removed), kNo},
    /* ForceDelete */
    {to(S::Removed), to(S::Removed), to(S::Removed), to(S::Removed), to(S::Removed), to(S::Removed), kNo},
    // As runc: a created container's namespaces exist, so exec may join them
    // (clients use it to prepare a container before start).
    /* Exec        */
    {kNo, same_as(S::Created), same_as(S::Running), refused_hint(kResumeFirst), refused_hint(kResumeFirst), kNo, kNo},
    /* ExecPaused  */
    {kNo, same_as(S::Created), same_as(S::Running), same_as(S::Paused), same_as(S::PausedBeforeStart), kNo, kNo},
    /* State       */
    {same_as(S::Creating), same_as(S::Created), same_as(S::Running), same_as(S::Paused), same_as(S::PausedBeforeStart),
     same_as(S::Stopped), kNo},
    /* Update      */
    {kNo, same_as(S::Created), same_as(S::Running), same_as(S::Paused), same_as(S::PausedBeforeStart), kNo, kNo},
    /* Exit        */ {kNo, to(S::Stopped), to(S::Stopped), to(S::Stopped), to(S::Stopped), kNo, kNo},
    // Nothing runs the container's program yet: there is nothing to dump.
    /* Checkpoint  */ {kNo, kNo, to(S::Removed), to(S::Removed), kNo, kNo, kNo},
    /* Checkpoint --leave-running */ {kNo, kNo, same_as(S::Running), same_as(S::Paused), kNo, kNo, kNo},
    /* Restore     */ {kNo, kNo, kNo, kNo, kNo, kNo, to(S::Running)},
}};

const Cell& cell(Status from, Operation op) { return kTable[static_cast<size_t>(op)][static_cast<size_t>(from)]; }

// How a refusal reads: "cannot <phrase> container "web": it is <status> (<requirement>)".
struct OpText {
  const char* name;         // to_string(op)
  const char* phrase;       // what the user tried to do
  const char* requirement;  // which statuses would have allowed it
};

constexpr std::array<OpText, kOperations> kOpText{{
    {"create", "create", nullptr},
    {"start", "start", "only a created container can be started"},
    {"kill", "kill", "only a created, running or paused container can be signalled"},
    {"kill --all", "kill all processes of", "only a created, running, paused or stopped container can be signalled"},
    {"pause", "pause", "only a created or running container can be paused"},
    {"resume", "resume", "only a paused container can be resumed"},
    {"delete", "delete", "only a created or stopped container can be deleted"},
    {"delete --force", "force-delete", nullptr},
    {"exec", "exec a process in", "only a created or running container can run new processes"},
    {"exec --ignore-paused", "exec a process in", "only a created, running or paused container can run new processes"},
    {"state", "query the state of", nullptr},
    {"update", "update", "only a created, running or paused container can be updated"},
    {"exit", "record the exit of", "only a created, running or paused container can exit"},
    {"checkpoint", "checkpoint", "only a running or paused container can be checkpointed"},
    {"checkpoint --leave-running", "checkpoint", "only a running or paused container can be checkpointed"},
    {"restore", "restore", nullptr},
}};

}  // namespace

std::string describe(Status s) {
  if (s == Status::Creating) return "still being created";
  if (s == Status::PausedBeforeStart) return "paused before it was started";
  return to_string(s);
}

const char* to_string(Status s) {
  switch (s) {
    case Status::Creating: return "creating";
    case Status::Created: return "created";
    case Status::Running: return "running";
    case Status::Paused:
    case Status::PausedBeforeStart: return "paused";
    case Status::Stopped: return "stopped";
    case Status::Removed: return "removed";
  }
  return "unknown";
}

const char* to_string(Operation op) {
  size_t i = static_cast<size_t>(op);
  return i < kOperations ? kOpText[i].name : "unknown";
}

std::optional<Status> status_from_string(std::string_view s) {
  // Not PausedBeforeStart: it shares the name "paused" (state files record it apart).
  for (Status st :
       {Status::Creating, Status::Created, Status::Running, Status::Paused, Status::Stopped, Status::Removed}) {
    if (s == to_string(st)) return st;
  }
  return std::nullopt;
}

std::optional<Status> next_status(Status from, Operation op) {
  const Cell& c = cell(from, op);
  if (!c.allowed) return std::nullopt;
  return c.next;
}

Status require_transition(std::string_view id, Status from, Operation op) {
  const Cell& c = cell(from, op);
  if (c.allowed) return c.next;
  // The two refusals that are about existence, not status, read the way
  // runc's do because clients (containerd, podman) match on them.
  if (op == Operation::Create || op == Operation::Restore) throw Error("container " + quote(id) + " already exists");
  if (from == Status::Removed) throw Error("container " + quote(id) + " does not exist");
  const OpText& t = kOpText[static_cast<size_t>(op)];
  std::string msg = std::string("cannot ") + t.phrase + " container " + quote(id) + ": it is " + describe(from) + " (" +
                    (t.requirement ? t.requirement : "not allowed");
  if (c.hint) msg += std::string("; ") + c.hint;
  msg += ")";
  throw Error(std::move(msg));
}

}  // namespace hull
