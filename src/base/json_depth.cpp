#include "base/json_depth.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/error.hpp"

namespace hull {

namespace {

// Where the scan is in one open array or object: its member key (raw JSON
// text, escapes kept) or element index.
struct Frame {
  bool object = false;
  bool expecting_key = false;
  std::string_view key;
  size_t index = 0;
};

// The JSON path of the value being opened, as config errors write paths
// (.linux.sysctl["kernel.shmmax"][0]); only its first components, so a
// refused document thousands of levels deep gives a short message.
std::string path_of(const std::vector<Frame>& frames) {
  constexpr size_t kShown = 6;
  std::string path;
  for (size_t i = 0; i < frames.size() && i < kShown; ++i) {
    const Frame& f = frames[i];
    if (!f.object) {
      path += "[" + std::to_string(f.index) + "]";
    } else if (!f.key.empty() && !std::isdigit(static_cast<unsigned char>(f.key[0])) &&
               std::all_of(f.key.begin(), f.key.end(),
                           [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; })) {
      path += "." + std::string(f.key);
    } else {
      path += "[\"" + std::string(f.key) + "\"]";
    }
  }
  if (frames.size() > kShown) path += "...";
  return path.empty() ? "." : path;
}

}  // namespace

void check_json_depth(std::string_view text, const std::string& file_name, size_t limit) {
  std::vector<Frame> frames;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      size_t start = i + 1;
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;  // the escaped character cannot end the string
      if (!frames.empty() && frames.back().object && frames.back().expecting_key) {
        frames.back().key = text.substr(start, std::min(i, text.size()) - start);
        frames.back().expecting_key = false;
      }
    } else if (c == '[' || c == '{') {
      if (frames.size() + 1 > limit) {
        size_t line = 1, column = 1;
        for (size_t j = 0; j < i; ++j) {
          if (text[j] == '\n') {
            ++line;
            column = 1;
          } else {
            ++column;
          }
        }
        throw Error(file_name + ": " + path_of(frames) + ": JSON nested deeper than " + std::to_string(limit) +
                    " levels (line " + std::to_string(line) + ", column " + std::to_string(column) + ")");
      }
      frames.push_back(Frame{c == '{', c == '{', {}, 0});
    } else if ((c == ']' || c == '}') && !frames.empty()) {
      frames.pop_back();
    } else if (c == ',' && !frames.empty()) {
      if (frames.back().object)
        frames.back().expecting_key = true;
      else
        ++frames.back().index;
    }
  }
}

}  // namespace hull
