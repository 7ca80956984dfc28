#pragma once
// GVariant's text form (GLib's g_variant_parse, "GVariant Text Format"), as
// the org.systemd.property.* annotations write a unit property's value:
// "uint64 5000000", "'inactive-or-failed'", "true", "['crio.service']",
// "@as []", "15". The part of the format a unit property can take: booleans,
// numbers with or without a type keyword or "@" annotation, strings and
// arrays of strings. Untyped integers are int32 and untyped numbers with a
// fraction or exponent double, as in GLib.
#include <string_view>

#include "cgroups/dbus_message.hpp"

namespace hull::cgroups {

// Throws hull::Error saying what is wrong with `text` (no context: the
// caller names the annotation).
dbus::PropertyValue parse_gvariant_text(std::string_view text);

}  // namespace hull::cgroups
