#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"

namespace hull::cli {

// The flags of one parser level (global, or global + one verb's).
struct FlagSet {
  std::set<std::string> long_names;  // "root", "bundle", ...
  std::set<std::string> with_value;  // names (long or short) whose value may be the next argument
  std::map<std::string, std::string> long_of_short;  // "q" -> "quiet", for "-q=false"
};

// runc's flag parser (Go's flag package) accepts "-root x", "-bundle=x" and
// "-q=false" as well as "--root x", and scripts written for runc use them.
// Rewrites a single-dash long flag, a one-letter flag with "=", and a
// one-letter flag after two dashes, into the "--" form CLI11 expects
// ("-q=false" is "--quiet=false": CLI11 would read "=false" as more
// letters; "--f" is "--force").
//
// As runc's command library reorders flags before the container id except
// for exec and ps, flags after the id are rewritten too ("delete web
// -force"), but for exec and ps it stops at the id, and for every verb at
// "--": what follows is the container process's own arguments (`hull exec
// web grep -env x` must keep "-env"). A "--" before exec's or ps's id is
// dropped, as Go's parser ends the flags there.
//
// A true/false flag given "=" with nothing (or CLI11's "{}") after it is
// refused as runc refuses it: CLI11 would read it as true. Throws
// RefusedFlagValue, its what() the message ("--quiet: invalid boolean ...").
//
// The help and version flags given a value are read as runc reads them:
// false drops the flag, true is the flag, anything else is refused. After
// the verb, runc knows no version flag: "-v", "--version" and a cluster of
// letters with a "v" or an "h" in it ("-fv", "-qh") are refused as unknown
// there (CLI11 printed the version or help, 0, and left the verb undone).
std::vector<std::string> normalize_single_dash(std::vector<std::string> args, const FlagSet& global,
                                               const std::map<std::string, FlagSet>& verbs);

struct RefusedFlagValue : Error {
  RefusedFlagValue(const std::string& message, std::string verb) : Error(message), verb(std::move(verb)) {}
  std::string verb;  // the command the flag was given to; "" for a global flag
};

// "list: unknown flag \"-v\"": a flag the verb does not take.
std::string unknown_flag_message(const std::string& verb, const std::string& flag);

// "-h", "--help", "-help=true"...: a form of the help flag.
bool is_help_flag(const std::string& arg);
// Why a true/false flag's value is refused: every value but Go's booleans.
std::string invalid_boolean_value(const std::string& value);
// What Go's strconv.ParseBool takes, runc's reading of a true/false value.
std::optional<bool> parse_go_bool(const std::string& v);

}  // namespace hull::cli
