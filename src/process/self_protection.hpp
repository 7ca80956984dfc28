#pragma once
// CVE-2019-5736, the mount side: whether the runtime binary this process was
// started from can be reopened for writing at all.
namespace hull::process {

// True when /proc/self/exe lives on a read-only mount (as this process sees
// it: the exe keeps the mount it was executed through). Then no process, in a
// container or not, can reopen it for writing (EROFS), which closes
// CVE-2019-5736 for good: hull starts no helper from a copy, so this is the
// deployment's part (a read-only /usr, or ProtectSystem= for the service that
// starts hull, or a read-only bind mount of the binary).
bool runtime_binary_on_readonly_mount();

}  // namespace hull::process
