#pragma once
// Recursive copy between two directory fds, for tmpcopyup: a tmpfs that starts
// with the content of the directory it covers. The source lies inside the
// container's rootfs, so nothing is ever followed: symlinks are copied as
// symlinks, every open is relative to a directory fd with O_NOFOLLOW.
namespace hull::rootfs {

// Copies the entries of from_dir (an fd opened for reading) into to_dir:
// directories, regular files, symlinks, device nodes and fifos, with owner,
// mode and timestamps. Throws hull::Error naming the entry.
void copy_tree(int from_dir, int to_dir);

}  // namespace hull::rootfs
