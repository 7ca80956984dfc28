#!/usr/bin/env bash
# `cmake --install` into a DESTDIR with --prefix /usr: the installed files are
# exactly the expected layout (no stray file, none missing), the binary runs,
# and the man pages are valid for man(1). No root needed.
#   install_layout.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null

expected=$(mktemp -p "$dest")
{
  echo usr/sbin/hull
  echo usr/share/man/man8/hull.8
  echo usr/share/doc/hull/LICENSE
  echo usr/share/doc/hull/README.md
  (cd "$src" && ls docs/*.md | sed 's|^|usr/share/doc/hull/|')
} | sort >"$expected"
actual=$(cd "$dest" && find usr -type f -o -type l | sort)
if ! diff -u "$expected" <(echo "$actual"); then
  echo "FAIL: installed files differ from the expected layout (- expected, + installed)" >&2
  exit 1
fi

[[ -x $dest/usr/sbin/hull ]] || { echo "FAIL: usr/sbin/hull is not executable" >&2; exit 1; }
"$dest/usr/sbin/hull" --version | grep -q '^hull version ' ||
  { echo "FAIL: installed hull --version" >&2; exit 1; }
cmp "$src/LICENSE" "$dest/usr/share/doc/hull/LICENSE"
# Every page renders without a troff warning.
for page in "$dest"/usr/share/man/man8/*.8; do
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
  [[ -z $warnings ]] || { echo "FAIL: $page: $warnings" >&2; exit 1; }
done
echo "install layout OK: $(echo "$actual" | wc -l) files"
