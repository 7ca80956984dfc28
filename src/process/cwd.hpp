#pragma once
// process.cwd, checked to be inside the container (CVE-2024-21626).
#include <string>

namespace hull::process {

// chdir(cwd). Returns false (without throwing) on EACCES so the caller can try
// again once it has the container user's identity (a directory only that user
// may enter); throws on any other error.
bool try_chdir(const std::string& cwd);
void chdir_or_throw(const std::string& cwd);

// Throws unless the working directory is reachable from our root.
void verify_cwd_inside_root(const std::string& cwd);

}  // namespace hull::process
