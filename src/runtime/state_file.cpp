#include "runtime/state_file.hpp"

#include <nlohmann/json.hpp>
#include <span>

#include "base/error.hpp"
#include "base/json_flat.hpp"
#include "base/json_write.hpp"
#include "base/passwd.hpp"
#include "base/utf8.hpp"
#include "runtime/container_id.hpp"

namespace hull {

void throw_corrupt_state(const std::string& what, const std::string& why) {
  throw CorruptState("corrupt state file " + what + ": " + why);
}

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kPausedBeforeStartKey = "pausedBeforeStart";

// Field readers for from_state_file_json: a missing optional field keeps the
// default; a present field of the wrong type is corruption, not a default.
// state.json is read with json_flat, not nlohmann::json: `list` reads one per
// container and the DOM was most of its time (see base/json_flat.hpp).
class FieldReader {
 public:
  // Values are moved out of `m` as they are read: each key is read once.
  FieldReader(json_flat::Members& m, const std::string& what) : m_(m), what_(what) {}

  json_flat::Value* find(const char* key, bool required) const {
    json_flat::Value* v = json_flat::find(m_, key);
    if (!v && required) throw_corrupt_state(what_, std::string("field \"") + key + "\" is missing");
    return v;
  }
  void string(const char* key, std::string& out, bool required) const {
    if (json_flat::Value* v = find(key, required)) {
      if (v->kind != json_flat::Kind::String)
        throw_corrupt_state(what_, std::string("field \"") + key + "\" must be a string");
      out = std::move(v->text);
    }
  }
  uint64_t unsigned_int(const char* key, uint64_t max, bool required) const {
    const json_flat::Value* v = find(key, required);
    if (!v) return 0;
    if (v->kind != json_flat::Kind::Unsigned || v->number > max)
      throw_corrupt_state(what_,
                          std::string("field \"") + key + "\" must be an integer from 0 to " + std::to_string(max));
    return v->number;
  }
  bool boolean(const char* key) const {
    const json_flat::Value* v = find(key, false);
    if (!v) return false;
    if (v->kind != json_flat::Kind::Bool)
      throw_corrupt_state(what_, std::string("field \"") + key + "\" must be true or false");
    return v->number != 0;
  }
  void string_map(const char* key, std::map<std::string, std::string>& out) const {
    json_flat::Value* v = find(key, false);
    if (!v) return;
    if (v->kind != json_flat::Kind::Object || !v->strings_only)
      throw_corrupt_state(what_, std::string("field \"") + key + "\" must be an object of strings");
    // Later duplicates win, as in any JSON object reader.
    for (auto& [k, val] : v->members) out.insert_or_assign(std::move(k), std::move(val));
  }

 private:
  json_flat::Members& m_;
  const std::string& what_;
};

std::string owner_name(uid_t uid) {
  if (uid == 0) return "";
  return user_name(uid).value_or(std::to_string(uid));
}

// `indent` -1: one line, as runc gives its hooks (Go's json.Marshal), which
// shell hooks read with `read -r`.
std::string spec_state_json(const ContainerState& s, pid_t pid, Status status, int indent) {
  // Key order and the extra rootfs/created/owner keys follow `runc state`,
  // which containerd and podman parse.
  Json j;
  j["ociVersion"] = s.ociVersion;
  j["id"] = s.id;
  j["pid"] = pid;
  j["status"] = to_string(status);
  j["bundle"] = s.bundle;
  j["rootfs"] = s.rootfs;
  j["created"] = s.created;
  if (!s.annotations.empty()) j["annotations"] = s.annotations;
  j["owner"] = owner_name(s.owner);
  // Paths are bytes; a display copy may replace invalid UTF-8 (as runc does).
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// What a state that JsonWriter refused holds that is not UTF-8, named for
// the message (the config's own strings were checked when it was read).
std::string first_not_utf8(const ContainerState& s) {
  for (const auto& [what, value] : {std::pair<const char*, const std::string*>{"its bundle", &s.bundle},
                                    {"its rootfs", &s.rootfs},
                                    {"its cgroup path", &s.cgroupPath}})
    if (!valid_utf8(*value)) return std::string(what) + " " + quote(*value);
  for (const auto& [key, value] : s.annotations)
    if (!valid_utf8(key) || !valid_utf8(value)) return "the annotation " + quote(key);
  return "a path it records";
}

// A stopped container's pid may belong to anyone now.
pid_t shown_pid(const ContainerState& s) { return s.status == Status::Stopped ? 0 : s.pid; }

}  // namespace

std::string to_spec_state_json(const ContainerState& s) { return spec_state_json(s, shown_pid(s), s.status, 2); }

std::string to_hook_state_json(const ContainerState& s) { return spec_state_json(s, shown_pid(s), s.status, -1); }

std::string to_restore_hook_state_json(const ContainerState& s, pid_t restored) {
  return spec_state_json(s, restored, Status::Stopped, -1);
}

void check_fits_state_file_size(const std::string& what, size_t size, const std::string& hint) {
  if (size > kMaxStateFileSize)
    throw Error(what + " would be " + std::to_string(size) + " bytes, more than the " +
                    std::to_string(kMaxStateFileSize) + " bytes every hull reads back" + hint,
                EFBIG);
}

std::string to_state_file_json(const ContainerState& s) {
  // Compact: its annotations are the config's, and indented they grew past
  // what the readers take (kMaxStateFileSize) for a config within its cap.
  JsonWriter w;
  try {
    w.begin_object();
    w.key("ociVersion").string(s.ociVersion);
    w.key("id").string(s.id);
    w.key("status").string(to_string(s.status));
    // "paused" as runc shows it, and apart so that resume knows where to
    // return; a hull that does not know the field resumes it as "running",
    // which its start barrier then reports as created.
    if (s.status == Status::PausedBeforeStart) w.key(kPausedBeforeStartKey).boolean(true);
    w.key("pid").number(int64_t{s.pid});
    w.key("bundle").string(s.bundle);
    w.key("annotations").string_map(s.annotations);
    w.key("initStartTime").number(uint64_t{s.initStartTime});
    w.key("cgroupPath").string(s.cgroupPath);
    w.key("created").string(s.created);
    w.key("owner").number(uint64_t{s.owner});
    w.key("rootfs").string(s.rootfs);
    w.key("extra").string_map(s.extra);
    w.end_object();
  } catch (const JsonWriteError&) {
    // Unlike the display copy, state.json must round-trip exactly: refuse
    // rather than silently rewrite a path.
    throw Error("cannot record the state of container " + quote(s.id) + ": " + first_not_utf8(s) +
                " is not valid UTF-8 (state.json records it as it is)");
  }
  std::string text = w.take();
  text += '\n';
  return text;
}

ContainerState from_state_file_json(const std::string& text, const std::string& what, StateFields fields) {
  static constexpr std::string_view kNotForStatus[] = {"cgroupPath", "extra"};
  std::span<const std::string_view> skip;
  if (fields == StateFields::Status) skip = kNotForStatus;
  json_flat::Members members;
  switch (json_flat::parse_object(text, members, skip)) {
    case json_flat::Result::Ok: break;
    case json_flat::Result::Invalid: throw_corrupt_state(what, text.empty() ? "it is empty" : "it is not valid JSON");
    case json_flat::Result::NotObject: throw_corrupt_state(what, "it is not a JSON object");
  }
  if (!json_flat::find(members, "ociVersion") && json_flat::find(members, "init_process_pid"))
    throw OtherRuntimesState(
        "state file " + what +
        " is runc's (\"init_process_pid\", no \"ociVersion\"): a container another runtime made in "
        "this state root; manage it with that runtime");
  FieldReader r(members, what);
  ContainerState s;
  // Runtime-spec fields and the pid are required; hull's private fields
  // default when absent so files from other hull versions still load.
  r.string("ociVersion", s.ociVersion, true);
  r.string("id", s.id, true);
  if (container_id_problem(s.id)) throw_corrupt_state(what, "field \"id\" is not a valid container id");
  std::string status;
  r.string("status", status, true);
  auto st = status_from_string(status);
  if (!st || *st == Status::Removed) throw_corrupt_state(what, "field \"status\" has unknown value " + quote(status));
  s.status = *st;
  if (r.boolean(kPausedBeforeStartKey) && s.status == Status::Paused) s.status = Status::PausedBeforeStart;
  s.pid = static_cast<pid_t>(r.unsigned_int("pid", INT32_MAX, true));
  r.string("bundle", s.bundle, true);
  r.string_map("annotations", s.annotations);
  s.initStartTime = r.unsigned_int("initStartTime", UINT64_MAX, false);
  r.string("cgroupPath", s.cgroupPath, false);
  r.string("created", s.created, false);
  s.owner = static_cast<uid_t>(r.unsigned_int("owner", UINT32_MAX - 1, false));
  r.string("rootfs", s.rootfs, false);
  r.string_map("extra", s.extra);
  return s;
}

}  // namespace hull
