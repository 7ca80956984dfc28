#pragma once
// process.env as execve gets it.
#include <string>
#include <vector>

namespace hull::process {

// One entry per name, as runc's init builds the environment (it sets each
// entry in turn): where a name repeats, the first entry's place and the last
// entry's value. Otherwise getenv(3), which takes the first, and the runtime's
// own PATH lookup, which took the last, would disagree.
std::vector<std::string> unique_names(const std::vector<std::string>& env);

}  // namespace hull::process
