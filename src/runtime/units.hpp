#pragma once
// Values of command-line flags written the way runc's (Go) users write them.
#include <chrono>
#include <cstdint>
#include <string_view>

namespace hull {

// A memory size as docker/go-units RAMInBytes reads it (runc update --memory
// etc.): a non-negative decimal number, optionally a space, then an optional
// case-insensitive suffix b, k, m, g, t, p with an optional "b" or "ib"
// after it, all binary multiples: "100m" = "100MiB" = 104857600, "1.5k" = 1536.
// Throws hull::Error naming the value.
int64_t parse_ram_in_bytes(std::string_view text);

// An integer as Go's strconv reads one: parse_go_int is ParseInt(text, base,
// 64) (an optional '+' or '-'), parse_go_uint ParseUint(text, base, 64) (no
// sign). No spaces anywhere. Base 10, or 0 as Go's flag package reads an int
// flag (runc's --pids-limit, --blkio-weight, --preserve-fds): "0x1f", "0o17",
// "0b11", a leading 0 for octal ("010" is 8), and underscores between digits
// ("1_000"). Throws hull::Error naming the value.
int64_t parse_go_int(std::string_view text, int base);
uint64_t parse_go_uint(std::string_view text, int base = 10);

// A Go time.ParseDuration string (runc events --interval): an optional sign,
// then one or more <decimal number><unit> with units ns, us, µs, ms, s, m, h,
// e.g. "5s", "500ms", "1m30s", "1.5h"; "0" alone is zero. Throws hull::Error.
std::chrono::nanoseconds parse_go_duration(std::string_view text);

}  // namespace hull
