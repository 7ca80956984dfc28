#include "base/clock.hpp"

#include <cstdio>
#include <ctime>

namespace hull {

namespace {
std::string format(bool nanos) {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  ::gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  if (nanos) n += static_cast<size_t>(std::snprintf(buf + n, sizeof buf - n, ".%09ld", ts.tv_nsec));
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}
}  // namespace

std::string rfc3339_now_nanos() { return format(true); }
std::string rfc3339_now_seconds() { return format(false); }

}  // namespace hull
