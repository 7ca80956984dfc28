#pragma once
// The D-Bus wire format (dbus-specification "Message Protocol"), only as
// much as the systemd cgroup driver needs: little-endian messages, method
// calls out, method returns, errors and signals in. hull links statically
// and Debian ships no static libsystemd, so it speaks the protocol itself
// (docs/cgroups.md, "The systemd driver").
//
// Alignment is counted from the start of the message; a body starts at an
// 8-aligned offset, so a body marshalled on its own aligns the same way.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hull::cgroups::dbus {

enum class MessageType : uint8_t { MethodCall = 1, MethodReturn = 2, Error = 3, Signal = 4 };

// A value of a systemd unit property, as a variant: s, b, t (uint64), au, ay,
// as, and the other fixed-size numbers (i, u, x, d, y, n, q) that the
// org.systemd.property.* annotations may give (gvariant_text.hpp).
using PropertyValue =
    std::variant<std::string, bool, uint64_t, std::vector<uint32_t>, std::vector<uint8_t>, std::vector<std::string>,
                 int32_t, uint32_t, int64_t, double, uint8_t, int16_t, uint16_t>;
struct Property {
  std::string name;
  PropertyValue value;
};
// The signature of the value inside the variant ("s", "b", "t", "au", ...).
std::string_view signature_of(const PropertyValue& v);

// Marshals values into a growing buffer, padding to each type's alignment.
class Writer {
 public:
  void byte(uint8_t v) { buf_.push_back(v); }
  void boolean(bool v) { u32(v ? 1 : 0); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void string(std::string_view s);       // s and o: uint32 length, bytes, NUL
  void object_path(std::string_view s);  // checked against the spec's grammar
  void signature(std::string_view s);    // g: byte length, bytes, NUL

  // An array: its uint32 byte length, then the elements from their first
  // alignment on (the padding there is not counted).
  struct ArrayMark {
    size_t length_at, start;
  };
  ArrayMark begin_array(size_t element_alignment);
  void end_array(const ArrayMark& m);
  void begin_struct() { align(8); }

  void variant(const PropertyValue& v);
  // a(sv): systemd's property list.
  void properties(const std::vector<Property>& props);

  void align(size_t n);
  const std::vector<uint8_t>& bytes() const { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }

 private:
  std::vector<uint8_t> buf_;
};

// Reads values from a buffer; every read is bounds-checked (a message from
// the bus is parsed, never trusted to be well formed).
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte();
  uint32_t u32();
  uint64_t u64();
  std::string string();  // s and o
  std::string signature();
  void align(size_t n);
  // Skips one complete type of `sig` starting at sig[i]; advances i past it.
  void skip(std::string_view sig, size_t& i);
  size_t pos() const { return pos_; }
  bool at_end() const { return pos_ >= size_; }

 private:
  const uint8_t* need(size_t n);
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  int depth_ = 0;
};

struct MethodCall {
  std::string destination, path, interface, member;
  std::string signature;      // of the body, "" for none
  std::vector<uint8_t> body;  // marshalled from offset 0
};
// The whole message: the fixed header, the header fields, the body.
std::vector<uint8_t> encode(const MethodCall& call, uint32_t serial);

struct Message {
  MessageType type = MessageType::MethodCall;
  uint32_t serial = 0;
  uint32_t reply_serial = 0;
  std::string path, interface, member, error_name, signature;
  std::vector<uint8_t> body;
};
// The size of the message whose first 16 bytes are `head` (throws on a
// header that is not a little-endian version 1 message or too large).
size_t message_size(const uint8_t* head);
// Parses one complete message (message_size bytes).
Message decode(const std::vector<uint8_t>& bytes);

}  // namespace hull::cgroups::dbus
