#include "cgroups/dbus_message.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <type_traits>

#include "base/error.hpp"

namespace hull::cgroups::dbus {

namespace {

constexpr size_t kMaxMessage = size_t{128} << 20;  // the spec's limit
constexpr size_t kMaxArray = size_t{64} << 20;     // likewise
constexpr int kMaxDepth = 64;                      // containers nested in a signature

// Header field codes (dbus-specification, "Header Fields").
enum Field : uint8_t {
  kPath = 1,
  kInterface = 2,
  kMember = 3,
  kErrorName = 4,
  kReplySerial = 5,
  kDestination = 6,
  kSignature = 8,
};

size_t alignment_of(char code) {
  switch (code) {
    case 'y':
    case 'g':
    case 'v': return 1;
    case 'n':
    case 'q': return 2;
    case 'b':
    case 'i':
    case 'u':
    case 'h':
    case 's':
    case 'o':
    case 'a': return 4;
    case 'x':
    case 't':
    case 'd':
    case '(':
    case '{': return 8;
    default: throw Error(std::string("D-Bus message: unknown type code ") + quote(std::string(1, code)));
  }
}

// Index just past the single complete type starting at sig[i].
size_t type_end(std::string_view sig, size_t i, int depth = 0) {
  if (i >= sig.size()) throw Error("D-Bus message: truncated signature " + quote(sig));
  if (depth > kMaxDepth) throw Error("D-Bus message: signature nested too deeply");
  char c = sig[i];
  if (c == 'a') return type_end(sig, i + 1, depth + 1);
  if (c == '(' || c == '{') {
    char close = c == '(' ? ')' : '}';
    size_t j = i + 1;
    while (j < sig.size() && sig[j] != close) j = type_end(sig, j, depth + 1);
    if (j >= sig.size()) throw Error("D-Bus message: unbalanced signature " + quote(sig));
    return j + 1;
  }
  alignment_of(c);  // validates the code
  return i + 1;
}

void check_no_nul(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) throw Error("D-Bus string " + quote(s) + " contains a NUL byte");
}

// dbus-specification "Valid Object Paths": "/" or /-separated [A-Za-z0-9_] elements.
void check_object_path(std::string_view p) {
  bool ok = !p.empty() && p.front() == '/' && (p.size() == 1 || p.back() != '/');
  for (size_t i = 1; ok && i < p.size(); ++i) {
    char c = p[i];
    if (c == '/')
      ok = p[i - 1] != '/';
    else
      ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  if (!ok) throw Error("D-Bus object path " + quote(p) + " is not valid");
}

void put_u32_at(std::vector<uint8_t>& buf, size_t at, uint32_t v) {
  for (int k = 0; k < 4; ++k) buf[at + k] = static_cast<uint8_t>(v >> (8 * k));
}

}  // namespace

std::string_view signature_of(const PropertyValue& v) {
  static constexpr std::array<std::string_view, std::variant_size_v<PropertyValue>> kSignatures = {
      "s", "b", "t", "au", "ay", "as", "i", "u", "x", "d", "y", "n", "q"};
  return kSignatures[v.index()];
}

void Writer::align(size_t n) {
  while (buf_.size() % n) buf_.push_back(0);
}

void Writer::u16(uint16_t v) {
  align(2);
  buf_.push_back(static_cast<uint8_t>(v));
  buf_.push_back(static_cast<uint8_t>(v >> 8));
}

void Writer::u32(uint32_t v) {
  align(4);
  for (int k = 0; k < 4; ++k) buf_.push_back(static_cast<uint8_t>(v >> (8 * k)));
}

void Writer::u64(uint64_t v) {
  align(8);
  for (int k = 0; k < 8; ++k) buf_.push_back(static_cast<uint8_t>(v >> (8 * k)));
}

void Writer::string(std::string_view s) {
  check_no_nul(s);
  u32(static_cast<uint32_t>(s.size()));
  buf_.insert(buf_.end(), s.begin(), s.end());
  buf_.push_back(0);
}

void Writer::object_path(std::string_view s) {
  check_object_path(s);
  string(s);
}

void Writer::signature(std::string_view s) {
  if (s.size() > 255) throw Error("D-Bus signature " + quote(s) + " is longer than 255 bytes");
  check_no_nul(s);
  buf_.push_back(static_cast<uint8_t>(s.size()));
  buf_.insert(buf_.end(), s.begin(), s.end());
  buf_.push_back(0);
}

Writer::ArrayMark Writer::begin_array(size_t element_alignment) {
  u32(0);
  ArrayMark m{buf_.size() - 4, 0};
  align(element_alignment);
  m.start = buf_.size();
  return m;
}

void Writer::end_array(const ArrayMark& m) {
  put_u32_at(buf_, m.length_at, static_cast<uint32_t>(buf_.size() - m.start));
}

void Writer::variant(const PropertyValue& v) {
  signature(signature_of(v));
  std::visit(
      [this](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          string(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          boolean(x);
        } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) {
          ArrayMark m = begin_array(4);
          for (uint32_t e : x) u32(e);
          end_array(m);
        } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
          ArrayMark m = begin_array(1);
          buf_.insert(buf_.end(), x.begin(), x.end());
          end_array(m);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          ArrayMark m = begin_array(4);
          for (const std::string& e : x) string(e);
          end_array(m);
        } else if constexpr (std::is_same_v<T, double>) {
          u64(std::bit_cast<uint64_t>(x));
        } else if constexpr (sizeof(T) == 8) {
          u64(static_cast<uint64_t>(x));
        } else if constexpr (sizeof(T) == 4) {
          u32(static_cast<uint32_t>(x));
        } else if constexpr (sizeof(T) == 2) {
          u16(static_cast<uint16_t>(x));
        } else {
          static_assert(sizeof(T) == 1);
          byte(static_cast<uint8_t>(x));
        }
      },
      v);
}

void Writer::properties(const std::vector<Property>& props) {
  ArrayMark m = begin_array(8);
  for (const auto& p : props) {
    begin_struct();
    string(p.name);
    variant(p.value);
  }
  end_array(m);
}

const uint8_t* Reader::need(size_t n) {
  if (pos_ > size_ || n > size_ - pos_) throw Error("D-Bus message: truncated");
  const uint8_t* p = data_ + pos_;
  pos_ += n;
  return p;
}

void Reader::align(size_t n) {
  size_t pad = (n - pos_ % n) % n;
  const uint8_t* p = need(pad);
  for (size_t k = 0; k < pad; ++k)
    if (p[k] != 0) throw Error("D-Bus message: non-zero padding");
}

uint8_t Reader::byte() { return *need(1); }

uint32_t Reader::u32() {
  align(4);
  const uint8_t* p = need(4);
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k) v |= static_cast<uint32_t>(p[k]) << (8 * k);
  return v;
}

uint64_t Reader::u64() {
  align(8);
  const uint8_t* p = need(8);
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) v |= static_cast<uint64_t>(p[k]) << (8 * k);
  return v;
}

std::string Reader::string() {
  uint32_t n = u32();
  if (n >= kMaxMessage) throw Error("D-Bus message: string too long");
  const uint8_t* p = need(size_t{n} + 1);
  if (p[n] != 0) throw Error("D-Bus message: string without its NUL");
  return std::string(reinterpret_cast<const char*>(p), n);
}

std::string Reader::signature() {
  uint8_t n = byte();
  const uint8_t* p = need(size_t{n} + 1);
  if (p[n] != 0) throw Error("D-Bus message: signature without its NUL");
  return std::string(reinterpret_cast<const char*>(p), n);
}

void Reader::skip(std::string_view sig, size_t& i) {
  if (i >= sig.size()) throw Error("D-Bus message: truncated signature " + quote(sig));
  if (++depth_ > kMaxDepth) throw Error("D-Bus message: value nested too deeply");
  char c = sig[i];
  switch (c) {
    case 's':
    case 'o':
      string();
      ++i;
      break;
    case 'g':
      signature();
      ++i;
      break;
    case 'v': {
      std::string inner = signature();
      size_t j = 0;
      skip(inner, j);
      if (j != inner.size()) throw Error("D-Bus message: variant signature " + quote(inner) + " is not one type");
      ++i;
      break;
    }
    case 'a': {
      uint32_t n = u32();
      if (n > kMaxArray) throw Error("D-Bus message: array too long");
      if (i + 1 >= sig.size()) throw Error("D-Bus message: truncated signature " + quote(sig));
      align(alignment_of(sig[i + 1]));
      need(n);
      i = type_end(sig, i + 1);
      break;
    }
    case '(':
    case '{': {
      align(8);
      char close = c == '(' ? ')' : '}';
      ++i;
      while (i < sig.size() && sig[i] != close) skip(sig, i);
      if (i >= sig.size()) throw Error("D-Bus message: unbalanced signature " + quote(sig));
      ++i;
      break;
    }
    default: {
      size_t n = alignment_of(c);
      align(n);
      need(n);
      ++i;
    }
  }
  --depth_;
}

std::vector<uint8_t> encode(const MethodCall& call, uint32_t serial) {
  if (serial == 0) throw Error("D-Bus message: serial 0 is not allowed");
  Writer w;
  w.byte('l');  // little-endian
  w.byte(static_cast<uint8_t>(MessageType::MethodCall));
  w.byte(0);  // flags: a reply is expected
  w.byte(1);  // protocol version
  w.u32(static_cast<uint32_t>(call.body.size()));
  w.u32(serial);
  auto field = [&w](uint8_t code, std::string_view sig, std::string_view value) {
    w.begin_struct();
    w.byte(code);
    w.signature(sig);
    if (sig == "o")
      w.object_path(value);
    else if (sig == "g")
      w.signature(value);
    else
      w.string(value);
  };
  Writer::ArrayMark fields = w.begin_array(8);
  field(kPath, "o", call.path);
  if (!call.interface.empty()) field(kInterface, "s", call.interface);
  field(kMember, "s", call.member);
  if (!call.destination.empty()) field(kDestination, "s", call.destination);
  if (!call.signature.empty()) field(kSignature, "g", call.signature);
  w.end_array(fields);
  w.align(8);
  std::vector<uint8_t> out = w.take();
  out.insert(out.end(), call.body.begin(), call.body.end());
  return out;
}

size_t message_size(const uint8_t* head) {
  if (head[0] != 'l')
    throw Error("D-Bus message: only little-endian messages are supported, got endianness byte " +
                std::to_string(head[0]));
  if (head[3] != 1) throw Error("D-Bus message: protocol version " + std::to_string(head[3]) + ", expected 1");
  auto u32_at = [head](size_t at) {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= static_cast<uint32_t>(head[at + k]) << (8 * k);
    return size_t{v};
  };
  size_t body = u32_at(4);
  size_t fields = u32_at(12);
  if (body > kMaxMessage || fields > kMaxArray) throw Error("D-Bus message: too large");
  size_t header = 16 + fields;
  header += (8 - header % 8) % 8;
  if (header + body > kMaxMessage) throw Error("D-Bus message: too large");
  return header + body;
}

Message decode(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < 16 || message_size(bytes.data()) != bytes.size()) throw Error("D-Bus message: truncated");
  Message m;
  Reader r(bytes.data(), bytes.size());
  r.byte();
  uint8_t type = r.byte();
  if (type < 1 || type > 4) throw Error("D-Bus message: unknown message type " + std::to_string(type));
  m.type = static_cast<MessageType>(type);
  r.byte();  // flags
  r.byte();  // version
  uint32_t body_size = r.u32();
  m.serial = r.u32();
  uint32_t fields_size = r.u32();
  size_t fields_end = r.pos() + fields_size;
  while (r.pos() < fields_end) {
    r.align(8);
    uint8_t code = r.byte();
    std::string sig = r.signature();
    auto expect = [&](std::string_view want) {
      if (sig != want) throw Error("D-Bus message: header field " + std::to_string(code) + " has type " + quote(sig));
    };
    if (code == kPath) {
      expect("o");
      m.path = r.string();
    } else if (code == kInterface || code == kMember || code == kErrorName) {
      expect("s");
      (code == kInterface ? m.interface : code == kMember ? m.member : m.error_name) = r.string();
    } else if (code == kReplySerial) {
      expect("u");
      m.reply_serial = r.u32();
    } else if (code == kSignature) {
      expect("g");
      m.signature = r.signature();
    } else {  // other fields are ignored, as the spec asks
      size_t i = 0;
      r.skip(sig, i);
      if (i != sig.size()) throw Error("D-Bus message: header field signature " + quote(sig) + " is not one type");
    }
    if (r.pos() > fields_end) throw Error("D-Bus message: header fields overrun their array");
  }
  r.align(8);
  if (bytes.size() - r.pos() != body_size) throw Error("D-Bus message: body size mismatch");
  m.body.assign(bytes.begin() + static_cast<std::ptrdiff_t>(r.pos()), bytes.end());
  return m;
}

}  // namespace hull::cgroups::dbus
