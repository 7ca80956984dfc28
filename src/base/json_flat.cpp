#include "base/json_flat.hpp"

#include "base/json_lexer.hpp"

namespace hull::json_flat {
namespace {

constexpr int kMaxDepth = 512;

class Reader : JsonLexer {
 public:
  Reader(std::string_view t, std::span<const std::string_view> skip) : JsonLexer(t), skip_(skip) {}

  Result document(Members& out) {
    ws();
    if (p_ == end_) return Result::Invalid;
    if (*p_ != '{') {
      if (!skip_value(0)) return Result::Invalid;
      ws();
      return p_ == end_ ? Result::NotObject : Result::Invalid;
    }
    ++p_;
    ws();
    if (take('}')) return at_end() ? Result::Ok : Result::Invalid;
    do {
      ws();
      std::string key;
      if (!string_to(&key)) return Result::Invalid;
      ws();
      if (!take(':')) return Result::Invalid;
      ws();
      if (skipped(key)) {
        if (!skip_value(1)) return Result::Invalid;
      } else {
        Value v;
        if (!member_value(v)) return Result::Invalid;
        out.emplace_back(std::move(key), std::move(v));
      }
      ws();
    } while (take(','));
    if (!take('}')) return Result::Invalid;
    return at_end() ? Result::Ok : Result::Invalid;
  }

 private:
  std::span<const std::string_view> skip_;

  bool skipped(std::string_view key) const {
    for (std::string_view k : skip_)
      if (k == key) return true;
    return false;
  }

  // A top-level member's value: typed, and kept when it is a string, an
  // unsigned integer or an object of strings.
  bool member_value(Value& v) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': v.kind = Kind::String; return string_to(&v.text);
      case '{': v.kind = Kind::Object; return string_values(v, true);
      case '[': v.kind = Kind::Array; return string_values(v, false);
      case 't':
        v.kind = Kind::Bool;
        v.number = 1;
        return literal("true");
      case 'f': v.kind = Kind::Bool; return literal("false");
      case 'n': v.kind = Kind::Null; return literal("null");
      default: return typed_number(v);
    }
  }

  // An object (members) or array (items) kept while every value in it is a
  // string; otherwise validated, typed and dropped.
  bool string_values(Value& v, bool object) {
    const char close = object ? '}' : ']';
    ++p_;  // '{' or '['
    v.strings_only = true;
    ws();
    if (take(close)) return true;
    do {
      ws();
      std::string key;
      if (object) {
        if (!string_to(&key)) return false;
        ws();
        if (!take(':')) return false;
        ws();
      }
      if (v.strings_only && p_ != end_ && *p_ == '"') {
        std::string text;
        if (!string_to(&text)) return false;
        if (object)
          v.members.emplace_back(std::move(key), std::move(text));
        else
          v.items.push_back(std::move(text));
      } else {
        v.strings_only = false;
        v.members.clear();
        v.items.clear();
        if (!skip_value(2)) return false;
      }
      ws();
    } while (take(','));
    return take(close);
  }

  // Any value, validated and dropped.
  bool skip_value(int depth) {
    if (depth > kMaxDepth || p_ == end_) return false;
    JsonNumber number_token;
    switch (*p_) {
      case '"': return string_to(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      case '{':
      case '[': {
        char close = *p_ == '{' ? '}' : ']';
        bool object = close == '}';
        ++p_;
        ws();
        if (take(close)) return true;
        do {
          ws();
          if (object) {
            if (!string_to(nullptr)) return false;
            ws();
            if (!take(':')) return false;
            ws();
          }
          if (!skip_value(depth + 1)) return false;
          ws();
        } while (take(','));
        return take(close);
      }
      default: return number(number_token);
    }
  }

  bool typed_number(Value& v) {
    JsonNumber n;
    if (!number(n)) return false;
    if (!n.negative && n.integral && n.fits) {
      v.kind = Kind::Unsigned;
      v.number = n.magnitude;
    } else {
      v.kind = Kind::OtherNumber;
    }
    return true;
  }
};

}  // namespace

Result parse_object(std::string_view text, Members& out, std::span<const std::string_view> skip) {
  out.clear();
  out.reserve(16);  // state.json has 12 members: no regrowth copies
  Result r = Reader(text, skip).document(out);
  if (r != Result::Ok) out.clear();
  return r;
}

const Value* find(const Members& members, std::string_view key) {
  for (auto it = members.rbegin(); it != members.rend(); ++it)
    if (it->first == key) return &it->second;
  return nullptr;
}

Value* find(Members& members, std::string_view key) { return const_cast<Value*>(find(std::as_const(members), key)); }

}  // namespace hull::json_flat
