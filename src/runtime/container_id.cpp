#include "runtime/container_id.hpp"

#include <climits>

#include <algorithm>
#include <string>

#include "base/error.hpp"

namespace hull {
namespace {

constexpr size_t kMaxIdLength = 1024;

// runc's [\w+-\.]: "+-\." is a range in that class, '+' to '.', so ',' is in it.
bool id_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
         c == ',' || c == '-' || c == '.';
}

// The id as an error message shows it: control and non-ASCII bytes escaped so a
// hostile id cannot drive the user's terminal, long ids cut short.
std::string shown_id(std::string_view id) {
  constexpr size_t kShown = 64;
  std::string out = "\"";
  for (size_t i = 0; i < id.size() && i < kShown; ++i) {
    auto c = static_cast<unsigned char>(id[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (id.size() > kShown) out += "...";
  out += '"';
  return out;
}

}  // namespace

const char* container_id_problem(std::string_view id) {
  if (id.empty()) return "it must not be empty";
  if (id.size() > kMaxIdLength) return "it is longer than 1024 bytes";
  if (!std::all_of(id.begin(), id.end(), id_char_ok)) return "only letters, digits and _+,.- are allowed";
  if (id == "." || id == "..") return "\".\" and \"..\" are not allowed";
  return nullptr;
}

void validate_container_id(std::string_view id) {
  if (const char* why = container_id_problem(id)) throw Error("invalid container id " + shown_id(id) + ": " + why);
}

void validate_new_container_id(std::string_view id) {
  validate_container_id(id);
  if (id.size() > NAME_MAX)
    throw Error("invalid container id " + shown_id(id) +
                ": it is longer than 255 bytes, the longest name its state directory can have");
}

}  // namespace hull
