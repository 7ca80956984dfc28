#pragma once
// LeakSanitizer's check at exit stops every thread of the process: it finds
// them in /proc/self/task and has a child of its own ptrace them. A process
// that has joined a pid namespace for its children (create with
// linux.namespaces' pid path) gives that child a namespace where its parent
// has no pid: the check then yields in a loop forever, and the sanitizer
// build's hull never exits. Such a process runs the check before it joins
// (LeakSanitizer then skips the one at exit); hull exec joins nothing
// itself (its helper does). Nothing in other builds.
namespace hull {

void leak_check_before_joining_namespaces() noexcept;

}  // namespace hull
