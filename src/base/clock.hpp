#pragma once
#include <ctime>
#include <string>

namespace hull {
// A UTC time as RFC 3339, with nanoseconds as Go's RFC3339Nano writes them
// (2026-11-22T10:00:00.12345Z: no trailing zeros, no fraction when there are
// none; runc's "created") or seconds (2026-11-22T10:00:00Z).
std::string rfc3339(const timespec& ts, bool nanos);
// The current UTC time with nanoseconds (state.json's "created").
std::string rfc3339_now_nanos();
// The current UTC time with seconds (log lines, as logrus writes them).
std::string rfc3339_now_seconds();
}  // namespace hull
