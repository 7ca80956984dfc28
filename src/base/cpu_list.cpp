#include "base/cpu_list.hpp"

#include <charconv>
#include <string>

#include "base/error.hpp"

namespace hull {
namespace {

unsigned parse_number(std::string_view s, std::string_view list, std::string_view what) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    throw Error(std::string(what) + ": malformed list " + quote(list) + " (expected e.g. \"0-3,7\")");
  return v;
}

}  // namespace

std::vector<unsigned> parse_cpu_list(std::string_view list, std::string_view what) {
  std::vector<unsigned> out;
  std::string_view rest = list;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    size_t dash = item.find('-');
    unsigned lo = parse_number(item.substr(0, dash), list, what);
    unsigned hi = dash == std::string_view::npos ? lo : parse_number(item.substr(dash + 1), list, what);
    if (hi < lo || hi >= 65536) throw Error(std::string(what) + ": bad range " + quote(item) + " in " + quote(list));
    for (unsigned c = lo; c <= hi; ++c) out.push_back(c);
  }
  return out;
}

}  // namespace hull
