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

// A Go time.ParseDuration string (runc events --interval): an optional sign,
// then one or more <decimal number><unit> with units ns, us, µs, ms, s, m, h,
// e.g. "5s", "500ms", "1m30s", "1.5h"; "0" alone is zero. Throws hull::Error.
std::chrono::nanoseconds parse_go_duration(std::string_view text);

}  // namespace hull
