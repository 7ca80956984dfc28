// events: the container's cgroup statistics and OOM notifications as runc's
// JSON lines. The stream waits on fds only: the init's pidfd (the container
// stopped), a timerfd (the interval) and the OOM watch of the memory cgroup.
#include <poll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/resctrl.hpp"
#include "runtime/init_pidfd.hpp"
#include "runtime/operations.hpp"
#include "runtime/start_barrier.hpp"
#include "runtime/units.hpp"

namespace hull {

namespace {

using Json = nlohmann::ordered_json;

// A failed write (the reader gone with SIGPIPE ignored, as systemd's
// services have it, or the disk full) ends the stream, which would
// otherwise run as long as the container.
void print_event(int out, const char* type, const std::string& id, const nlohmann::json* data) {
  Json e = {{"type", type}, {"id", id}};
  if (data) e["data"] = *data;
  try {
    write_all(out, e.dump() + '\n', "standard output");
  } catch (const Error& failed) {
    throw Error("write the events to standard output", failed.code());
  }
}

// The container's resctrl groups, for its "intel_rdt" statistics: none when
// it has none, or when the resctrl file system is gone since (the cgroups'
// statistics still come).
struct RdtSource {
  std::string mount;
  resctrl::Groups groups;
};

std::optional<RdtSource> rdt_source(const ContainerState& st) {
  resctrl::Groups groups = resctrl::Groups::recorded(st.extra, st.id);
  if (groups.empty()) return std::nullopt;
  try {
    return RdtSource{resctrl::mount_point(), std::move(groups)};
  } catch (const Error&) {
    return std::nullopt;
  }
}

void print_stats(int out, const std::string& id, const cgroups::Manager& cg, const std::optional<RdtSource>& rdt) {
  nlohmann::json data = cg.stats();
  if (rdt) data["intel_rdt"] = resctrl::stats(rdt->mount, rdt->groups);
  print_event(out, "stats", id, &data);
}

UniqueFd interval_timer(std::chrono::nanoseconds interval) {
  int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (fd < 0) throw_errno("timerfd_create for the stats interval");
  UniqueFd timer(fd);
  itimerspec spec{};
  spec.it_interval.tv_sec = static_cast<time_t>(interval.count() / 1000000000);
  spec.it_interval.tv_nsec = static_cast<long>(interval.count() % 1000000000);
  spec.it_value = spec.it_interval;
  if (::timerfd_settime(fd, 0, &spec, nullptr) < 0) throw_errno("timerfd_settime for the stats interval");
  return timer;
}

}  // namespace

void container_events(const GlobalOptions& g, const EventsOptions& o, int out) {
  std::chrono::nanoseconds interval = with_context("--interval", [&] { return parse_go_duration(o.interval); });
  if (interval.count() <= 0) throw Error("--interval: the duration must be greater than 0, got " + quote(o.interval));
  // No lock: the stream runs as long as the container and must not block
  // other commands.
  validate_container_id(o.id);
  ContainerState st = peek_created(StateStore(g.root), o.id);
  if (st.status == Status::Stopped) throw Error("container " + quote(o.id) + " is not running (it is stopped)");
  if (st.cgroupPath.empty())
    throw Error("events of container " + quote(o.id) +
                ": it has no cgroup to read (a rootless container without a cgroup the user may write)");
  cgroups::Manager cg = cgroups::Manager::load(st.cgroupPath);
  const std::optional<RdtSource> rdt = rdt_source(st);
  if (o.stats) {
    print_stats(out, o.id, cg, rdt);
    return;
  }

  UniqueFd init = open_init_pidfd(st);
  if (!init) return;  // stopped meanwhile
  UniqueFd timer = interval_timer(interval);
  cgroups::OomWatch oom = cg.watch_oom();
  for (;;) {
    pollfd fds[3] = {{oom.fd(), oom.poll_events(), 0}, {timer.get(), POLLIN, 0}, {init.get(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll for container events");
    }
    // An OOM kill of the init shows up with its exit: report it first.
    if (fds[0].revents != 0 && oom.consume() > 0) print_event(out, "oom", o.id, nullptr);
    if (fds[2].revents != 0) return;
    if (fds[1].revents != 0) {
      uint64_t ticks = 0;
      if (::read(timer.get(), &ticks, sizeof ticks) == sizeof ticks) print_stats(out, o.id, cg, rdt);
    }
  }
}

}  // namespace hull
