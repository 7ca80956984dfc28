#!/usr/bin/env bash
# The clients keep state in default places on the host, made on first use
# and never removed: podman runs its OCI runtime with the runtime's default
# state root, /run/<runtime's name> (/run/hull, /run/runc), and keeps its
# lock file in /dev/shm/libpod_lock; ctr and the runc v2 shim make
# /run/containerd/fifo, /run/containerd/s and /run/containerd/runc/<namespace>
# whatever their configured roots; dockerd makes /run/docker/plugins. One
# ctest fixture around every client lane (and bench/users.sh around its run):
#   default-roots.sh NOTES_DIR setup ENTRY...   notes which entries are absent
#   default-roots.sh NOTES_DIR cleanup          removes those again
# An ENTRY without a slash names a runtime's root, /run/ENTRY; one with a
# slash is an absolute path; "clients" stands for the clients' places above. Only what was absent is removed, a directory
# only once empty (a runtime root once it holds no container: hull's caches,
# ~seccomp and ~devices, go with it), deepest first: what a user made or filled
# meanwhile stays.
set -euo pipefail
clients=(/dev/shm/libpod_lock /run/containerd /run/containerd/fifo /run/containerd/s /run/containerd/runc
  /run/containerd/runc/default /run/docker /run/docker/plugins)
notes=$1 step=$2
shift 2
mkdir -p "$notes"
case $step in
  setup)
    # Notes already here are a killed run's, whose cleanup never came: what
    # was absent before it still goes.
    entries=()
    for entry in "$@"; do
      if [[ $entry == clients ]]; then entries+=("${clients[@]}"); else entries+=("$entry"); fi
    done
    for entry in "${entries[@]}"; do
      [[ $entry == */* ]] || entry=/run/$entry
      [[ -e $entry ]] || printf '%s\n' "$entry" >"$notes/absent-${entry//\//%}"
    done
    ;;
  cleanup)
    for note in "$notes"/absent-*; do
      if [[ -f $note ]]; then cat "$note"; fi
    done | sort -r | while IFS= read -r path; do  # a path sorts after its parent
      if [[ -d $path ]]; then
        if [[ -z $(ls -A "$path" | grep -vxE '~(seccomp|devices)') ]]; then
          rm -rf -- "${path:?}/~seccomp" "${path:?}/~devices"
        fi
        rmdir "$path" 2>/dev/null || true
      elif [[ -f $path ]]; then
        rm -f -- "$path"
      fi
    done
    rm -f "$notes"/absent-*
    rmdir "$notes" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 NOTES_DIR setup ENTRY... | cleanup" >&2
    exit 2
    ;;
esac
