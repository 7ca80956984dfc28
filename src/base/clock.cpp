#include "base/clock.hpp"

#include <charconv>
#include <chrono>

namespace hull {

namespace {

// `value` as exactly `width` digits, zero-padded (value < 10^width).
char* put_digits(char* p, unsigned long value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

}  // namespace

// The civil date by arithmetic (std::chrono's calendar), not gmtime_r or
// strftime: glibc's gmtime_r runs tzset once per process, and tzset reads
// /etc/localtime (seven system calls on the create path) for a UTC time
// that needs no zone. The digits by hand, not snprintf: printf's padding
// code runs only when a field is short (minute 7, nanoseconds below 10^8),
// so which of its pages create touched depended on the time of day, and
// the hot-text list, traced at one time, left them out at another
// (bench/rounds.md, "Thirty-ninth round").
std::string rfc3339(const timespec& ts, bool nanos) {
  using namespace std::chrono;
  const sys_seconds t{seconds{ts.tv_sec}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  const int year = static_cast<int>(ymd.year());
  char buf[64];
  char* p = buf;
  if (year >= 0 && year <= 9999) {
    p = put_digits(p, static_cast<unsigned long>(year), 4);
  } else {  // beyond RFC 3339's four digits: as they come
    p = std::to_chars(p, buf + 16, year).ptr;
  }
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
  *p++ = 'T';
  p = put_digits(p, static_cast<unsigned long>(hms.hours().count()), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<unsigned long>(hms.minutes().count()), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<unsigned long>(hms.seconds().count()), 2);
  if (nanos && ts.tv_nsec != 0) {
    *p++ = '.';
    p = put_digits(p, static_cast<unsigned long>(ts.tv_nsec), 9);
    while (p[-1] == '0') --p;
  }
  *p++ = 'Z';
  return std::string(buf, p);
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
