#pragma once
// Which hierarchy carries each resource: a controller mounted as v1 is used
// through v1 (hybrid and legacy hosts); otherwise the cgroup2 mount, if it
// offers the controller; otherwise the limit cannot be honoured and that is
// an error naming the field, the controller and the host's layout.
#include <set>
#include <string>

#include "cgroups/cgroup_manager.hpp"
#include "cgroups/resources.hpp"

namespace hull::cgroups {

class Router {
 public:
  Router(const Host& host, const Paths& paths) : host_(host), paths_(paths) {}

  // Throws if some configured limit has no controller on this host, or a
  // unified key is invalid. Writes nothing.
  void check(const spec::Resources& r) const { walk(r, nullptr, nullptr); }
  // v2 controllers the resources need enabled in the parent's subtree_control.
  std::set<std::string> v2_controllers(const spec::Resources& r) const {
    std::set<std::string> s;
    walk(r, nullptr, &s);
    return s;
  }
  // Writes every configured limit (devices excepted: see Manager).
  void apply(const spec::Resources& r, const ApplyOptions& o) const { walk(r, &o, nullptr); }

  // The container's directory in the v1 hierarchy holding controller, or "".
  std::string v1_dir(const std::string& controller) const;

 private:
  struct Target {
    bool v2 = false;
    std::string dir;
  };
  Target route(const char* field, const char* v1_name, const char* v2_name) const;
  void walk(const spec::Resources& r, const ApplyOptions* o, std::set<std::string>* v2_needed) const;

  const Host& host_;
  const Paths& paths_;
};

}  // namespace hull::cgroups
