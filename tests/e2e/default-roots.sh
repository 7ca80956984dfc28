#!/usr/bin/env bash
# podman runs its OCI runtime with the runtime's default state root,
# /run/<runtime's name> (/run/hull, /run/runc), which the runtime makes on
# first use; every podman lane of one runtime name shares it (the build
# tree's hull and the package's). One ctest fixture around all of them:
#   default-roots.sh NOTES_DIR setup NAME...    notes which roots are absent
#   default-roots.sh NOTES_DIR cleanup          removes those, if empty
# Only a directory with no container left is removed (hull's seccomp cache,
# ~seccomp, goes with it): one a user filled meanwhile stays.
set -euo pipefail
notes=$1 step=$2
shift 2
mkdir -p "$notes"
case $step in
  setup)
    rm -f "$notes"/absent-*
    for name in "$@"; do
      [[ -e /run/$name ]] || : >"$notes/absent-$name"
    done
    ;;
  cleanup)
    for note in "$notes"/absent-*; do
      [[ -f $note ]] || continue
      root=/run/${note##*/absent-}
      if [[ -d $root/~seccomp && -z $(ls -A "$root" | grep -vx '~seccomp') ]]; then
        rm -rf -- "${root:?}/~seccomp"
      fi
      rmdir "$root" 2>/dev/null || true
      rm -f "$note"
    done
    ;;
  *)
    echo "usage: $0 NOTES_DIR setup NAME... | cleanup" >&2
    exit 2
    ;;
esac
