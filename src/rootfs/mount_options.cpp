#include "rootfs/mount_options.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "base/error.hpp"
#include "rootfs/libmount_optmap.hpp"

namespace hull::rootfs {
namespace {

constexpr unsigned long kPropagationFlags = MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE;
constexpr unsigned long kAtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

// The recursive attributes of the OCI "Linux mount options" table, applied
// with mount_setattr(AT_RECURSIVE). libmount has no table for these.
struct RecursiveOption {
  std::string_view name;
  uint64_t set;
  uint64_t clear;
  std::optional<uint64_t> atime;
  // `atime` is the mode the option turns off: the kernel's default,
  // relatime, where an option before it chose that mode, as mount(8)'s
  // atime, norelatime and nostrictatime; any other mode stays (one chosen
  // before it, or a bind source's own, as a bind remount without an atime
  // flag keeps it).
  bool turns_atime_off = false;
};
constexpr RecursiveOption kRecursiveOptions[] = {
    {"rro", MOUNT_ATTR_RDONLY, 0, {}},
    {"rrw", 0, MOUNT_ATTR_RDONLY, {}},
    {"rnosuid", MOUNT_ATTR_NOSUID, 0, {}},
    {"rsuid", 0, MOUNT_ATTR_NOSUID, {}},
    {"rnodev", MOUNT_ATTR_NODEV, 0, {}},
    {"rdev", 0, MOUNT_ATTR_NODEV, {}},
    {"rnoexec", MOUNT_ATTR_NOEXEC, 0, {}},
    {"rexec", 0, MOUNT_ATTR_NOEXEC, {}},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0, {}},
    {"rdiratime", 0, MOUNT_ATTR_NODIRATIME, {}},
    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0, {}},
    {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW, {}},
    // The atime mode is one value.
    {"rrelatime", 0, 0, MOUNT_ATTR_RELATIME},
    {"rnorelatime", 0, 0, MOUNT_ATTR_RELATIME, true},
    {"ratime", 0, 0, MOUNT_ATTR_NOATIME, true},
    {"rnoatime", 0, 0, MOUNT_ATTR_NOATIME},
    {"rstrictatime", 0, 0, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", 0, 0, MOUNT_ATTR_STRICTATIME, true},
};

// Options of ours that are neither flags nor data.
constexpr std::string_view kTmpcopyup = "tmpcopyup";
// "defaults" means "no flags" to mount(8); passed as data it would make
// tmpfs and friends fail with EINVAL.
constexpr std::string_view kDefaults = "defaults";
constexpr std::string_view kIdmap = "idmap";
constexpr std::string_view kRidmap = "ridmap";

struct FlagName {
  unsigned long flag;
  const char* name;
};
constexpr FlagName kFlagNames[] = {
    {MS_RDONLY, "MS_RDONLY"},
    {MS_NOSUID, "MS_NOSUID"},
    {MS_NODEV, "MS_NODEV"},
    {MS_NOEXEC, "MS_NOEXEC"},
    {MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
    {MS_REMOUNT, "MS_REMOUNT"},
    {MS_MANDLOCK, "MS_MANDLOCK"},
    {MS_DIRSYNC, "MS_DIRSYNC"},
    {MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"},
    {MS_NOATIME, "MS_NOATIME"},
    {MS_NODIRATIME, "MS_NODIRATIME"},
    {MS_BIND, "MS_BIND"},
    {MS_MOVE, "MS_MOVE"},
    {MS_REC, "MS_REC"},
    {MS_SILENT, "MS_SILENT"},
    {MS_POSIXACL, "MS_POSIXACL"},
    {MS_UNBINDABLE, "MS_UNBINDABLE"},
    {MS_PRIVATE, "MS_PRIVATE"},
    {MS_SLAVE, "MS_SLAVE"},
    {MS_SHARED, "MS_SHARED"},
    {MS_RELATIME, "MS_RELATIME"},
    {MS_KERNMOUNT, "MS_KERNMOUNT"},
    {MS_I_VERSION, "MS_I_VERSION"},
    {MS_STRICTATIME, "MS_STRICTATIME"},
    {MS_LAZYTIME, "MS_LAZYTIME"},
};

constexpr FlagName kAttrNames[] = {
    // First: an atime mode is set by clearing the whole field, whose third
    // bit has no name of its own (it would show as "0x40").
    {MOUNT_ATTR__ATIME, "MOUNT_ATTR__ATIME"},
    {MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY"},
    {MOUNT_ATTR_NOSUID, "MOUNT_ATTR_NOSUID"},
    {MOUNT_ATTR_NODEV, "MOUNT_ATTR_NODEV"},
    {MOUNT_ATTR_NOEXEC, "MOUNT_ATTR_NOEXEC"},
    {MOUNT_ATTR_NOATIME, "MOUNT_ATTR_NOATIME"},
    {MOUNT_ATTR_STRICTATIME, "MOUNT_ATTR_STRICTATIME"},
    {MOUNT_ATTR_NODIRATIME, "MOUNT_ATTR_NODIRATIME"},
    {MOUNT_ATTR_IDMAP, "MOUNT_ATTR_IDMAP"},
    {MOUNT_ATTR_NOSYMFOLLOW, "MOUNT_ATTR_NOSYMFOLLOW"},
};

std::string names_of(uint64_t bits, const FlagName* table, size_t n) {
  if (bits == 0) return "0";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if ((bits & table[i].flag) != table[i].flag || table[i].flag == 0) continue;
    if (!out.empty()) out += '|';
    out += table[i].name;
    bits &= ~static_cast<uint64_t>(table[i].flag);
  }
  if (bits != 0) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "%#llx", static_cast<unsigned long long>(bits));
    if (!out.empty()) out += '|';
    out += hex;
  }
  return out;
}

// Flags runc takes that libmount's table leaves to each filesystem
// as data: "acl" as data would fail on tmpfs (EINVAL); as MS_POSIXACL it
// mounts there and on ext4 alike.
constexpr LibmountOption kRuntimeFlags[] = {
    {"acl", MS_POSIXACL, false},
    {"noacl", MS_POSIXACL, true},
};

// Names with '=' or '[' in libmount's Linux table are userspace forms, not flags.
constexpr std::string_view kUserspaceFormChars = "=[";

// The flag entries of libmount's Linux table: plain names only ("ro", "nosuid",
// "rbind", "rslave", ...).
template <class F>
void for_each_linux_flag(F&& f) {
  for (size_t i = 0; i < kLibmountLinuxMapSize; ++i) {
    const LibmountOption& m = kLibmountLinuxMap[i];
    if (m.name.find_first_of(kUserspaceFormChars) != std::string_view::npos) continue;
    f(m.name, m.id, m.invert);
  }
  for (const LibmountOption& m : kRuntimeFlags) f(m.name, m.id, m.invert);
}

// The table's flag entry named `option`, or null. Every mount's options are
// looked up here, several times per container, and most of them (mode=,
// size=, gid=) are data: those are told apart by one scan of the option, and
// a name compares its length first.
const LibmountOption* find_linux_flag(std::string_view option) {
  if (option.find_first_of(kUserspaceFormChars) != std::string_view::npos) return nullptr;
  for (size_t i = 0; i < kLibmountLinuxMapSize; ++i) {
    if (kLibmountLinuxMap[i].name == option) return &kLibmountLinuxMap[i];
  }
  for (const LibmountOption& m : kRuntimeFlags)
    if (m.name == option) return &m;
  return nullptr;
}

bool apply_linux_flag(std::string_view option, MountOptions& out) {
  const LibmountOption* m = find_linux_flag(option);
  if (!m) return false;
  if (m->id & kPropagationFlags) {
    out.propagation.push_back(m->id);
    return true;
  }
  if (m->invert) {
    out.flags &= ~m->id;
    out.cleared |= m->id;
    return true;
  }
  // Each atime mode is a flag of its own, as to mount(8) and runc: given
  // several, the kernel's order decides (strictatime, then noatime).
  out.flags |= m->id;
  out.cleared &= ~m->id;
  return true;
}

bool apply_recursive(std::string_view option, MountAttrs& rec) {
  for (const RecursiveOption& r : kRecursiveOptions) {
    if (r.name != option) continue;
    rec.set = (rec.set & ~r.clear) | r.set;
    rec.clear = (rec.clear & ~r.set) | r.clear;
    if (!r.atime) return true;
    if (!r.turns_atime_off)
      rec.atime = r.atime;
    else if (rec.atime == r.atime)
      rec.atime = MOUNT_ATTR_RELATIME;
    return true;
  }
  return false;
}

}  // namespace

uint64_t MountAttrs::attr_set() const { return set | (atime ? *atime : 0); }
uint64_t MountAttrs::attr_clr() const { return clear | (atime ? MOUNT_ATTR__ATIME : 0); }

bool MountOptions::bind() const { return (flags & MS_BIND) != 0; }
bool MountOptions::recursive_bind() const { return (flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC); }

std::string MountOptions::data_string() const {
  std::string out;
  for (const std::string& d : data) {
    if (!out.empty()) out += ',';
    out += d;
  }
  return out;
}

MountAttrs MountAttrs::read_only() {
  MountAttrs a;
  a.set = MOUNT_ATTR_RDONLY;
  return a;
}

namespace {

// mount(2)'s per-mount flags and mount_setattr's attributes, atime apart.
struct FlagAttrPair {
  unsigned long ms;
  uint64_t attr;
};
constexpr FlagAttrPair kFlagAttrPairs[] = {
    {MS_RDONLY, MOUNT_ATTR_RDONLY}, {MS_NOSUID, MOUNT_ATTR_NOSUID},         {MS_NODEV, MOUNT_ATTR_NODEV},
    {MS_NOEXEC, MOUNT_ATTR_NOEXEC}, {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
};

}  // namespace

unsigned long mount_flags_of_attrs(uint64_t attrs) {
  unsigned long flags = 0;
  for (const FlagAttrPair& p : kFlagAttrPairs)
    if (attrs & p.attr) flags |= p.ms;
  const uint64_t atime = attrs & MOUNT_ATTR__ATIME;
  return flags | (atime == MOUNT_ATTR_NOATIME       ? MS_NOATIME
                  : atime == MOUNT_ATTR_STRICTATIME ? MS_STRICTATIME
                                                    : MS_RELATIME);
}

MountAttrs MountOptions::mount_attrs() const {
  MountAttrs a;
  for (const FlagAttrPair& p : kFlagAttrPairs) {
    if (flags & p.ms) a.set |= p.attr;
    if (cleared & p.ms) a.clear |= p.attr;
  }
  // mount(2)'s order: strictatime over noatime over relatime.
  if (flags & MS_STRICTATIME) {
    a.atime = MOUNT_ATTR_STRICTATIME;
  } else if (flags & MS_NOATIME) {
    a.atime = MOUNT_ATTR_NOATIME;
  } else if ((flags & MS_RELATIME) || (cleared & kAtimeFlags)) {
    a.atime = MOUNT_ATTR_RELATIME;
  }
  return a;
}

uint64_t attrs_of_mount_flags(unsigned long flags) {
  MountOptions given;
  given.flags = flags;
  return given.mount_attrs().attr_set();
}

MountAttrs MountOptions::bind_attrs() const {
  MountAttrs a = mount_attrs();
  a.clear = 0;
  if (!(flags & kAtimeFlags)) a.atime.reset();
  return a;
}

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const std::string& o : options) {
    if (o == kTmpcopyup) {
      out.tmpcopyup = true;
    } else if (o == kDefaults) {
      continue;
    } else if (o == kIdmap || o == kRidmap) {
      out.idmap = true;
      out.idmap_recursive = o == kRidmap;
    } else if (!apply_linux_flag(o, out) && !apply_recursive(o, out.recursive)) {
      out.data.push_back(o);
    }
  }
  return out;
}

std::vector<std::string> supported_mount_options() {
  std::vector<std::string> names;
  for_each_linux_flag([&](std::string_view name, unsigned long, bool) { names.emplace_back(name); });
  for (const RecursiveOption& r : kRecursiveOptions) names.emplace_back(r.name);
  names.emplace_back(kTmpcopyup);
  names.emplace_back(kDefaults);
  names.emplace_back(kIdmap);
  names.emplace_back(kRidmap);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string mount_flags_to_string(unsigned long flags) { return names_of(flags, kFlagNames, std::size(kFlagNames)); }

std::string mount_attrs_to_string(uint64_t attrs) { return names_of(attrs, kAttrNames, std::size(kAttrNames)); }

std::string propagation_to_string(unsigned long flags) { return mount_flags_to_string(flags); }

unsigned long parse_rootfs_propagation(const std::string& value) {
  MountOptions o;
  if (!apply_linux_flag(value, o) || o.propagation.size() != 1) {
    throw Error("linux.rootfsPropagation: unknown propagation " + quote(value) +
                " (expected shared, slave, private, unbindable or their r-forms)");
  }
  return o.propagation.front();
}

}  // namespace hull::rootfs
