#pragma once
// `hull features`: the runtime-spec features document (features.md), saying
// which parts of config.json hull recognises and implements.
//
// The lists live in features.cpp, one named constant per field, so a module
// that lands a feature adds its names in one place. What is detected rather
// than declared (capability names known to libcap, seccomp architectures
// known to libseccomp, flags the kernel accepts) is computed each time.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hull::features {

// The whole document, keys in the spec's order.
nlohmann::ordered_json document();
// `hull features` output: indented with four spaces like runc's, final newline.
std::string document_text();

// Sections, for callers (and tests) that need one part.
nlohmann::ordered_json linux_section();
nlohmann::ordered_json seccomp_section();
nlohmann::ordered_json cgroup_section();

// "2.5.4": the libseccomp hull runs with (for `hull --version` too).
std::string libseccomp_version();
// The highest runtime-spec version hull implements, "1.3.0".
const char* spec_version();

// Capability names libcap knows on this host, "CAP_CHOWN" ... in number order.
std::vector<std::string> known_capabilities();

}  // namespace hull::features
