#pragma once
#include <string>

namespace hull {
// Current UTC time as RFC 3339 with nanoseconds: 2026-11-22T10:00:00.123456789Z.
std::string rfc3339_now_nanos();
// Current UTC time as RFC 3339 with seconds: 2026-11-22T10:00:00Z (log lines).
std::string rfc3339_now_seconds();
}  // namespace hull
