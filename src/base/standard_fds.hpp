#pragma once
// fds 0-2 of a runtime started with some of them closed.

namespace hull {

// Opens /dev/null on each of fds 0-2 that is closed, so no fd the runtime
// opens later takes one of those numbers: the terminal setup copies the pty
// over 0-2 (it would close the console socket sitting there) and the
// container inherits 0-2 as its stdio (it would get a runtime fd). Not
// close-on-exec: the container's stdio is then /dev/null, as the kernel
// gives a setuid program. One poll(2) when all three are open.
void open_missing_standard_fds();

}  // namespace hull
