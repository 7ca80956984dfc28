#pragma once
// CLI11, without the stream initializer its headers bring. CLI11 includes
// <iostream>, and libstdc++ 12's <iostream> gives every file that includes
// it a static std::ios_base::Init: before main(), every hull command built
// std::cout, std::cin, std::cerr, std::clog and their wide twins, 45 us of a
// command whose own work is 0.1-0.5 ms, and no hot command writes to them.
// Defining the include guard of libstdc++'s <iostream> makes CLI11's
// #include <iostream> add nothing; the declarations it would have made
// follow. The streams are then constructed only where one is written to,
// through standard_out() / standard_err() (cli/output.hpp). CLI11 itself
// writes to them only in App::exit() (help, version), which main.cpp calls
// with those, and in the warnings of deprecated or retired options, which
// hull does not define.
#include <istream>
#include <ostream>

#if defined(__GLIBCXX__) && !defined(_GLIBCXX_IOSTREAM)
#define _GLIBCXX_IOSTREAM 1
namespace std {  // NOLINT(cert-dcl58-cpp): the declarations <iostream> makes, no more
extern istream cin;
extern ostream cout;
extern ostream cerr;
extern ostream clog;
}  // namespace std
#endif

// The C++ locale, not built by CLI11 either. CLI11 2.1.2 (Debian 12's)
// trims every option name with std::isspace(ch, std::locale()), and the
// first std::locale() builds the classic locale: some 40 facets and the
// ctype<wchar_t> tables (in a static test program 40 us and 6 page faults;
// bench/rounds.md, "Eighteenth round"). hull never calls setlocale, so the
// global C++ locale is the classic one, whose ctype<char> answers exactly as
// the ASCII tests below (no byte past 0x7f is a space, a letter or upper
// case). Inside CLI11's headers only, `locale` names this tag instead, and
// its isspace/isalpha/tolower calls resolve to those tests. Every standard
// header CLI11 includes comes first, so the macro reaches CLI11's own code
// and nothing of the library's; every file includes CLI11 through here, so
// its inline functions have one definition in the program.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iterator>
#include <limits>
#include <locale>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace std {  // NOLINT(cert-dcl58-cpp): found by CLI11's std::-qualified calls only
struct hull_cli11_classic_ctype {};
template <class Char>
constexpr bool isspace(Char c, const hull_cli11_classic_ctype&) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
template <class Char>
constexpr bool isalpha(Char c, const hull_cli11_classic_ctype&) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
template <class Char>
constexpr Char tolower(Char c, const hull_cli11_classic_ctype&) {
  return c >= 'A' && c <= 'Z' ? static_cast<Char>(c - 'A' + 'a') : c;
}
}  // namespace std

#define locale hull_cli11_classic_ctype
#include <CLI/CLI.hpp>
#undef locale
