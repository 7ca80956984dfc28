#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "base/cpu_list.hpp"
#include "base/error.hpp"
#include "spec/parse.hpp"

namespace hull::spec::detail {
namespace {

// Values are shown in messages; a long one (a whole object) is cut short.
constexpr size_t kMaxShownValue = 60;

using Json = nlohmann::json;
using json_tree::Kind;

// Shown as nlohmann writes the value, so that a message reads the same
// whichever reader parsed the file; only a failing read gets here. A number
// is shown as written: through a double, 18446744073709551616 read
// "1.8446744073709552e+19", beside a range it is not in.
std::string describe(const json_tree::Value& value) {
  if (value.kind == Kind::Unsigned || value.kind == Kind::Negative || value.kind == Kind::Float)
    return "number " + std::string(value.source.substr(0, kMaxShownValue));
  Json v = Json::parse(value.source);
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kMaxShownValue) {
    size_t cut = kMaxShownValue;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 char
    text = text.substr(0, cut) + "...";
  }
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean " + text;
    case Json::value_t::string: return "string " + text;
    case Json::value_t::array: return "array " + text;
    case Json::value_t::object: return "object " + text;
    default: return "number " + text;
  }
}

// The value as a string a config may hold (no NUL: it would silently cut
// the string short in every C API it reaches, "/proc\u0000x" mounting on
// /proc), or null.
const std::string_view* valid_string(const json_tree::Value& v) {
  if (v.kind != Kind::String) return nullptr;
  return v.text.find('\0') == std::string_view::npos ? &v.text : nullptr;
}

}  // namespace

std::string member_path(const std::string& parent, std::string_view key) {
  bool plain = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0])) &&
               std::all_of(key.begin(), key.end(),
                           [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  return plain ? parent + "." + std::string(key) : parent + "[" + quote_json(key) + "]";
}

std::string quote_json(std::string_view s) { return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string Node::path() const {
  std::vector<std::pair<const json_tree::Value*, size_t>> up;  // (container, index in it), innermost first
  size_t index = 0;
  for (const json_tree::Value* c = doc_->parent(*value_, &index); c; c = doc_->parent(*c, &index))
    up.emplace_back(c, index);
  std::string path;
  for (auto it = up.rbegin(); it != up.rend(); ++it)
    path = it->first->kind == Kind::Object ? member_path(path, doc_->key(*it->first, it->second))
                                           : path + "[" + std::to_string(it->second) + "]";
  return path;
}

void Node::fail_at(const std::string& path, std::string_view message) const {
  std::string text = *file_ + ": ";
  if (!path.empty()) text += path + ": ";
  text += message;
  throw Error(std::move(text));
}

void Node::fail(std::string_view message) const { fail_at(path(), message); }

void Node::fail_type(std::string_view what) const {
  fail("expected " + std::string(what) + ", got " + describe(*value_));
}

std::optional<Node> Node::get(std::string_view key) const {
  object();
  const json_tree::Value* v = doc_->find(*value_, key);
  if (!v || v->kind == Kind::Null) return std::nullopt;
  return member(key, *v);
}

Node Node::required(std::string_view key) const {
  object();
  const json_tree::Value* v = doc_->find(*value_, key);
  if (!v) {
    check_member_name(key);
    fail_at(member_path(path(), key), "required field is missing");
  }
  return member(key, *v);
}

const Node& Node::object() const {
  if (value_->kind != Kind::Object) fail_type("an object");
  return *this;
}

std::string Node::string() const {
  if (const std::string_view* s = valid_string(*value_)) return std::string(*s);
  fail_type(value_->kind == Kind::String ? "a string without NUL characters" : "a string");
}

bool Node::boolean() const {
  if (value_->kind != Kind::Bool) fail_type("a boolean");
  return value_->boolean;
}

std::vector<std::string> Node::strings() const {
  expect_array("an array of strings");
  std::vector<std::string> out;
  out.reserve(value_->count);
  for (size_t i = 0; i < value_->count; ++i) {
    out.push_back(element(i).string());
  }
  return out;
}

std::vector<std::string_view> Node::keys() const {
  object();
  std::vector<std::string_view> out;
  for (uint32_t i : doc_->member_order(*value_)) out.push_back(doc_->key(*value_, i));
  return out;
}

std::map<std::string, std::string> Node::string_map() const {
  if (value_->kind != Kind::Object) fail_type("an object of strings");
  std::map<std::string, std::string> out;
  each_member([&](std::string_view key, const Node& n) { out.emplace(key, n.string()); });
  return out;
}

std::string Node::one_of(std::initializer_list<std::string_view> allowed, std::string_view what) const {
  std::string s = string();
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
    fail("unknown " + std::string(what) + " " + quote_json(s));
  return s;
}

uint64_t Node::read_integer(Wide lo, Wide hi) const {
  auto less = [](Wide a, Wide b) {
    if (a.negative != b.negative) return a.negative;
    return a.negative ? a.magnitude > b.magnitude : a.magnitude < b.magnitude;
  };
  auto show = [](Wide w) { return (w.negative ? "-" : "") + std::to_string(w.magnitude); };
  auto out_of_range = [&] { fail_type("an integer from " + show(lo) + " to " + show(hi)); };

  Wide v{false, 0};
  if (value_->kind == Kind::Unsigned) {
    v = wide(value_->bits);
  } else if (value_->kind == Kind::Negative) {
    v = wide(value_->negative());
  } else {
    out_of_range();  // floats, strings, ...: same wording as a range error
  }
  if (less(v, lo) || less(hi, v)) out_of_range();
  return v.negative ? uint64_t(0) - v.magnitude : v.magnitude;
}

void Node::expect_array(std::string_view what) const {
  if (value_->kind != Kind::Array) fail_type(what);
}

Node Node::element(size_t i) const { return Node(*doc_, doc_->child(*value_, i), *file_); }

void Node::check_member_name(std::string_view key) const {
  // Map keys become names (sysctl keys, device names): no NUL either.
  if (key.find('\0') != std::string_view::npos) fail("member name " + quote_json(key) + " contains a NUL character");
}

Node Node::member(std::string_view key, const json_tree::Value& value) const {
  check_member_name(key);
  return Node(*doc_, value, *file_);
}

std::string parse_number_list(const Node& n, std::string_view kind) {
  std::string s = n.string();
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == ',' || c == ' ' || c == '-'))
      n.fail("invalid " + std::string(kind) + " list " + quote_json(s) +
             " (expected digits, commas, dashes and spaces, such as 0-3,7)");
  try {
    (void)parse_cpu_list(s, std::string(kind) + " list");
  } catch (const Error& e) {
    n.fail(e.what());
  }
  return s;
}

}  // namespace hull::spec::detail
