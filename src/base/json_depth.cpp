#include "base/json_depth.hpp"

#include "base/error.hpp"

namespace hull {

void check_json_depth(std::string_view text, const std::string& file_name, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth <= limit) continue;
      size_t line = 1, column = 1;
      for (size_t j = 0; j < i; ++j) {
        if (text[j] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      throw Error(file_name + ": JSON nested deeper than " + std::to_string(limit) + " levels (line " +
                  std::to_string(line) + ", column " + std::to_string(column) + ")");
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

}  // namespace hull
