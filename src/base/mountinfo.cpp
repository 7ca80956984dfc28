#include "base/mountinfo.hpp"

#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/text.hpp"

namespace hull {
namespace {

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
      out += static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::vector<MountInfo> parse_mountinfo(std::string_view text, KeepFsType keep) {
  std::vector<MountInfo> out;
  while (!text.empty()) {
    const std::string_view line = next_line(text);
    std::string_view rest = line;
    const std::string_view id = next_word(rest);
    if (id.empty()) continue;
    auto fail = [&] { return Error("mountinfo: cannot parse line " + quote(std::string(line))); };
    const std::optional<int> mount_id = whole_number<int>(id), parent = whole_number<int>(next_word(rest));
    const std::string_view devno = next_word(rest), root = next_word(rest), mp = next_word(rest),
                           options = next_word(rest);
    if (!mount_id || !parent || devno.empty() || root.empty() || mp.empty() || options.empty()) throw fail();
    const std::string_view optional_fields = rest;
    std::string_view word = next_word(rest);
    while (!word.empty() && word != "-") word = next_word(rest);
    const std::string_view fs_type = next_word(rest), source = next_word(rest);
    if (source.empty()) throw fail();
    if (keep && !keep(fs_type)) continue;
    MountInfo m;
    m.id = *mount_id;
    m.parent = *parent;
    m.root = unescape(root);
    m.mount_point = unescape(mp);
    m.options = options;
    std::string_view fields = optional_fields;
    for (word = next_word(fields); !word.empty() && word != "-"; word = next_word(fields))
      m.optional.emplace_back(word);
    m.fs_type = fs_type;
    m.source = unescape(source);
    m.super_options = next_word(rest);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<MountInfo> read_mountinfo(KeepFsType keep) {
  return parse_mountinfo(read_file("/proc/self/mountinfo"), keep);
}

}  // namespace hull
