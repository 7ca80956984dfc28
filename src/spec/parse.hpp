#pragma once
// Path-aware reading of config.json, shared by the section parsers (internal to
// the spec parser; other modules use spec.hpp).
//
// Every error names the file, the JSON path and the offending value, with one
// wording everywhere:
//   config.json: .process.args: expected an array of strings, got number 5
//   config.json: .process.user.uid: expected an integer from 0 to 4294967295, got number -1
//   config.json: .root.path: required field is missing
//   config.json: .linux.namespaces[2].type: unknown namespace "netx"
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/json_tree.hpp"
#include "spec/spec.hpp"

namespace hull::spec::detail {

// A JSON value plus where it sits in the document.
class Node {
 public:
  // `value` is one of `doc`'s; where it is (".linux.sysctl[\"a.b\"]") is
  // worked out from the document when a message needs it.
  Node(const json_tree::Document& doc, const json_tree::Value& value, const std::string& file)
      : doc_(&doc), value_(&value), file_(&file) {}

  // Throws hull::Error "<file>: <path>: <message>".
  [[noreturn]] void fail(std::string_view message) const;
  // Throws "<...>: expected <what>, got <type> <value>".
  [[noreturn]] void fail_type(std::string_view what) const;

  // Member `key` of this object; nullopt when absent or null. A null member is
  // read as absent because Go-written configs emit null for nil slices and
  // maps, and runc reads those as unset.
  std::optional<Node> get(std::string_view key) const;
  // Member `key`, failing with "required field is missing" when absent.
  Node required(std::string_view key) const;

  // Typed reads; each fails with the uniform "expected ..., got ..." message.
  const Node& object() const;
  std::string string() const;
  bool boolean() const;
  std::vector<std::string> strings() const;
  std::map<std::string, std::string> string_map() const;

  template <class T>
  T integer() const {
    return integer_in<T>(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  }
  template <class T>
  T integer_in(T lo, T hi) const {
    // Two's complement bits back to T: exact, since the value is in [lo, hi].
    return static_cast<T>(read_integer(wide(lo), wide(hi)));
  }
  uint16_t u16() const { return integer<uint16_t>(); }
  uint32_t u32() const { return integer<uint32_t>(); }
  uint64_t u64() const { return integer<uint64_t>(); }
  int32_t i32() const { return integer<int32_t>(); }
  int64_t i64() const { return integer<int64_t>(); }

  // A string that must be one of `allowed`; otherwise fails with
  // "unknown <what> \"<value>\"".
  std::string one_of(std::initializer_list<std::string_view> allowed, std::string_view what) const;

  // Parses each element of an array with `parse(Node)`.
  template <class F>
  auto list(F&& parse) const -> std::vector<decltype(parse(std::declval<Node>()))> {
    expect_array("an array");
    std::vector<decltype(parse(std::declval<Node>()))> out;
    out.reserve(value_->count);
    for (size_t i = 0; i < value_->count; ++i) out.push_back(parse(element(i)));
    return out;
  }
  // The member names of an object, in name order, once per name.
  std::vector<std::string_view> keys() const;
  // Calls visit(name, Node) for each member of an object, in name order, once
  // per name (of duplicates the last), as nlohmann iterated them.
  template <class F>
  void each_member(F&& visit) const {
    object();
    for (uint32_t i : doc_->member_order(*value_)) {
      std::string_view key = doc_->key(*value_, i);
      visit(key, member(key, doc_->child(*value_, i)));
    }
  }
  // Parses each member of an object with `parse(Node)`, keyed by member name.
  template <class F>
  auto map(F&& parse) const -> std::map<std::string, decltype(parse(std::declval<Node>()))> {
    std::map<std::string, decltype(parse(std::declval<Node>()))> out;
    each_member([&](std::string_view key, const Node& n) { out.emplace(key, parse(n)); });
    return out;
  }

 private:
  // Any integer in [int64 min, uint64 max], exactly.
  struct Wide {
    bool negative;
    uint64_t magnitude;
  };
  template <class T>
  static Wide wide(T v) {
    if constexpr (std::is_signed_v<T>) {
      if (v < 0) return {true, uint64_t(0) - static_cast<uint64_t>(v)};
    }
    return {false, static_cast<uint64_t>(v)};
  }
  // Checks the value is an integer in [lo, hi]; returns its two's complement bits.
  uint64_t read_integer(Wide lo, Wide hi) const;

  void expect_array(std::string_view what) const;
  Node element(size_t i) const;
  Node member(std::string_view key, const json_tree::Value& value) const;
  void check_member_name(std::string_view key) const;
  // Where this value is in the document: "" for the top, else ".a[0]...".
  std::string path() const;
  [[noreturn]] void fail_at(const std::string& path, std::string_view message) const;

  const json_tree::Document* doc_;
  const json_tree::Value* value_;
  const std::string* file_;
};

// Reads obj[key] into `out` with `read` (a Node member or a callable) when present.
template <class T, class R>
void optional_field(const Node& obj, std::string_view key, T& out, R&& read) {
  if (auto n = obj.get(key)) out = std::invoke(read, *n);
}
// Reads obj[key] into `out` with `read`, failing when it is absent.
template <class T, class R>
void required_field(const Node& obj, std::string_view key, T& out, R&& read) {
  out = std::invoke(read, obj.required(key));
}

// `s` in double quotes with JSON escapes, for messages: config text is
// untrusted, and a raw newline or terminal escape must not reach a log as is.
std::string quote_json(std::string_view s);

// Path of member `key` under `parent`: ".key" for plain names, ["key"] for
// keys such as sysctl names that hold dots.
std::string member_path(const std::string& parent, std::string_view key);

// A file's JSON, parsed. The tree views the file's text, or `canonical`
// where nlohmann had to rewrite it (see parse_json_document).
struct JsonDocument {
  std::string canonical;
  json_tree::Document tree;
};
// Parses the JSON text of a file hull reads into `out` (the text must outlive
// it); throws hull::Error naming the file and where the text is broken
// (never nlohmann's own exceptions).
void parse_json_document(const std::string& json_text, const std::string& file_name, JsonDocument& out);
// The document's top-level value.
inline Node top_node(const JsonDocument& doc, const std::string& file_name) {
  return Node(doc.tree, doc.tree.root(), file_name);
}

// A "0-3,7"-style list of CPUs or memory nodes (`kind`: "CPU", "node"),
// checked here, at create (the schema's pattern ^[0-9, -]*$, and ranges
// that go up), not first where it is applied.
std::string parse_number_list(const Node& n, std::string_view kind);

// Section parsers, one file each.
IDMapping parse_id_mapping(const Node& n);
Process parse_process(const Node& n);
Linux parse_linux(const Node& n);
Resources parse_resources(const Node& n);
Seccomp parse_seccomp(const Node& n);

}  // namespace hull::spec::detail
