#!/usr/bin/env bash
# The Debian package lane (ctest label package, as root): build the .deb from
# the build tree with CPack, check its metadata and lintian, install it with
# dpkg, use the installed hull, and purge it leaving nothing behind. Between
# install and purge the e2e podman scenarios run with HULL_BINARY
# /usr/sbin/hull (tests/e2e/CMakeLists.txt), so the installed layout is what
# they test.
#   deb_lane.sh BUILD_DIR SOURCE_DIR install|check|purge
# Exits 77 (skipped) when not root or without dpkg.
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2") step=$3
state=$build/package/lane   # what install leaves for check and purge
# Outlives the build tree: names the package this lane installed, so that a
# later run (a fresh clone) can tell its own leftover from a package someone
# installed, when a run was killed between install and purge.
installed_mark=/var/tmp/hull-deb-lane.installed
fail() { echo "FAIL: $*" >&2; exit 1; }

((EUID == 0)) || { echo "skipped: the package lane installs a package (root only)"; exit 77; }
command -v dpkg >/dev/null || { echo "skipped: no dpkg"; exit 77; }

# What identifies a package: its version and its binary's digest; of the
# installed one, and of the .deb DEB unpacked in DIR (unpacked_identity DIR DEB).
installed_identity() {
  echo "$(dpkg-query -W -f='${Version}' hull) $(sha256sum </usr/sbin/hull)"
}
unpacked_identity() {
  echo "$(dpkg-deb -f "$2" Version) $(sha256sum <"$1/usr/sbin/hull")"
}

install_package() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Status}' hull 2>/dev/null || true)
  if [[ -n $status && $status != not-installed ]]; then
    # Ours when the mark says so, or when a run was killed within dpkg -i.
    if [[ -f $installed_mark && ($status != installed || $(<"$installed_mark") == "$(installed_identity 2>/dev/null)") ]]; then
      echo "purging the hull package ($status) an interrupted run of this lane left"
      dpkg -P hull >/dev/null
    else
      fail "a hull package is already installed on this machine; not replacing it (dpkg -P hull first)"
    fi
  fi
  rm -f "$installed_mark"
  [[ ! -e /usr/sbin/hull ]] || fail "/usr/sbin/hull exists and belongs to no package; not overwriting it"
  rm -rf "$build/package"
  (cd "$build" && cpack -G DEB >/dev/null)
  local deb
  deb=$(ls "$build"/package/hull_*.deb)
  mkdir -p "$state"

  # Metadata: a static binary needs no shared library, so no Depends.
  local needed
  needed=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./control)
  echo "$needed"
  grep -q '^Depends:' <<<"$needed" && fail "the package has Depends although hull is static"
  grep -q '^Provides: oci-runtime$' <<<"$needed" || fail "Provides: oci-runtime missing"
  dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -q conffiles && fail "the package has conffiles"
  local tmp
  tmp=$(mktemp -d)
  dpkg-deb -x "$deb" "$tmp"
  needed=$(readelf -d "$tmp/usr/sbin/hull" | grep NEEDED || true)
  local identity
  identity=$(unpacked_identity "$tmp" "$deb")
  rm -rf "$tmp"
  [[ -z $needed ]] || fail "usr/sbin/hull needs shared libraries: $needed"

  # lintian: no error or warning (the infos left are explained in docs/packaging.md).
  if command -v lintian >/dev/null; then
    local findings
    findings=$(lintian --pedantic "$deb" 2>&1 | grep -E '^[EW]:' || true)
    [[ -z $findings ]] || fail "lintian: $findings"
  else
    echo "lintian is not installed (scripts/setup.sh installs it): not linted"
  fi

  echo "$identity" >"$installed_mark"
  dpkg -i "$deb"
  dpkg -L hull >"$state/files"
}

check_package() {
  [[ -x /usr/sbin/hull ]] || fail "/usr/sbin/hull is not installed"
  [[ $(/usr/sbin/hull --version) == $("$build/hull" --version) ]] ||
    fail "installed hull --version differs from the build's"
  # man finds the page by name (man-db's index), and it renders.
  local page
  page=$(MANWIDTH=80 man -P cat hull-exec 2>&1) || fail "man hull-exec: $page"
  grep -q -- '--preserve-fds' <<<"$page" || fail "man hull-exec lacks --preserve-fds: $page"
  MANWIDTH=80 man -P cat 8 hull | grep -q 'hull-create(8)' || fail "man hull does not list hull-create(8)"
  [[ -f /usr/share/bash-completion/completions/hull ]] || fail "bash completion missing"
  [[ -f /usr/share/zsh/vendor-completions/_hull ]] || fail "zsh completion missing"
  bash -c 'source /usr/share/bash-completion/completions/hull && complete -p hull' | grep -q _hull ||
    fail "the bash completion does not register for hull"

  # One container with the installed binary, nested under this test's cgroup.
  local dir id=hull-deb-$$ out
  dir=$(mktemp -d)
  trap '/usr/sbin/hull --root "$dir/state" delete --force "$id" >/dev/null 2>&1 || true; rm -rf "$dir"' RETURN
  mkdir -p "$dir/bundle"
  bash "$src/bundles/make-rootfs.sh" "$dir/bundle/rootfs" >/dev/null
  (cd "$dir/bundle" && /usr/sbin/hull spec)
  python3 - "$dir/bundle/config.json" "$id" <<'PY'
import json, sys
path, cid = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["sh", "-c", "echo installed hull ran me as pid $$"]
c["linux"]["cgroupsPath"] = cid  # relative: below the caller's cgroup
json.dump(c, open(path, "w"))
PY
  out=$(/usr/sbin/hull --root "$dir/state" run --bundle "$dir/bundle" "$id" </dev/null) ||
    fail "hull run with /usr/sbin/hull: $out"
  [[ $out == "installed hull ran me as pid 1" ]] || fail "unexpected container output: $out"
  echo "check OK: man hull-exec, --version, completion, a container run by /usr/sbin/hull"
}

purge_package() {
  [[ -f $state/files ]] || { echo "skipped: the install step did not install the package"; exit 77; }
  dpkg-query -W hull >/dev/null 2>&1 || fail "hull is not installed although the install step installed it"
  dpkg -P hull
  rm -f "$installed_mark"
  dpkg-query -W hull >/dev/null 2>&1 && fail "dpkg still knows hull after dpkg -P"
  local path left=()
  while read -r path; do
    # Shared directories (/usr, /usr/share/man/man8, ...) stay; the package's own go.
    [[ -d $path && ! -L $path ]] && [[ $path != */hull && $path != */doc/hull/docs ]] && continue
    [[ -e $path || -L $path ]] && left+=("$path")
  done <"$state/files"
  ((${#left[@]} == 0)) || fail "left behind after dpkg -P: ${left[*]}"
  rm -rf "$state"
  echo "purge OK: nothing of the package is left"
}

case $step in
  install) install_package ;;
  check) check_package ;;
  purge) purge_package ;;
  *) fail "unknown step $step" ;;
esac
