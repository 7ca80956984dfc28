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

#include <CLI/CLI.hpp>
