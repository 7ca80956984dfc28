#pragma once
// nlohmann::json builds, copies and walks a document recursively: a config
// nested 100,000 levels deep overflows the stack (SIGSEGV on untrusted
// input). One linear pre-scan before the parse refuses it with an error.
#include <cstddef>
#include <string>
#include <string_view>

namespace hull {

// Deeper than any OCI document needs (config.json nests about 6 levels),
// shallow enough for every recursive walk on the default 8 MiB stack.
constexpr size_t kMaxJsonDepth = 256;

// Throws hull::Error "<file_name>: <JSON path>: JSON nested deeper than
// <limit> levels (line L, column C)" when arrays/objects in `text` (outside strings) nest
// deeper than limit. Says nothing about other syntax: the parser does.
void check_json_depth(std::string_view text, const std::string& file_name, size_t limit = kMaxJsonDepth);

}  // namespace hull
