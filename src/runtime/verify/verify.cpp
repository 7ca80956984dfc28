// hull verify: gathers the container once, runs every group of checks, and
// formats the rows.
#include "runtime/verify/verify.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/shown_text.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/verify/target.hpp"

namespace hull::verify {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Holds: return "holds";
    case Verdict::Violated: return "violated";
    case Verdict::CannotTell: return "cannot tell";
  }
  return "?";
}

const spec::Linux& Target::linux_section() const {
  static const spec::Linux empty;
  return spec.linux_ ? *spec.linux_ : empty;
}

void Report::holds(std::string property, std::string config, std::string kernel) {
  rows.push_back({std::move(property), std::move(config), std::move(kernel), Verdict::Holds, ""});
}
void Report::violated(std::string property, std::string config, std::string kernel, std::string why) {
  rows.push_back({std::move(property), std::move(config), std::move(kernel), Verdict::Violated, std::move(why)});
}
void Report::cannot_tell(std::string property, std::string config, std::string why) {
  cannot_tell(std::move(property), std::move(config), "?", std::move(why));
}
void Report::cannot_tell(std::string property, std::string config, std::string kernel, std::string why) {
  rows.push_back({std::move(property), std::move(config), std::move(kernel), Verdict::CannotTell, std::move(why)});
}
void Report::check(bool ok, std::string property, std::string config, std::string kernel, std::string why) {
  if (ok)
    holds(std::move(property), std::move(config), std::move(kernel));
  else
    violated(std::move(property), std::move(config), std::move(kernel), std::move(why));
}

std::map<std::string, std::string> proc_status(pid_t pid) {
  std::map<std::string, std::string> out;
  std::string text;
  try {
    text = read_file("/proc/" + std::to_string(pid) + "/status");
  } catch (const Error&) {
    return out;
  }
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t v = line.find_first_not_of(" \t", colon + 1);
    out[line.substr(0, colon)] = v == std::string::npos ? "" : line.substr(v);
  }
  return out;
}

std::string proc_link(pid_t pid, const std::string& name) {
  return read_link("/proc/" + std::to_string(pid) + "/" + name);
}

std::string read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

namespace {

Target gather(const GlobalOptions& g, const std::string& id) {
  validate_container_id(id);
  StateStore store(g.root);
  Target t;
  // No lock, like `state` and `ps`: verify only reads and must not queue
  // behind a long-held lock (an attached exec).
  t.state = store.peek(id);
  Status status = live_status(t.state);
  if (status != Status::Running && status != Status::Paused)
    throw Error(std::string("container ") + quote(id) + " is " + describe(status) +
                ": only a started container, running or paused, can be verified");
  std::string saved = store.root() + "/" + id + "/" + kSavedConfigName;
  t.spec = spec::parse_config(read_file(saved), saved);
  t.pid = t.state.pid;
  // As the init's fd links show it: through no symlink (/var/run).
  char* real = ::realpath(store.root().c_str(), nullptr);
  t.state_root = real ? real : store.root();
  std::free(real);
  if (auto it = t.state.extra.find(kPreserveFdsKey); it != t.state.extra.end()) {
    size_t used = 0;
    try {
      t.preserved_fds = std::stoi(it->second, &used);
    } catch (const std::exception&) {}
    if (used == 0 || used != it->second.size() || t.preserved_fds < 0)
      throw Error("state.json: " + std::string(kPreserveFdsKey) + ": not a count: " + quote(it->second));
  }
  if (!t.state.cgroupPath.empty()) {
    t.cgroup.emplace(cgroups::Manager::load(t.state.cgroupPath));
    t.pids = t.cgroup->pids();
  }
  std::string proc = "/proc/" + std::to_string(t.pid);
  t.mounts = parse_mountinfo(read_file(proc + "/mountinfo"));
  t.root = open_fd(proc + "/root", O_PATH | O_DIRECTORY);
  // The init may have exited while we read: then nothing read is its.
  if (live_status(t.state) == Status::Stopped)
    throw Error(std::string("container ") + quote(id) + " stopped while it was being verified");
  return t;
}

}  // namespace

std::vector<Row> verify_container(const GlobalOptions& g, const std::string& id) {
  return with_context("verify container " + quote(id), [&] {
    Target t = gather(g, id);
    Report r;
    check_namespaces(t, r);
    check_root_and_mounts(t, r);
    check_cgroup_limits(t, r);
    check_devices(t, r);
    check_cgroup_members(t, r);
    check_init(t, r);
    check_processes(t, r);
    return r.rows;
  });
}

bool all_hold(const std::vector<Row>& rows) {
  return std::none_of(rows.begin(), rows.end(), [](const Row& r) { return r.verdict == Verdict::Violated; });
}

std::string format_table(const std::vector<Row>& rows) {
  // Cells hold what the container controls (file names, link targets), for
  // the admin's terminal: one line each, nothing a terminal acts on.
  struct Cells {
    std::string property, config, kernel, verdict;
  };
  std::vector<Cells> cells;
  cells.reserve(rows.size());
  size_t w_prop = 8, w_config = 6, w_kernel = 6;
  for (const Row& r : rows) {
    std::string verdict = to_string(r.verdict);
    if (!r.why.empty()) verdict += " (" + r.why + ")";
    cells.push_back({shown_text(r.property), shown_text(r.config), shown_text(r.kernel), shown_text(verdict)});
    w_prop = std::max(w_prop, cells.back().property.size());
    w_config = std::max(w_config, cells.back().config.size());
    w_kernel = std::max(w_kernel, cells.back().kernel.size());
  }
  auto pad = [](const std::string& s, size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  std::string out = pad("PROPERTY", w_prop) + pad("CONFIG", w_config) + pad("KERNEL", w_kernel) + "VERDICT\n";
  for (const Cells& c : cells)
    out += pad(c.property, w_prop) + pad(c.config, w_config) + pad(c.kernel, w_kernel) + c.verdict + "\n";
  return out;
}

std::string format_json(const std::vector<Row>& rows) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Row& r : rows)
    out.push_back(nlohmann::ordered_json{{"property", r.property},
                                         {"config", r.config},
                                         {"kernel", r.kernel},
                                         {"verdict", to_string(r.verdict)},
                                         {"why", r.why}});
  return out.dump(2) + "\n";
}

}  // namespace hull::verify
