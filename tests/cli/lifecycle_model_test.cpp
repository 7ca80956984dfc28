// The lifecycle against its model (runtime/state_machine.hpp): random
// sequences of create/start/pause/resume/kill/exec/update/delete through the
// hull binary, some of them two at once on the same container, some with the
// hull process SIGKILLed at a random moment. After every step the runtime must
// agree with the model: `hull list` shows the status the model reached, a
// refused operation is one the model refuses, with the model's message, and
// the kernel agrees (the init alive exactly while the container is created,
// running or paused; frozen exactly while paused; no cgroup, state dir or
// process left once it is removed).
//
// The model's table is the runtime's own (runtime/state_machine.hpp): this
// test guards the commands' use of it, and state_machine_test.cpp's table,
// written out cell by cell, guards the table itself.
//
// Seeded and reproducible: each sequence prints its seed on failure.
//   HULL_LIFECYCLE_SEED=N       first sequence's seed (default: random)
//   HULL_LIFECYCLE_SEQUENCES=N  how many sequences (default 200)
//   HULL_LIFECYCLE_LENGTH=N     steps per sequence (default 5)
// A long run: HULL_LIFECYCLE_SEQUENCES=5000 (see docs/verify.md).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "harness.hpp"
#include "proc_files.hpp"
#include "runtime/state_machine.hpp"
#include "runtime/state_store.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The operations the test drives, with the model's operation for each.
enum class Op { Create, Start, Pause, Resume, Kill, Exec, Update, Delete, ForceDelete };
constexpr Op kOps[] = {Op::Create, Op::Start,  Op::Pause,  Op::Resume,     Op::Kill,
                       Op::Exec,   Op::Update, Op::Delete, Op::ForceDelete};

Operation model_op(Op op) {
  switch (op) {
    case Op::Create: return Operation::Create;
    case Op::Start: return Operation::Start;
    case Op::Pause: return Operation::Pause;
    case Op::Resume: return Operation::Resume;
    case Op::Kill: return Operation::Kill;
    case Op::Exec: return Operation::Exec;
    case Op::Update: return Operation::Update;
    case Op::Delete: return Operation::Delete;
    case Op::ForceDelete: return Operation::ForceDelete;
  }
  return Operation::State;
}

const char* op_name(Op op) { return to_string(model_op(op)); }

// The model's next status. One deliberate difference from the table:
// `delete --force` of a container that does not exist succeeds, as runc's
// does (clients clean up after a failed create without knowing how far it
// got; see ContainerMissing in runtime/state_store.hpp).
std::optional<Status> model_next(Status s, Op op) {
  if (op == Op::ForceDelete && s == Status::Removed) return Status::Removed;
  return next_status(s, model_op(op));
}

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// What one run of an operation did.
struct Outcome {
  bool ok = false;
  std::string err;
};

// One possible history: the status reached and whether each operation succeeded.
struct History {
  Status end;
  std::vector<bool> ok;
};

// Every history the model allows for `ops` run concurrently from `from`: each
// order of the operations, and the init's exit (after a successful SIGKILL) at
// any point after the kill.
std::vector<History> possible_histories(Status from, const std::vector<Op>& ops) {
  std::vector<History> out;
  std::vector<size_t> order(ops.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  do {
    // exit_at: how many operations (in this order) run before the pending
    // exit is applied; ops.size() + 1 = after all of them.
    for (size_t exit_at = 0; exit_at <= ops.size(); ++exit_at) {
      Status s = from;
      History h{from, std::vector<bool>(ops.size(), false)};
      bool kill_pending = false;
      for (size_t k = 0; k <= ops.size(); ++k) {
        if (kill_pending && k >= exit_at) {
          s = next_status(s, Operation::Exit).value_or(s);
          kill_pending = false;
        }
        if (k == ops.size()) break;
        Op op = ops[order[k]];
        auto next = model_next(s, op);
        h.ok[order[k]] = next.has_value();
        if (next) s = *next;
        if (next && op == Op::Kill) kill_pending = true;
      }
      if (kill_pending) s = next_status(s, Operation::Exit).value_or(s);
      h.end = s;
      out.push_back(h);
    }
  } while (std::next_permutation(order.begin(), order.end()));
  return out;
}

class LifecycleModelTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    Bundle& b = bundle("model");
    // Below ours, in a parent that each sequence's create makes and its
    // delete removes (the sequences run one after the other), so that a
    // killed create may die while it makes the parent too.
    cgroups_path_ = "hull-model-" + std::to_string(::getpid()) + "/c";
    b.config["linux"]["cgroupsPath"] = cgroups_path_;
    b.args({"sleep", "1000"});
    bundle_dir_ = b.dir().string();
  }
  // The container's directories and their parent, each hierarchy's.
  std::vector<std::string> cgroup_dirs_and_parents() const {
    cgroups::Paths p = cgroups::resolve_paths(cgroups_path_, "", cgroups::Host::current());
    std::vector<std::string> dirs;
    for (const auto& [name, dir] : p.v1) dirs.push_back(dir);
    if (!p.v2.empty()) dirs.push_back(p.v2);
    const size_t leaves = dirs.size();
    for (size_t i = 0; i < leaves; ++i) dirs.push_back(dirs[i].substr(0, dirs[i].rfind('/')));
    return dirs;  // leaves first
  }
  // What a failed sequence left: only empty directories go.
  void TearDown() override {
    HullTest::TearDown();
    for (const std::string& d : cgroup_dirs_and_parents()) ::rmdir(d.c_str());
  }

  // exec runs attached, except beside a pause: a process the pause freezes
  // before it exits keeps an attached `hull exec` waiting, rightly, until a
  // resume the step does not send.
  std::vector<std::string> command(Op op, const std::string& id, bool detach_exec = false) const {
    if (op == Op::Exec && detach_exec) return {"exec", "--detach", id, "true"};
    switch (op) {
      case Op::Create: return {"create", "--bundle", bundle_dir_, id};
      case Op::Start: return {"start", id};
      case Op::Pause: return {"pause", id};
      case Op::Resume: return {"resume", id};
      case Op::Kill: return {"kill", id, "KILL"};
      case Op::Exec: return {"exec", id, "true"};
      case Op::Update: return {"update", "--pids-limit", "200", id};
      case Op::Delete: return {"delete", id};
      case Op::ForceDelete: return {"delete", "--force", id};
    }
    return {};
  }

  // The model's refusal message for op from status s (require_transition).
  static std::string refusal(const std::string& id, Status s, Op op) {
    try {
      require_transition(id, s, model_op(op));
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  // The status hull lists for id (Removed when it lists none), and that
  // the list holds nothing else.
  Status listed(const std::string& id, pid_t& pid) {
    ProcResult r = hull({"list", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json list = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(list.is_array()) << r.out;
    Status s = Status::Removed;
    pid = 0;
    if (!list.is_array()) return s;
    for (const auto& c : list) {
      EXPECT_EQ(c.value("id", ""), id) << "a container of another sequence is listed: " << c.dump();
      if (c.value("id", "") != id) continue;
      auto st = status_from_string(c.value("status", ""));
      EXPECT_TRUE(st.has_value()) << c.dump();
      s = st.value_or(Status::Removed);
      pid = c.value("pid", 0);
    }
    if (s == Status::Paused && paused_before_start(id)) s = Status::PausedBeforeStart;
    return s;
  }

  // A created container that was paused lists "paused", as in runc; which
  // of the two it is shows in the record (and in what resume makes of it).
  bool paused_before_start(const std::string& id) const {
    json record = json::parse(read_text_file(state_dir(id) / "state.json"), nullptr, false);
    return record.is_object() && record.value("pausedBeforeStart", false);
  }

  // The kernel's view agrees with status s of id.
  void check_kernel(const std::string& id, Status s, pid_t pid, std::string& cgroup_path) {
    if (auto rec = recorded_init(id)) cgroup_path = rec->cgroup_path;
    bool alive = pid > 0 && pid_alive(pid);
    switch (s) {
      case Status::Created:
      case Status::Running:
      case Status::Paused:
      case Status::PausedBeforeStart: {
        EXPECT_TRUE(alive) << "the init " << pid << " of a " << to_string(s) << " container must be alive";
        ASSERT_FALSE(cgroup_path.empty());
        auto cg = cgroups::Manager::load(cgroup_path);
        std::vector<pid_t> pids = cg.pids();
        EXPECT_NE(std::find(pids.begin(), pids.end(), pid), pids.end()) << "the init is not in its cgroup";
        EXPECT_EQ(cg.frozen(), is_paused(s)) << "frozen must mean paused";
        break;
      }
      case Status::Stopped: EXPECT_FALSE(alive) << "the init of a stopped container is alive"; break;
      case Status::Removed:
        EXPECT_FALSE(fs::exists(state_dir(id))) << "state dir left after the container was removed";
        for (const auto& d : existing_cgroup_dirs(cgroup_path)) ADD_FAILURE() << "cgroup left behind: " << d;
        for (const std::string& d : cgroup_dirs_and_parents())
          if (::access(d.c_str(), F_OK) == 0) ADD_FAILURE() << "cgroup left behind: " << d;
        break;
      case Status::Creating: break;
    }
    // Inits of stopped containers are our children (we are their subreaper):
    // reap them so that nothing but live containers stays.
    reap_exited();
  }

  void reap_exited() {
    for (pid_t child : children_of_self()) {
      auto st = read_pid_stat(child);
      if (st && st->state == 'Z') wait_exit_and_reap(child, milliseconds(1000));
    }
  }

  // A killed init dies asynchronously: wait for it so the model's exit has
  // happened. A pid namespace's init finishes its exit only once the other
  // processes of its namespace are reaped: a detached exec's process is our
  // orphan (seed 600725), so reap those while waiting, as a shim would.
  void settle_kill(pid_t pid) {
    if (pid <= 0) return;
    for (int i = 0; i < 200 && !wait_pid_exit(pid, milliseconds(50)); ++i) reap_container_orphans();
  }

  std::string bundle_dir_;
  std::string cgroups_path_;
};

TEST_F(LifecycleModelTest, RandomSequencesFollowTheModel) {
  const uint64_t seed = env_number("HULL_LIFECYCLE_SEED", std::random_device{}());
  const uint64_t sequences = env_number("HULL_LIFECYCLE_SEQUENCES", 200);
  const uint64_t length = env_number("HULL_LIFECYCLE_LENGTH", 5);
  for (uint64_t n = 0; n < sequences && !HasFailure(); ++n) {
    const uint64_t sequence_seed = seed + n;
    SCOPED_TRACE("reproduce with HULL_LIFECYCLE_SEED=" + std::to_string(sequence_seed) + " HULL_LIFECYCLE_SEQUENCES=1");
    std::mt19937_64 rng(sequence_seed);
    const std::string id = "m" + std::to_string(sequence_seed % 1000000);
    Status model = Status::Removed;
    std::string cgroup_path;
    std::string trace;
    for (uint64_t step = 0; step < length && !HasFailure(); ++step) {
      pid_t pid = 0;
      unsigned kind = rng() % 10;  // 0: two at once, 1: hull killed, else one operation
      Op op = kOps[rng() % std::size(kOps)];
      if (model == Status::Removed && rng() % 2) op = Op::Create;  // spend fewer steps on refusals
      if (kind == 0) {
        Op other = kOps[rng() % std::size(kOps)];
        const bool with_pause = op == Op::Pause || other == Op::Pause;
        trace += std::string(" [") + op_name(op) + " || " + op_name(other) + "]";
        SCOPED_TRACE("steps:" + trace);
        listed(id, pid);
        Child a = hull_background(command(op, id, with_pause)), b = hull_background(command(other, id, with_pause));
        ProcResult ra = finish_reaping_orphans(std::move(a)), rb = finish_reaping_orphans(std::move(b));
        std::vector<History> allowed = possible_histories(model, {op, other});
        // A kill that succeeded, whatever the other operation did: its init
        // dies asynchronously (found by the long mode, seed 200887: kill
        // beside a refused pause, then listed before the init had died).
        // When the other operation was the create, the init's pid is known
        // only now (CI, seed 2873226983: create || kill from removed, then
        // listed as created while the killed init was still dying).
        if ((op == Op::Kill && ra.exit_code == 0) || (other == Op::Kill && rb.exit_code == 0)) {
          if (pid == 0) listed(id, pid);
          settle_kill(pid);
        }
        pid_t now_pid = 0;
        Status seen = listed(id, now_pid);
        bool matches = std::any_of(allowed.begin(), allowed.end(), [&](const History& h) {
          return h.end == seen && h.ok[0] == (ra.exit_code == 0) && h.ok[1] == (rb.exit_code == 0);
        });
        EXPECT_TRUE(matches) << "from " << to_string(model) << ": " << op_name(op) << " exited " << ra.exit_code << " ("
                             << ra.err << "), " << op_name(other) << " exited " << rb.exit_code << " (" << rb.err
                             << "), now " << to_string(seen);
        model = seen;
        check_kernel(id, model, now_pid, cgroup_path);
      } else if (kind == 1) {
        auto delay = std::chrono::microseconds(rng() % 40000);
        trace += std::string(" [") + op_name(op) + " killed after " + std::to_string(delay.count()) + "us]";
        SCOPED_TRACE("steps:" + trace);
        listed(id, pid);
        Child c = hull_background(command(op, id));
        std::this_thread::sleep_for(delay);  // a random moment: the fault, not a synchronisation
        ::kill(c.pid(), SIGKILL);            // a zombie until finish() reaps it: never another process
        ProcResult r = finish_reaping_orphans(std::move(c));
        auto after = model_next(model, op);
        if (after && op == Op::Kill) settle_kill(pid);
        pid_t now_pid = 0;
        Status seen = listed(id, now_pid);
        // A delete killed right after its SIGKILL to the init leaves an init
        // that is about to die: listed created or running until it does, then
        // stopped (CI, seed 3890239469: create [delete --force killed after
        // 11929us], then listed created and stopped a step later). Its kill is
        // pending from the moment the delete's system call returned; a frozen
        // init keeps it pending until thawed, so a paused one is left as it is.
        if ((op == Op::Delete || op == Op::ForceDelete) && (seen == Status::Created || seen == Status::Running) &&
            sigkill_pending(now_pid)) {
          settle_kill(now_pid);
          seen = listed(id, now_pid);
        }
        // Done, not done, or (killed half-way) anything `delete --force` must clear.
        std::set<Status> acceptable{model};
        if (after) acceptable.insert(op == Op::Kill ? *next_status(*after, Operation::Exit) : *after);
        // create dies with an init that cannot go on; delete kills the init
        // before it removes anything: stopped, and a retry finishes. A killed
        // start leaves the init waiting (created) or released (running).
        if (op == Op::Create || (after && (op == Op::Delete || op == Op::ForceDelete)))
          acceptable.insert(Status::Stopped);
        if (op == Op::Create) acceptable.insert(Status::Creating);
        EXPECT_TRUE(acceptable.count(seen)) << "from " << to_string(model) << ": " << op_name(op) << " SIGKILLed (exit "
                                            << r.exit_code << "), now " << to_string(seen);
        model = seen;
        // A half-done operation may leave a half state; the kernel checks
        // apply to what hull now reports, except that a killed pause or
        // resume may leave the freezer between states (hull re-does it).
        if (op != Op::Pause && op != Op::Resume && model != Status::Removed)
          check_kernel(id, model, now_pid, cgroup_path);
        // A delete killed after removing state.json leaves a directory no
        // command lists; delete --force (what clients run after a failure)
        // must clear it, as it must clear a half-done pause or create. A
        // killed start needs no help: the sequence goes on from what it left.
        if (op == Op::Pause || op == Op::Resume || model == Status::Creating || model == Status::Removed) {
          // Make the state definite again for the next steps.
          ProcResult d = finish_reaping_orphans(hull_background({"delete", "--force", id}));
          EXPECT_EQ(d.exit_code, 0) << "delete --force after a killed " << op_name(op) << ": " << d.err;
          model = listed(id, now_pid);
          EXPECT_EQ(model, Status::Removed);
          check_kernel(id, model, 0, cgroup_path);
          trace += " [delete --force]";
        }
      } else {
        trace += std::string(" ") + op_name(op);
        SCOPED_TRACE("steps:" + trace);
        listed(id, pid);
        ProcResult r = finish_reaping_orphans(hull_background(command(op, id)));
        auto next = model_next(model, op);
        if (next) {
          EXPECT_EQ(r.exit_code, 0) << op_name(op) << " from " << to_string(model) << " must succeed: " << r.err;
          model = op == Op::Kill ? *next_status(*next, Operation::Exit) : *next;
          if (op == Op::Kill) settle_kill(pid);
        } else {
          EXPECT_NE(r.exit_code, 0) << op_name(op) << " from " << to_string(model) << " must be refused";
          std::string want = refusal(id, model, op);
          EXPECT_NE(r.err.find(want), std::string::npos)
              << op_name(op) << " from " << to_string(model) << ": want " << want << ", got " << r.err;
        }
        pid_t now_pid = 0;
        Status seen = listed(id, now_pid);
        EXPECT_EQ(describe(seen), describe(model)) << "after " << op_name(op);
        model = seen;
        check_kernel(id, model, now_pid, cgroup_path);
      }
    }
    // Whatever the sequence left, delete --force clears it completely.
    ProcResult d = finish_reaping_orphans(hull_background({"delete", "--force", id}));
    EXPECT_TRUE(d.exit_code == 0 || model == Status::Removed) << d.err;
    pid_t pid = 0;
    EXPECT_EQ(listed(id, pid), Status::Removed);
    check_kernel(id, Status::Removed, 0, cgroup_path);
    if (HasFailure()) std::cerr << "sequence seed " << sequence_seed << ":" << trace << "\n";
  }
}

}  // namespace
}  // namespace hull::itest
