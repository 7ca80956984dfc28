// floor_delete: the kernel's price for `delete --force` of one running
// container, with no runtime around it: SIGKILL to the init through a pidfd,
// the wait for its exit (its namespaces, mounts and memory are torn down
// before the pidfd reports it), the removal of its cgroup directory in every
// hierarchy and of its state directory's files. No state is read, no check is
// made, nothing is locked: what a runtime's forced delete spends above this
// is its own. The driver (hullbench --floor-delete) runs it on containers
// that hull created, so the kernel objects torn down are the same as in
// hull's row, as one more column of the density row's parallel delete.
//
// usage: floor_delete PID CGROUP_PATH CONTROLLERS STATE_DIR
//   CGROUP_PATH: the container's cgroup below the hierarchy root, e.g.
//   /hullbench.123/hull-dense-7.
//   CONTROLLERS: comma list of cgroup v1 hierarchies under /sys/fs/cgroup, or
//   "-" on a pure cgroup v2 host.
//   STATE_DIR: removed with the plain files in it.
// Exit status 0, or 100+ for a failed step (named on stderr).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char* what, int code) {
  fprintf(stderr, "floor_delete: %s: %s\n", what, strerror(errno));
  exit(code);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: floor_delete PID CGROUP_PATH CONTROLLERS STATE_DIR\n");
    return 2;
  }
  int pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[1]), 0);
  if (pidfd < 0) die("pidfd_open", 101);
  if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0) die("pidfd_send_signal", 102);
  struct pollfd p = {.fd = pidfd, .events = POLLIN};
  while (poll(&p, 1, -1) < 0)
    if (errno != EINTR) die("poll the pidfd", 103);

  char dir[4096];
  if (strcmp(argv[3], "-") == 0) {
    snprintf(dir, sizeof dir, "/sys/fs/cgroup%s", argv[2]);
    if (rmdir(dir) < 0) die(dir, 104);
  } else {
    for (char* c = strtok(argv[3], ","); c; c = strtok(NULL, ",")) {
      snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s%s", c, argv[2]);
      if (rmdir(dir) < 0) die(dir, 104);
    }
  }

  int sd = open(argv[4], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = sd < 0 ? NULL : fdopendir(sd);
  if (!d) die(argv[4], 105);
  for (struct dirent* e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && unlinkat(sd, e->d_name, 0) < 0) die(e->d_name, 106);
  closedir(d);
  if (rmdir(argv[4]) < 0) die(argv[4], 107);
  return 0;
}
