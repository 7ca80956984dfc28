#pragma once
// UTF-8 decoding shared by the log writer (escaping messages), the
// state.json reader (validating strings) and `list`'s table (cell widths).
#include <cstddef>
#include <string_view>

namespace hull {

// Length of the well-formed UTF-8 sequence starting at s[i] (its code point in
// *rune), 0 if malformed: overlong forms, surrogates, code points past
// U+10FFFF and truncated sequences count as malformed.
size_t utf8_decode(std::string_view s, size_t i, char32_t* rune);

// Whether s is well-formed UTF-8 throughout.
bool valid_utf8(std::string_view s);

// How many code points s holds, each malformed byte counting as one: Go's
// utf8.RuneCountInString, the width runc's table (text/tabwriter) gives a
// cell.
size_t utf8_width(std::string_view s);

}  // namespace hull
