#pragma once
// LeakSanitizer's check at exit stops every thread of the process, which it
// finds in /proc/self/task. A process that has joined a container's mount
// namespace (hull exec) sees the container's /proc there, where it has no
// pid: the check then yields in a loop forever, and the sanitizer build's
// `hull exec` never exits. Such a process runs the check before it joins
// (LeakSanitizer then skips the one at exit). Nothing in other builds.
namespace hull {

void leak_check_before_joining_mount_namespace() noexcept;

}  // namespace hull
