#include "base/json_tree.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <locale.h>

#include "base/json_lexer.hpp"

namespace hull::json_tree {

// Reads values depth first. The children of the container being read wait on
// a stack; when it closes they move to the document together, so that every
// container's children sit next to each other there.
class Parser : JsonLexer {
 public:
  Parser(std::string_view text, Document& doc, size_t max_depth)
      : JsonLexer(text), doc_(doc), max_depth_(max_depth) {}

  bool document() {
    ws();
    if (!value(doc_.root_, 0)) return false;
    // nlohmann's lexer takes a NUL byte for the end of the input, and reads
    // no further.
    ws();
    return p_ == end_ || *p_ == '\0';
  }

 private:
  Document& doc_;
  size_t max_depth_;
  std::vector<Value> pending_;
  std::vector<std::string_view> pending_keys_;

  bool value(Value& v, size_t depth) {
    if (p_ == end_) return false;
    const char* start = p_;
    bool ok = false;
    switch (*p_) {
      case '"': v.kind = Kind::String; ok = string(v.text); break;
      case '{': v.kind = Kind::Object; ok = container(v, depth + 1, '}'); break;
      case '[': v.kind = Kind::Array; ok = container(v, depth + 1, ']'); break;
      case 't': v.kind = Kind::Bool; v.boolean = true; ok = literal("true"); break;
      case 'f': v.kind = Kind::Bool; ok = literal("false"); break;
      case 'n': v.kind = Kind::Null; ok = literal("null"); break;
      default: ok = typed_number(v); break;
    }
    v.source = std::string_view(start, static_cast<size_t>(p_ - start));
    return ok;
  }

  bool container(Value& v, size_t depth, char close) {
    if (depth > max_depth_) return false;
    ++p_;  // '{' or '['
    const size_t mark = pending_.size();
    ws();
    if (!take(close)) {
      do {
        ws();
        std::string_view key;
        if (close == '}') {
          if (!string(key)) return false;
          ws();
          if (!take(':')) return false;
          ws();
        }
        // A child container's own children come and go above it on the stack.
        Value child;
        if (!value(child, depth)) return false;
        pending_.push_back(child);
        pending_keys_.push_back(key);
        ws();
      } while (take(','));
      if (!take(close)) return false;
    }
    // Children are appended after their own children: indices, not pointers.
    v.first = static_cast<uint32_t>(doc_.values_.size());
    v.count = static_cast<uint32_t>(pending_.size() - mark);
    doc_.values_.insert(doc_.values_.end(), pending_.begin() + static_cast<std::ptrdiff_t>(mark), pending_.end());
    doc_.keys_.insert(doc_.keys_.end(), pending_keys_.begin() + static_cast<std::ptrdiff_t>(mark),
                      pending_keys_.end());
    pending_.resize(mark);
    pending_keys_.resize(mark);
    return true;
  }

  // A view into the text when the string holds no escape, else its decoded
  // copy in the document.
  bool string(std::string_view& out) {
    const char* start = p_;
    bool escaped = false;
    if (!string_to(nullptr, &escaped)) return false;
    if (!escaped) {
      out = std::string_view(start + 1, static_cast<size_t>(p_ - start - 2));
      return true;
    }
    // Decoded text is never longer than its JSON: with room for the whole
    // text, appending never moves the strings already viewed.
    std::string& decoded = doc_.decoded_;
    if (decoded.capacity() < static_cast<size_t>(end_ - begin_)) decoded.reserve(static_cast<size_t>(end_ - begin_));
    p_ = start;
    size_t at = decoded.size();
    if (!string_to(&decoded)) return false;
    out = std::string_view(decoded.data() + at, decoded.size() - at);
    return true;
  }

  bool typed_number(Value& v) {
    JsonNumber n;
    if (!number(n)) return false;
    if (n.integral && n.fits && !n.negative) {
      v.kind = Kind::Unsigned;
      v.bits = n.magnitude;
      return true;
    }
    if (n.integral && n.fits && n.magnitude <= (uint64_t(1) << 63)) {
      v.kind = Kind::Negative;
      v.bits = uint64_t(0) - n.magnitude;
      return true;
    }
    // nlohmann reads the rest with strtod (its decimal point swapped for the
    // locale's) and refuses what overflows it. In the C locale, whatever the
    // process's: underflow must read as 0, which from_chars does not give.
    static const locale_t c_locale = ::newlocale(LC_ALL_MASK, "C", locale_t{});
    v.kind = Kind::Float;
    std::string token(n.begin, n.end);
    return std::isfinite(::strtod_l(token.c_str(), nullptr, c_locale));
  }
};

bool Document::parse(std::string_view text, size_t max_depth) {
  // Indices are 32 bits: a text of 4 GiB or more is nlohmann's to read.
  if (text.size() >= UINT32_MAX) return false;
  values_.clear();
  keys_.clear();
  decoded_.clear();
  root_ = Value{};
  values_.reserve(text.size() / 16);
  keys_.reserve(text.size() / 16);
  return Parser(text, *this, max_depth).document();
}

const Value* Document::find(const Value& object, std::string_view key) const {
  for (size_t i = object.count; i-- > 0;)
    if (keys_[object.first + i] == key) return &values_[object.first + i];
  return nullptr;
}

const Value* Document::parent(const Value& value, size_t* index) const {
  // std::less: a total order even for a pointer into another array.
  const std::less<const Value*> before;
  if (values_.empty() || before(&value, values_.data()) || !before(&value, values_.data() + values_.size()))
    return nullptr;
  const auto at = static_cast<size_t>(&value - values_.data());
  auto holds = [&](const Value& c) {
    return (c.kind == Kind::Array || c.kind == Kind::Object) && c.first <= at && at - c.first < c.count;
  };
  const Value* found = holds(root_) ? &root_ : nullptr;
  for (size_t i = 0; !found && i < values_.size(); ++i)
    if (holds(values_[i])) found = &values_[i];
  if (found) *index = at - found->first;
  return found;
}

std::vector<uint32_t> Document::member_order(const Value& object) const {
  std::vector<uint32_t> order(object.count);
  for (uint32_t i = 0; i < object.count; ++i) order[i] = i;
  // Stable: of equal names the last stays last, and is the one kept.
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return key(object, a) < key(object, b); });
  std::vector<uint32_t> unique;
  unique.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i)
    if (i + 1 == order.size() || key(object, order[i]) != key(object, order[i + 1])) unique.push_back(order[i]);
  return unique;
}

}  // namespace hull::json_tree
