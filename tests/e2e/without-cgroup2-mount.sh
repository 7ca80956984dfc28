#!/bin/sh
# Runs "$@" in a private mount namespace without a hybrid host's cgroup2
# mount (/sys/fs/cgroup/unified), which crun 1.8 refuses to run beside; the
# host's own mounts are not touched. On a pure v2 host there is no such
# mount and "$@" runs as it is.
exec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"' "$@"
