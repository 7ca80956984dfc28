#include "rootfs/mountinfo.hpp"

#include <sstream>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace hull::rootfs {
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

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
  std::vector<MountInfo> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream ls(line);
    MountInfo m;
    std::string devno, root, mp, word;
    if (!(ls >> m.id >> m.parent >> devno >> root >> mp >> m.options)) {
      throw Error("mountinfo: cannot parse line " + quote(line));
    }
    m.root = unescape(root);
    m.mount_point = unescape(mp);
    while (ls >> word && word != "-") m.optional.push_back(word);
    std::string source;
    if (!(ls >> m.fs_type >> source)) throw Error("mountinfo: cannot parse line " + quote(line));
    m.source = unescape(source);
    ls >> m.super_options;
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<MountInfo> read_mountinfo() { return parse_mountinfo(read_file("/proc/self/mountinfo")); }

}  // namespace hull::rootfs
