// Walks every (status, operation) pair against a table written out here
// independently of src/runtime/state_machine.cpp: either the next status or the
// exact refusal text a user sees.
#include "runtime/state_machine.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <variant>

#include "base/error.hpp"
#include "support/error_of.hpp"

namespace hull {
namespace {

using Outcome = std::variant<Status, std::string>;  // next status or exact error text

const Status kAllStatuses[] = {Status::Creating,          Status::Created, Status::Running, Status::Paused,
                               Status::PausedBeforeStart, Status::Stopped, Status::Removed};
const Operation kAllOps[] = {Operation::Create,     Operation::Start,       Operation::Kill,
                             Operation::KillAll,    Operation::Pause,       Operation::Resume,
                             Operation::Delete,     Operation::ForceDelete, Operation::Exec,
                             Operation::ExecPaused, Operation::State,       Operation::Update,
                             Operation::Exit,       Operation::Checkpoint,  Operation::CheckpointLeaveRunning,
                             Operation::Restore};

std::map<std::pair<Operation, Status>, Outcome> expected_table() {
  using O = Operation;
  using S = Status;
  std::map<std::pair<O, S>, Outcome> t;
  const std::string exists = "container \"web\" already exists";
  const std::string missing = "container \"web\" does not exist";

  for (S s : {S::Creating, S::Created, S::Running, S::Paused, S::PausedBeforeStart, S::Stopped})
    t[{O::Create, s}] = exists;
  t[{O::Create, S::Removed}] = S::Created;
  for (S s : {S::Creating, S::Created, S::Running, S::Paused, S::PausedBeforeStart, S::Stopped})
    t[{O::Restore, s}] = exists;
  t[{O::Restore, S::Removed}] = S::Running;
  for (O op : kAllOps)
    if (op != O::Create && op != O::Restore) t[{op, S::Removed}] = missing;

  // Checkpoint: CRIU kills what it dumped, so the container is removed
  // (runc's rule), unless --leave-running or --pre-dump keep it going.
  const std::string only_live = " (only a running or paused container can be checkpointed)";
  for (O op : {O::Checkpoint, O::CheckpointLeaveRunning}) {
    t[{op, S::Creating}] = "cannot checkpoint container \"web\": it is still being created" + only_live;
    t[{op, S::Created}] = "cannot checkpoint container \"web\": it is created" + only_live;
    t[{op, S::Stopped}] = "cannot checkpoint container \"web\": it is stopped" + only_live;
    t[{op, S::PausedBeforeStart}] =
        "cannot checkpoint container \"web\": it is paused before it was started" + only_live;
  }
  t[{O::Checkpoint, S::Running}] = S::Removed;
  t[{O::Checkpoint, S::Paused}] = S::Removed;
  t[{O::CheckpointLeaveRunning, S::Running}] = S::Running;
  t[{O::CheckpointLeaveRunning, S::Paused}] = S::Paused;

  t[{O::Start, S::Creating}] =
      "cannot start container \"web\": it is still being created (only a created container can be started)";
  t[{O::Start, S::Created}] = S::Running;
  t[{O::Start, S::Running}] = "cannot start container \"web\": it is running (only a created container can be started)";
  t[{O::Start, S::Paused}] = "cannot start container \"web\": it is paused (only a created container can be started)";
  t[{O::Start, S::PausedBeforeStart}] =
      "cannot start container \"web\": it is paused before it was started (only a created container can be started; "
      "resume it first)";
  t[{O::Start, S::Stopped}] = "cannot start container \"web\": it is stopped (only a created container can be started)";

  t[{O::Kill, S::Creating}] =
      "cannot kill container \"web\": it is still being created (only a created, running or paused container can be "
      "signalled)";
  t[{O::Kill, S::Created}] = S::Created;
  t[{O::Kill, S::Running}] = S::Running;
  t[{O::Kill, S::Paused}] = S::Paused;
  t[{O::Kill, S::PausedBeforeStart}] = S::PausedBeforeStart;
  t[{O::Kill, S::Stopped}] =
      "cannot kill container \"web\": it is stopped (only a created, running or paused container can be signalled; "
      "container not running)";

  t[{O::KillAll, S::Creating}] =
      "cannot kill all processes of container \"web\": it is still being created (only a created, running, paused or "
      "stopped container can be signalled)";
  t[{O::KillAll, S::Created}] = S::Created;
  t[{O::KillAll, S::Running}] = S::Running;
  t[{O::KillAll, S::Paused}] = S::Paused;
  t[{O::KillAll, S::PausedBeforeStart}] = S::PausedBeforeStart;
  t[{O::KillAll, S::Stopped}] = S::Stopped;

  const std::string only_unpaused = " (only a created or running container can be paused)";
  t[{O::Pause, S::Creating}] = "cannot pause container \"web\": it is still being created" + only_unpaused;
  t[{O::Pause, S::Created}] = S::PausedBeforeStart;  // as runc: resume makes it created again
  t[{O::Pause, S::Running}] = S::Paused;
  t[{O::Pause, S::Paused}] = "cannot pause container \"web\": it is paused" + only_unpaused;
  t[{O::Pause, S::PausedBeforeStart}] =
      "cannot pause container \"web\": it is paused before it was started" + only_unpaused;
  t[{O::Pause, S::Stopped}] = "cannot pause container \"web\": it is stopped" + only_unpaused;

  t[{O::Resume, S::Creating}] =
      "cannot resume container \"web\": it is still being created (only a paused container can be resumed)";
  t[{O::Resume, S::Created}] =
      "cannot resume container \"web\": it is created (only a paused container can be resumed)";
  t[{O::Resume, S::Running}] =
      "cannot resume container \"web\": it is running (only a paused container can be resumed)";
  t[{O::Resume, S::Paused}] = S::Running;
  t[{O::Resume, S::PausedBeforeStart}] = S::Created;
  t[{O::Resume, S::Stopped}] =
      "cannot resume container \"web\": it is stopped (only a paused container can be resumed)";

  t[{O::Delete, S::Creating}] = S::Removed;
  t[{O::Delete, S::Created}] = S::Removed;
  t[{O::Delete, S::Running}] =
      "cannot delete container \"web\": it is running (only a created or stopped container can be deleted; stop it "
      "first or use --force)";
  t[{O::Delete, S::Paused}] =
      "cannot delete container \"web\": it is paused (only a created or stopped container can be deleted; stop it "
      "first or use --force)";
  t[{O::Delete, S::PausedBeforeStart}] =
      "cannot delete container \"web\": it is paused before it was started (only a created or stopped container can "
      "be deleted; stop it first or use --force)";
  t[{O::Delete, S::Stopped}] = S::Removed;

  for (S s : {S::Creating, S::Created, S::Running, S::Paused, S::PausedBeforeStart, S::Stopped})
    t[{O::ForceDelete, s}] = S::Removed;

  t[{O::Exec, S::Creating}] =
      "cannot exec a process in container \"web\": it is still being created (only a created or running container can "
      "run new processes)";
  t[{O::Exec, S::Created}] = S::Created;
  t[{O::Exec, S::Running}] = S::Running;
  t[{O::Exec, S::Paused}] =
      "cannot exec a process in container \"web\": it is paused (only a created or running container can run new "
      "processes; resume it first or use --ignore-paused)";
  t[{O::Exec, S::PausedBeforeStart}] =
      "cannot exec a process in container \"web\": it is paused before it was started (only a created or running "
      "container can run new processes; resume it first or use --ignore-paused)";
  t[{O::Exec, S::Stopped}] =
      "cannot exec a process in container \"web\": it is stopped (only a created or running container can run new "
      "processes)";

  t[{O::ExecPaused, S::Creating}] =
      "cannot exec a process in container \"web\": it is still being created (only a created, running or paused "
      "container can run new processes)";
  t[{O::ExecPaused, S::Created}] = S::Created;
  t[{O::ExecPaused, S::Running}] = S::Running;
  t[{O::ExecPaused, S::Paused}] = S::Paused;
  t[{O::ExecPaused, S::PausedBeforeStart}] = S::PausedBeforeStart;
  t[{O::ExecPaused, S::Stopped}] =
      "cannot exec a process in container \"web\": it is stopped (only a created, running or paused container can run "
      "new processes)";

  for (S s : {S::Creating, S::Created, S::Running, S::Paused, S::PausedBeforeStart, S::Stopped}) t[{O::State, s}] = s;

  t[{O::Update, S::Creating}] =
      "cannot update container \"web\": it is still being created (only a created, running or paused container can be "
      "updated)";
  t[{O::Update, S::Created}] = S::Created;
  t[{O::Update, S::Running}] = S::Running;
  t[{O::Update, S::Paused}] = S::Paused;
  t[{O::Update, S::PausedBeforeStart}] = S::PausedBeforeStart;
  t[{O::Update, S::Stopped}] =
      "cannot update container \"web\": it is stopped (only a created, running or paused container can be updated)";

  t[{O::Exit, S::Creating}] =
      "cannot record the exit of container \"web\": it is still being created (only a created, running or paused "
      "container can exit)";
  t[{O::Exit, S::Created}] = S::Stopped;
  t[{O::Exit, S::Running}] = S::Stopped;
  t[{O::Exit, S::Paused}] = S::Stopped;
  t[{O::Exit, S::PausedBeforeStart}] = S::Stopped;
  t[{O::Exit, S::Stopped}] =
      "cannot record the exit of container \"web\": it is stopped (only a created, running or paused container can "
      "exit)";
  return t;
}

TEST(StateMachine, EveryStatusOperationPairMatchesTheExpectedTable) {
  auto table = expected_table();
  ASSERT_EQ(table.size(), std::size(kAllStatuses) * std::size(kAllOps)) << "expected table is incomplete";
  for (Operation op : kAllOps) {
    for (Status from : kAllStatuses) {
      SCOPED_TRACE(std::string(to_string(op)) + " on " + to_string(from));
      const Outcome& want = table.at({op, from});
      std::optional<Status> next = next_status(from, op);
      if (const Status* s = std::get_if<Status>(&want)) {
        ASSERT_TRUE(next.has_value());
        EXPECT_EQ(to_string(*next), std::string(to_string(*s)));
        EXPECT_EQ(require_transition("web", from, op), *s);
      } else {
        EXPECT_FALSE(next.has_value());
        try {
          require_transition("web", from, op);
          ADD_FAILURE() << "expected refusal: " << std::get<std::string>(want);
        } catch (const Error& e) {
          EXPECT_EQ(std::string(e.what()), std::get<std::string>(want));
          EXPECT_EQ(e.code(), 0);
        }
      }
    }
  }
}

TEST(StateMachine, RefusalsQuoteTheIdVerbatim) {
  EXPECT_EQ(test::error_of([&] { require_transition("we\"b", Status::Running, Operation::Start); }),
            "cannot start container \"we\\\"b\": it is running (only a created container can be started)");
}

TEST(StateMachine, StatusNamesRoundTrip) {
  const std::map<Status, std::string> names = {{Status::Creating, "creating"}, {Status::Created, "created"},
                                               {Status::Running, "running"},   {Status::Paused, "paused"},
                                               {Status::Stopped, "stopped"},   {Status::Removed, "removed"}};
  for (const auto& [status, name] : names) {
    EXPECT_EQ(to_string(status), name);
    EXPECT_EQ(status_from_string(name), status);
  }
  // Shown as "paused"; a state file records it apart, so the name reads back as Paused.
  EXPECT_STREQ(to_string(Status::PausedBeforeStart), "paused");
  EXPECT_EQ(status_from_string("Running"), std::nullopt);
  EXPECT_EQ(status_from_string(""), std::nullopt);
  EXPECT_EQ(status_from_string("exited"), std::nullopt);
}

TEST(StateMachine, OperationNamesAreTheCliSpellings) {
  EXPECT_STREQ(to_string(Operation::Start), "start");
  EXPECT_STREQ(to_string(Operation::KillAll), "kill --all");
  EXPECT_STREQ(to_string(Operation::ForceDelete), "delete --force");
  EXPECT_STREQ(to_string(Operation::ExecPaused), "exec --ignore-paused");
  EXPECT_STREQ(to_string(Operation::Exit), "exit");
}

}  // namespace
}  // namespace hull
