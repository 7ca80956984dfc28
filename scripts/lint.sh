#!/usr/bin/env bash
# clang-tidy 14 with the project's checks (.clang-tidy) over its sources, in
# parallel, from build/compile_commands.json (any configure of build/ writes
# it). Any finding fails the run (WarningsAsErrors).
#   scripts/lint.sh             the .cpp files changed since the tree was last
#                               known clean (the commit in .ci/lint-clean-at),
#                               and those that include a changed header: what
#                               CI runs, so a finding fails CI on main too
#   scripts/lint.sh --since REV the same, changed since REV (e.g. main, for a
#                               quick look at a branch's own files)
#   scripts/lint.sh --all       the whole tree (src/ and tests/): about 25 min
#                               of one core, so about 13 min on 2 cores
#   scripts/lint.sh -- FILE...  the given .cpp files
# The whole tree is linted also when the marker commit is not in this clone
# (a shallow or squashed history) and when .clang-tidy or this script changed
# since it: the marker vouches only for the checks it was run with.
# Moving the marker: CONTRIBUTING.md, "Style, warnings and lint".
# HULL_LINT_BUILD=dir reads another build's compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${HULL_LINT_BUILD:-build}
[ -f "$build/compile_commands.json" ] || { echo "lint: no $build/compile_commands.json (configure $build first)" >&2; exit 2; }
tidy=$(command -v run-clang-tidy-14 || command -v run-clang-tidy) || { echo "lint: run-clang-tidy not found (apt-get install clang-tidy-14)" >&2; exit 2; }

marker=.ci/lint-clean-at
all=false
explicit=()
case "${1:-}" in
  --all) all=true ;;
  --since) base=$(git rev-parse --verify "${2:?--since needs a revision}^{commit}") ;;
  "")
    clean_at=$(tr -d '[:space:]' < "$marker" 2>/dev/null || true)
    if [ -z "$clean_at" ]; then
      echo "lint: no $marker: linting the whole tree"
      all=true
    elif ! git merge-base --is-ancestor "$clean_at" HEAD 2>/dev/null; then
      echo "lint: $marker names $clean_at, not an ancestor of HEAD here: linting the whole tree"
      all=true
    elif ! git diff --quiet "$clean_at" -- .clang-tidy scripts/lint.sh; then
      echo "lint: .clang-tidy or scripts/lint.sh changed since $clean_at ($marker): linting the whole tree"
      all=true
    else
      base=$clean_at
    fi
    ;;
  --) shift; explicit=("$@") ;;
  *) echo "usage: scripts/lint.sh [--all | --since REV | -- FILE...]" >&2; exit 2 ;;
esac

files=()
if ((${#explicit[@]})); then
  files=("${explicit[@]}")
elif $all; then
  mapfile -t files < <(git ls-files 'src/*.cpp' 'tests/*.cpp')
else
  # Against the work tree: uncommitted edits count, and so do new files.
  mapfile -t changed < <(git diff --name-only --diff-filter=d "$base" -- 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp'; git ls-files --others --exclude-standard 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp')
  for f in "${changed[@]}"; do
    case "$f" in
      *.cpp) files+=("$f") ;;
      # A header is checked through the sources that include it.
      src/*.hpp) mapfile -t -O "${#files[@]}" files < <(git grep -l -F "#include \"${f#src/}\"" -- 'src/*.cpp' 'tests/*.cpp' || true) ;;
      tests/*.hpp) mapfile -t -O "${#files[@]}" files < <(git grep -l -F "$(basename "$f")\"" -- 'tests/*.cpp' || true) ;;
    esac
  done
  mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u | sed '/^$/d')
  echo "lint: files changed since $(git rev-parse --short "$base")"
fi
if [ "${#files[@]}" = 0 ]; then echo "lint: no C++ source changed"; exit 0; fi
echo "lint: clang-tidy on ${#files[@]} files"
# run-clang-tidy takes regexes: anchor each file's absolute path.
# One sed for all of them: a fork per file took minutes on a loaded machine.
mapfile -t regexes < <(printf '%s\n' "${files[@]/#/$(pwd)/}" | sed -e 's/[.[\*^$]/\\&/g' -e 's/^/^/' -e 's/$/$/')
"$tidy" -p "$build" -j "$(nproc)" -quiet "${regexes[@]}"
