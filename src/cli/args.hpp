#pragma once
#include <set>
#include <string>
#include <vector>

namespace hull::cli {

// runc's flag parser (Go's flag package) accepts "-root x" and "-bundle=x" as
// well as "--root x"; scripts written for runc use both. Rewrites a
// single-dash argument whose name is one of long_names into the "--" form.
// Stops at "--", so arguments meant for a container process are never touched.
std::vector<std::string> normalize_single_dash(std::vector<std::string> args,
                                               const std::set<std::string>& long_names);

}  // namespace hull::cli
