#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/passwd.hpp"
#include "base/shown_text.hpp"
#include "base/utf8.hpp"
#include "cli/cli.hpp"
#include "cli/output.hpp"

namespace hull::cli {

namespace {

struct ListArgs {
  std::string format = "table";
  bool quiet = false;
};

// The user name of a uid as runc shows it, "#<uid>" when the uid has no name.
// The cache's strings stay put: table rows view them.
const std::string& owner_name(uid_t uid) {
  static std::map<uid_t, std::string> cache;
  auto it = cache.find(uid);
  if (it != cache.end()) return it->second;
  return cache[uid] = user_name(uid).value_or("#" + std::to_string(uid));
}

// A table row's cells, viewing the listed states (pid and bundle are made).
struct Row {
  std::string_view id;
  std::string pid;
  std::string_view status;
  std::string bundle;
  std::string_view created, owner;
};

std::vector<Row> rows_of(const std::vector<ContainerSummary>& containers) {
  std::vector<Row> rows;
  rows.reserve(containers.size() + 1);
  rows.push_back({"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
  for (const auto& c : containers) {
    const ContainerState& s = c.state;
    // A stopped container's pid may already belong to another process.
    pid_t pid = s.status == Status::Stopped ? 0 : s.pid;
    // The bundle as a table's cell shows it: a newline or an escape sequence
    // in its path could forge a row or act on the terminal (runc prints it raw).
    rows.push_back(
        {s.id, std::to_string(pid), to_string(s.status), shown_text(s.bundle), s.created, owner_name(s.owner)});
  }
  return rows;
}

// runc's layout (text/tabwriter, minwidth 12, padding 3): every column but
// the last is padded to max(12, widest cell + 3), widths in code points. The table is built in one
// buffer and written once.
void print_table(const std::vector<Row>& rows) {
  auto cells = [](const Row& r) { return std::array<std::string_view, 5>{r.id, r.pid, r.status, r.bundle, r.created}; };
  std::array<size_t, 5> width{};
  for (const Row& r : rows) {
    auto c = cells(r);
    for (size_t i = 0; i < c.size(); ++i) width[i] = std::max(width[i], utf8_width(c[i]));
  }
  size_t line_size = 1;
  for (size_t& w : width) line_size += w = std::max<size_t>(12, w + 3);
  std::string out;
  out.reserve(rows.size() * (line_size + 16));
  for (const Row& r : rows) {
    auto c = cells(r);
    for (size_t i = 0; i < c.size(); ++i) {
      out += c[i];
      out.append(width[i] - utf8_width(c[i]), ' ');
    }
    out += r.owner;
    out += '\n';
  }
  print(out);
}

// runc's JSON: one compact array of its containerState objects. An empty
// list prints [] (runc prints null), which every JSON reader can iterate.
void print_json(const std::vector<ContainerSummary>& containers) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& c : containers) {
    const ContainerState& s = c.state;
    nlohmann::ordered_json j = {
        {"ociVersion", s.ociVersion},    {"id", s.id},         {"pid", s.status == Status::Stopped ? 0 : s.pid},
        {"status", to_string(s.status)}, {"bundle", s.bundle}, {"rootfs", s.rootfs},
        {"created", s.created},
    };
    if (!s.annotations.empty()) j["annotations"] = s.annotations;
    j["owner"] = owner_name(s.owner);
    out.push_back(std::move(j));
  }
  // Replace rather than throw on invalid UTF-8 in an annotation.
  print(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n');
}

}  // namespace

Verb setup_list(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("list", "list the containers under --root");
  auto a = std::make_shared<ListArgs>();
  command->add_option("-f,--format", a->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  command->add_flag("-q,--quiet", a->quiet, "print only the container ids");
  return {command, [&ctx, a] {
            auto containers = list_containers(ctx.global);
            if (a->quiet) {
              std::string ids;
              for (const auto& c : containers) ids.append(c.state.id) += '\n';
              print(ids);
            } else if (a->format == "json") {
              print_json(containers);
            } else {
              print_table(rows_of(containers));
            }
            return 0;
          }};
}

}  // namespace hull::cli
