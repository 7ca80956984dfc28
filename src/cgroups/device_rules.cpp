// The device rule list and its cgroup v1 form.
#include <algorithm>

#include "base/error.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/devices.hpp"

namespace hull::cgroups {

namespace {

uint8_t parse_access(const std::optional<std::string>& access, size_t index) {
  // Missing means all (the spec gives no default; every engine writes one).
  // Empty is refused as runc refuses it: a deny rule "" would deny all.
  if (!access) return kMknod | kRead | kWrite;
  if (access->empty())
    throw Error("linux.resources.devices[" + std::to_string(index) +
                "].access: empty (give r, w and m, or leave it out)");
  uint8_t bits = 0;
  for (char c : *access) {
    switch (c) {
      case 'r': bits |= kRead; break;
      case 'w': bits |= kWrite; break;
      case 'm': bits |= kMknod; break;
      default:
        throw Error("linux.resources.devices[" + std::to_string(index) + "].access: " + quote(*access) +
                    " is not a combination of r, w and m");
    }
  }
  return bits;
}

// The v1 kernel's exceptions to its default, as runc's devices emulator
// keeps them. A rule that would take access out of a wider exception before
// it (deny c 10:229 after allow c 10:*) is dropped by the v1 kernel without
// a word, where v2's program enforces it: refused on both, as runc refuses
// it, so that a config never grants more on one host than on the other.
class V1Exceptions {
 public:
  // Room for runc's defaults and an engine's rules: one allocation a create.
  V1Exceptions() { exceptions_.reserve(16); }
  // `what` names the rule in an error.
  template <typename What>
  void apply(const DeviceRule& r, const What& what) {
    if (r.type == 'a') {  // a reset: the new default, no exceptions
      default_allow_ = r.allow;
      exceptions_.clear();
      return;
    }
    if (r.allow != default_allow_) {
      access_of(r.type, r.major, r.minor) |= r.access;
      return;
    }
    for (auto [major, minor] : {std::pair{int64_t{-1}, r.minor}, {r.major, int64_t{-1}}, {int64_t{-1}, int64_t{-1}}}) {
      if (major == r.major && minor == r.minor) continue;
      const uint8_t wider = access_of(r.type, major, minor);
      if (wider & r.access)
        throw Error(what() + ": " + verb(r.allow) + v1_rule_text(r) + " would cut a hole in the wider " +
                    verb(!r.allow) + v1_rule_text({!r.allow, r.type, major, minor, wider}) +
                    " before it, which cgroup v1 cannot do (runc refuses it too): list the devices the wider "
                    "rule is for one by one instead");
    }
    access_of(r.type, r.major, r.minor) &= static_cast<uint8_t>(~r.access);
  }

 private:
  struct Exception {
    char type;
    int64_t major, minor;
    uint8_t access;
  };
  static std::string verb(bool allow) { return allow ? "allow " : "deny "; }
  uint8_t& access_of(char type, int64_t major, int64_t minor) {
    for (Exception& e : exceptions_)
      if (e.type == type && e.major == major && e.minor == minor) return e.access;
    return exceptions_.emplace_back(Exception{type, major, minor, 0}).access;
  }

  bool default_allow_ = false;  // the "a" v1_set_devices writes into devices.deny first
  std::vector<Exception> exceptions_;
};

void add(std::vector<DeviceRule>& out, DeviceRule r, V1Exceptions& v1, size_t index) {
  auto what = [&] { return "linux.resources.devices[" + std::to_string(index) + "]"; };
  if (r.type == 'a' && (r.major >= 0 || r.minor >= 0)) {
    r.type = 'c';
    v1.apply(r, what);
    out.push_back(r);
    r.type = 'b';
  }
  v1.apply(r, what);
  out.push_back(r);
}

// runc's default allow-list (libcontainer/specconv AllowedDevices), appended
// after linux.resources.devices, always: they allow numbers, not paths, so a
// linux.devices entry at a default's path takes nothing from it. runc drops
// the default whose path linux.devices lists, and then cannot open its own
// /dev/null; the spec says the default devices MUST be supplied (crun keeps
// the rules too).
struct DefaultRule {
  const char* name;  // for messages; nullptr: a class of devices
  DeviceRule rule;
};
const DefaultRule kDefaults[] = {
    {nullptr, {true, 'c', -1, -1, kMknod}},  // mknod of any char device
    {nullptr, {true, 'b', -1, -1, kMknod}},  // mknod of any block device
    {"/dev/null", {true, 'c', 1, 3, kMknod | kRead | kWrite}},
    {"/dev/random", {true, 'c', 1, 8, kMknod | kRead | kWrite}},
    {"/dev/full", {true, 'c', 1, 7, kMknod | kRead | kWrite}},
    {"/dev/tty", {true, 'c', 5, 0, kMknod | kRead | kWrite}},
    {"/dev/zero", {true, 'c', 1, 5, kMknod | kRead | kWrite}},
    {"/dev/urandom", {true, 'c', 1, 9, kMknod | kRead | kWrite}},
    {nullptr, {true, 'c', 136, -1, kMknod | kRead | kWrite}},  // /dev/pts/*, the console among them
    {nullptr, {true, 'c', 5, 2, kMknod | kRead | kWrite}},     // /dev/ptmx
    {nullptr, {true, 'c', 10, 200, kMknod | kRead | kWrite}},  // /dev/net/tun, kept by runc for Docker
};

}  // namespace

std::vector<DeviceRule> device_rules(const std::vector<spec::DeviceCgroup>& resources, bool with_defaults) {
  std::vector<DeviceRule> out;
  V1Exceptions v1;
  for (size_t i = 0; i < resources.size(); ++i) {
    const auto& d = resources[i];
    DeviceRule r;
    r.allow = d.allow;
    std::string type = d.type.value_or("a");
    if (type != "a" && type != "c" && type != "b")
      throw Error("linux.resources.devices[" + std::to_string(i) + "].type: " + quote(type) +
                  " is not \"a\", \"c\" or \"b\"");
    r.type = type[0];
    r.major = d.major.value_or(-1);
    r.minor = d.minor.value_or(-1);
    r.access = parse_access(d.access, i);
    // Type "a" for every device is a reset whatever its access, in the v1
    // kernel and in runc: "deny a r" denies everything.
    if (r.type == 'a' && r.major < 0 && r.minor < 0) r.access = kMknod | kRead | kWrite;
    add(out, r, v1, i);
  }
  if (!with_defaults) return out;
  for (const auto& d : kDefaults) {
    v1.apply(d.rule, [&] {
      return std::string("linux.resources.devices: the default rule") + (d.name ? std::string(" for ") + d.name : "");
    });
    out.push_back(d.rule);
  }
  return out;
}

std::string v1_rule_text(const DeviceRule& r) {
  std::string s(1, r.type);
  s += ' ';
  s += r.major < 0 ? "*" : std::to_string(r.major);
  s += ':';
  s += r.minor < 0 ? "*" : std::to_string(r.minor);
  s += ' ';
  if (r.access & kRead) s += 'r';
  if (r.access & kWrite) s += 'w';
  if (r.access & kMknod) s += 'm';
  return s;
}

void v1_set_devices(const std::string& dir, const std::vector<DeviceRule>& rules) {
  ValueWriter allow(dir, "devices.allow"), deny(dir, "devices.deny");
  deny.write("a");
  for (size_t i = 0; i < rules.size(); ++i) {
    const DeviceRule& r = rules[i];
    // A config's leading deny-all ("a *:* rwm", the usual first rule) is the
    // "a" just written: one write less per container.
    if (i == 0 && !r.allow && v1_rule_text(r) == "a *:* rwm") continue;
    (r.allow ? allow : deny).write(v1_rule_text(r));
  }
}

}  // namespace hull::cgroups
