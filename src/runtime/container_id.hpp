#pragma once
// Container ids: which are valid (runc's rule) and why one is not.
#include <string_view>

namespace hull {

// Validates a container id as runc does: non-empty, [A-Za-z0-9_+,.-], not "." or
// "..", at most 1024 bytes. Throws e.g. `invalid container id "a/b": ...`.
void validate_container_id(std::string_view id);
// For a container about to be made (create, run, restore): also at most 255
// bytes (NAME_MAX), as its state directory is named by the id.
void validate_new_container_id(std::string_view id);
// Why an id is refused, or nullptr when it is fine (validate_container_id's test).
const char* container_id_problem(std::string_view id);

}  // namespace hull
