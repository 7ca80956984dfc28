// config.json → spec::Spec: the JSON text, the top-level fields and the
// platform-neutral sections. process and linux have files of their own.
#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/json_depth.hpp"
#include "spec/parse.hpp"

namespace hull::spec {
namespace detail {
namespace {

// Newest minor version of runtime-spec 1.x whose fields this parser knows.
constexpr uint64_t kMaxMinor = 3;

struct Version {
  uint64_t major = 0;
  uint64_t minor = 0;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'; }

// One SemVer numeric field: "0" or no leading zero, at most 18 digits (fits uint64).
bool take_number(std::string_view& s, uint64_t& out) {
  size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n == 0 || n > 18 || (n > 1 && s[0] == '0')) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) out = out * 10 + uint64_t(s[i] - '0');
  s.remove_prefix(n);
  return true;
}

// Dot-separated identifiers of a pre-release ("rc.1") or build ("+git.abc") part.
bool valid_identifiers(std::string_view s, bool numeric_no_leading_zero) {
  if (s.empty()) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view id = s.substr(start, end - start);
    if (id.empty() || !std::all_of(id.begin(), id.end(), is_ident_char)) return false;
    bool numeric = std::all_of(id.begin(), id.end(), is_digit);
    if (numeric_no_leading_zero && numeric && id.size() > 1 && id[0] == '0') return false;
    start = end + 1;
  }
  return true;
}

// SemVer 2.0.0: MAJOR.MINOR.PATCH[-pre-release][+build].
std::optional<Version> parse_semver(std::string_view s) {
  Version v;
  uint64_t patch = 0;
  auto dot = [&s] {
    if (s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    return true;
  };
  if (!take_number(s, v.major) || !dot() || !take_number(s, v.minor) || !dot() || !take_number(s, patch))
    return std::nullopt;
  size_t plus = s.find('+');
  std::string_view pre = s.substr(0, plus);
  if (!pre.empty() && (pre[0] != '-' || !valid_identifiers(pre.substr(1), true))) return std::nullopt;
  if (plus != std::string_view::npos && !valid_identifiers(s.substr(plus + 1), false)) return std::nullopt;
  return v;
}

std::string parse_oci_version(const Node& n) {
  std::string text = n.string();
  auto v = parse_semver(text);
  if (!v) n.fail("invalid version " + quote_json(text) + " (expected a SemVer version such as 1.2.0)");
  // A later 1.x is taken, as runc and crun take it: minor versions only
  // add fields, which are ignored here like any unknown one, and an engine
  // writes the version of the runtime-spec module it was built with, so a
  // refusal would fail every container once that module moves ahead.
  if (v->major != 1)
    n.fail("unsupported version " + quote_json(text) + " (hull supports 1.x; it implements up to 1." +
           std::to_string(kMaxMinor) + ")");
  return text;
}

Root parse_root(const Node& n) {
  Root r;
  required_field(n, "path", r.path, &Node::string);
  optional_field(n, "readonly", r.readonly, &Node::boolean);
  return r;
}

Mount parse_mount(const Node& n) {
  Mount m;
  required_field(n, "destination", m.destination, &Node::string);
  optional_field(n, "type", m.type, &Node::string);
  optional_field(n, "source", m.source, &Node::string);
  optional_field(n, "options", m.options, &Node::strings);
  if (auto u = n.get("uidMappings")) m.uidMappings = u->list(parse_id_mapping);
  if (auto g = n.get("gidMappings")) m.gidMappings = g->list(parse_id_mapping);
  return m;
}

Hook parse_hook(const Node& n) {
  Hook h;
  required_field(n, "path", h.path, &Node::string);
  optional_field(n, "args", h.args, &Node::strings);
  optional_field(n, "env", h.env, &Node::strings);
  // The spec: "If set, timeout MUST be greater than zero."
  if (auto t = n.get("timeout")) h.timeout = t->integer_in<int>(1, INT_MAX);
  return h;
}

Hooks parse_hooks(const Node& n) {
  Hooks h;
  const std::pair<const char*, std::vector<Hook>*> lists[] = {
      {"prestart", &h.prestart},
      {"createRuntime", &h.createRuntime},
      {"createContainer", &h.createContainer},
      {"startContainer", &h.startContainer},
      {"poststart", &h.poststart},
      {"poststop", &h.poststop},
  };
  for (auto [key, out] : lists)
    if (auto l = n.get(key)) *out = l->list(parse_hook);
  return h;
}

// nlohmann reports a byte offset; people look for line and column.
[[noreturn]] void fail_invalid_json(const std::string& text, const nlohmann::json::parse_error& e,
                                    const std::string& file_name) {
  size_t pos = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());  // offending byte
  size_t line = 1 + size_t(std::count(text.begin(), text.begin() + std::ptrdiff_t(pos), '\n'));
  size_t last_newline = pos == 0 ? std::string::npos : text.rfind('\n', pos - 1);
  size_t column = last_newline == std::string::npos ? pos + 1 : pos - last_newline;
  // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: <reason>".
  std::string reason = e.what();
  size_t colon = reason.find(": ");
  if (colon != std::string::npos) reason.erase(0, colon + 2);
  throw Error(file_name + ": invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) +
              ": " + reason);
}

// nlohmann's reading of a text the tree refused: the message for what is
// wrong with it, or (should the two readers ever disagree) the document.
nlohmann::json parse_with_nlohmann(const std::string& json_text, const std::string& file_name) {
  check_json_depth(json_text, file_name);
  try {
    return nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    fail_invalid_json(json_text, e, file_name);
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double ("1e400"): nlohmann throws
    // out_of_range.406, which escaped as "[json.exception.out_of_range.406]
    // number overflow parsing '1e400'" without the file (found by fuzzing).
    std::string reason = e.what();
    size_t bracket = reason.find("] ");
    if (bracket != std::string::npos) reason.erase(0, bracket + 2);
    throw Error(file_name + ": invalid JSON: " + reason);
  }
}

}  // namespace

void parse_json_document(const std::string& json_text, const std::string& file_name, JsonDocument& out) {
  if (out.tree.parse(json_text, kMaxJsonDepth)) return;
  // The tree refuses exactly what nlohmann refuses (the unit tests compare
  // them), so this throws; were they ever to disagree, the file still reads
  // as nlohmann reads it, through its own rewriting of it.
  out.canonical = parse_with_nlohmann(json_text, file_name).dump();
  if (!out.tree.parse(out.canonical, kMaxJsonDepth))
    throw Error(file_name + ": invalid JSON: hull's reader refuses what nlohmann reads (please report this file)");
}

IDMapping parse_id_mapping(const Node& n) {
  IDMapping m;
  required_field(n, "containerID", m.containerID, &Node::u32);
  required_field(n, "hostID", m.hostID, &Node::u32);
  required_field(n, "size", m.size, &Node::u32);
  return m;
}

}  // namespace detail

Spec parse_config(const std::string& json_text, const std::string& file_name) {
  using namespace detail;
  JsonDocument doc;
  parse_json_document(json_text, file_name, doc);
  Node top = top_node(doc, file_name);
  top.object();

  Spec s;
  s.ociVersion = parse_oci_version(top.required("ociVersion"));
  if (auto n = top.get("root")) s.root = parse_root(*n);
  if (auto n = top.get("mounts")) s.mounts = n->list(parse_mount);
  if (auto n = top.get("process")) s.process = parse_process(*n);
  optional_field(top, "hostname", s.hostname, &Node::string);
  optional_field(top, "domainname", s.domainname, &Node::string);
  if (auto n = top.get("hooks")) s.hooks = parse_hooks(*n);
  optional_field(top, "annotations", s.annotations, &Node::string_map);
  if (auto n = top.get("linux")) s.linux_ = parse_linux(*n);
  return s;
}

Spec load_bundle_config(const std::string& bundle_dir) {
  std::string path = bundle_dir;
  if (!path.empty() && path.back() != '/') path += '/';
  path += "config.json";
  return parse_config(read_file(path, kMaxConfigSize), path);
}

const char* to_string(NamespaceType t) {
  switch (t) {
    case NamespaceType::Mount: return "mount";
    case NamespaceType::Pid: return "pid";
    case NamespaceType::Network: return "network";
    case NamespaceType::Uts: return "uts";
    case NamespaceType::Ipc: return "ipc";
    case NamespaceType::User: return "user";
    case NamespaceType::Cgroup: return "cgroup";
    case NamespaceType::Time: return "time";
  }
  return "unknown";
}

bool has_hooks(const Hooks& h) {
  return !(h.prestart.empty() && h.createRuntime.empty() && h.createContainer.empty() && h.startContainer.empty() &&
           h.poststart.empty() && h.poststop.empty());
}

bool lists_namespace(const Spec& spec, NamespaceType t) {
  if (!spec.linux_) return false;
  for (const Namespace& n : spec.linux_->namespaces)
    if (n.type == t) return true;
  return false;
}

}  // namespace hull::spec
