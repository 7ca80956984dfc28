#!/usr/bin/env bash
# `cmake --install` into a DESTDIR with --prefix /usr: the installed files are
# exactly the expected layout (no stray file, none missing), the binary runs,
# the man pages are valid for man(1) and there is one per verb of `hull --help`.
# No root needed.
#   install_layout.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null

# The verbs as `hull --help` lists them: each has its page.
verbs=$("$build/hull" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }')
[[ $(echo "$verbs" | wc -l) -ge 15 ]] || { echo "FAIL: hull --help lists too few verbs: $verbs" >&2; exit 1; }

expected=$(mktemp -p "$dest")
{
  echo usr/sbin/hull
  echo usr/share/man/man8/hull.8.gz
  for verb in $verbs; do echo "usr/share/man/man8/hull-$verb.8.gz"; done
  echo usr/share/bash-completion/completions/hull
  echo usr/share/zsh/vendor-completions/_hull
  echo usr/share/doc/hull/LICENSE
  echo usr/share/doc/hull/copyright
  echo usr/share/doc/hull/changelog.gz
  echo usr/share/lintian/overrides/hull
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
for page in "$dest"/usr/share/man/man8/*.8.gz; do
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
  [[ -z $warnings ]] || { echo "FAIL: $page: $warnings" >&2; exit 1; }
done
echo "install layout OK: $(echo "$actual" | wc -l) files"
