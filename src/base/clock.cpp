#include "base/clock.hpp"

#include <chrono>
#include <cstdio>

namespace hull {

// The civil date by arithmetic (std::chrono's calendar), not gmtime_r or
// strftime: glibc's gmtime_r runs tzset once per process, and tzset reads
// /etc/localtime (seven system calls on the create path) for a UTC time
// that needs no zone.
std::string rfc3339(const timespec& ts, bool nanos) {
  using namespace std::chrono;
  const sys_seconds t{seconds{ts.tv_sec}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                        static_cast<long>(hms.seconds().count()));
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
