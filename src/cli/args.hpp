#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

namespace hull::cli {

// The flags of one parser level (global, or global + one verb's).
struct FlagSet {
  std::set<std::string> long_names;  // "root", "bundle", ...
  std::set<std::string> with_value;  // names (long or short) whose value may be the next argument
};

// runc's flag parser (Go's flag package) accepts "-root x" and "-bundle=x" as
// well as "--root x", and scripts written for runc use both. Rewrites such a
// single-dash long flag into the "--" form CLI11 expects.
//
// Like Go's parser it stops at the first positional argument after the verb
// (the container id), and at "--": what follows may be a container process's
// own arguments (`hull exec web grep -env x` must keep "-env").
std::vector<std::string> normalize_single_dash(std::vector<std::string> args, const FlagSet& global,
                                               const std::map<std::string, FlagSet>& verbs);

}  // namespace hull::cli
