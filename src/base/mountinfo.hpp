#pragma once
// /proc/<pid>/mountinfo, parsed (proc(5)).
#include <string>
#include <string_view>
#include <vector>

namespace hull {

struct MountInfo {
  int id = 0;
  int parent = 0;
  std::string root;                   // path of the mount's root inside its filesystem
  std::string mount_point;            // relative to the reader's root
  std::string options;                // per-mount options: "rw,nosuid,relatime"
  std::vector<std::string> optional;  // "shared:12", "master:3", ...
  std::string fs_type;
  std::string source;
  std::string super_options;  // "rw,mode=755"
};

// Only the mounts of file system types `keep` takes (null: all).
using KeepFsType = bool (*)(std::string_view fs_type);

// Parses mountinfo text; octal escapes (\040) in paths are decoded. A line
// `keep` refuses is skipped before any of it is copied: a busy node's table
// holds hundreds of mounts, and a caller after one type pays for its lines only.
std::vector<MountInfo> parse_mountinfo(std::string_view text, KeepFsType keep = nullptr);
// Reads and parses /proc/self/mountinfo.
std::vector<MountInfo> read_mountinfo(KeepFsType keep = nullptr);

}  // namespace hull
