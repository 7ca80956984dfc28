#include "base/clock.hpp"

#include <cstdio>

namespace hull {

// snprintf rather than strftime: strftime calls tzset, which reads
// /etc/localtime (seven system calls) for a UTC time that needs no zone.
std::string rfc3339(const timespec& ts, bool nanos) {
  tm t{};
  ::gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                        t.tm_hour, t.tm_min, t.tm_sec);
  if (nanos) n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ".%09ld", ts.tv_nsec);
  buf[n] = 'Z';
  return std::string(buf, static_cast<size_t>(n) + 1);
}

namespace {
std::string now(bool nanos) {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return rfc3339(ts, nanos);
}
}  // namespace

std::string rfc3339_now_nanos() { return now(true); }
std::string rfc3339_now_seconds() { return now(false); }

}  // namespace hull
