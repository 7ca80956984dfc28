#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/passwd.hpp"
#include "cli/cli.hpp"

namespace hull::cli {

namespace {

struct ListArgs {
  std::string format = "table";
  bool quiet = false;
};

// The user name of a uid as runc shows it, "#<uid>" when the uid has no name.
std::string owner_name(uid_t uid) {
  static std::map<uid_t, std::string> cache;
  auto it = cache.find(uid);
  if (it != cache.end()) return it->second;
  return cache[uid] = user_name(uid).value_or("#" + std::to_string(uid));
}

struct Row {
  std::string id, pid, status, bundle, created, owner;
};

std::vector<Row> rows_of(const std::vector<ContainerSummary>& containers) {
  std::vector<Row> rows;
  for (const auto& c : containers) {
    const ContainerState& s = c.state;
    // A stopped container's pid may already belong to another process.
    pid_t pid = s.status == Status::Stopped ? 0 : s.pid;
    rows.push_back({s.id, std::to_string(pid), to_string(s.status), s.bundle, s.created, owner_name(s.owner)});
  }
  return rows;
}

// runc's layout (text/tabwriter, minwidth 12, padding 3): every column but
// the last is padded to max(12, widest cell + 3).
void print_table(const std::vector<Row>& rows) {
  std::vector<Row> all = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  all.insert(all.end(), rows.begin(), rows.end());
  std::string Row::*columns[] = {&Row::id, &Row::pid, &Row::status, &Row::bundle, &Row::created};
  std::vector<size_t> width;
  for (auto column : columns) {
    size_t w = 0;
    for (const auto& r : all) w = std::max(w, (r.*column).size());
    width.push_back(std::max<size_t>(12, w + 3));
  }
  for (const auto& r : all) {
    std::string line;
    for (size_t i = 0; i < width.size(); ++i) {
      line += r.*columns[i];
      line.append(width[i] - (r.*columns[i]).size(), ' ');
    }
    std::cout << line << r.owner << '\n';
  }
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
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
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
              for (const auto& c : containers) std::cout << c.state.id << '\n';
            } else if (a->format == "json") {
              print_json(containers);
            } else {
              print_table(rows_of(containers));
            }
            std::cout << std::flush;
            return 0;
          }};
}

}  // namespace hull::cli
