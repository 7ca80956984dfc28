#pragma once
// strerror(err) as runc words it: Go's errno texts are glibc's with a
// lowercase first letter ("no such file or directory", "permission denied"),
// and clients match them case-sensitively (the docker CLI picks exit codes
// 127 and 126 by them; docs/clients.md lists every site). hull::Error's
// messages end with this text.
#include <string>

namespace hull {

std::string errno_text(int err);

}  // namespace hull
