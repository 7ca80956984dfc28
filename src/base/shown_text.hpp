#pragma once
// Text from outside hull (a config, a client, a container's files or
// processes) as a terminal may be given it: everything a terminal would act
// on, rather than show, is escaped, so such text cannot move the cursor,
// clear the screen, retitle the window, reorder what is shown (bidirectional
// overrides) or overwrite the line it is on.
#include <string>
#include <string_view>

namespace hull {

enum class ShownAs {
  // Inside quote()'s double quotes: '"' and '\\' escaped too.
  Quoted,
  // A message line or a table's cell: one line, so a value cannot forge
  // another (newlines escaped); quotes as they are.
  Line,
};

// Appends s with C0 controls (\t, \n, \r, else \xNN), DEL, C1 controls
// (U+0080-U+009F), the bidirectional overrides and isolates (U+202A-U+202E,
// U+2066-U+2069) and malformed UTF-8 escaped byte by byte (\xNN).
void append_shown(std::string& out, std::string_view s, ShownAs as);

// s as a message line or a table's cell shows it (ShownAs::Line).
std::string shown_text(std::string_view s);

}  // namespace hull
