#!/usr/bin/env bash
# clang-tidy 14 with the project's checks (.clang-tidy) over its sources, in
# parallel, from build/compile_commands.json (any configure of build/ writes
# it). Any finding fails the run (WarningsAsErrors).
#   scripts/lint.sh          the .cpp files changed since the merge base with
#                            origin/main (main if there is no origin), and
#                            those that include a changed header
#   scripts/lint.sh --all    the whole tree (src/ and tests/): about 25 min of
#                            one core, so about 13 min on 2 cores
# HULL_LINT_BUILD=dir reads another build's compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${HULL_LINT_BUILD:-build}
[ -f "$build/compile_commands.json" ] || { echo "lint: no $build/compile_commands.json (configure $build first)" >&2; exit 2; }
tidy=$(command -v run-clang-tidy-14 || command -v run-clang-tidy) || { echo "lint: run-clang-tidy not found (apt-get install clang-tidy-14)" >&2; exit 2; }

files=()
if [ "${1:-}" = --all ]; then
  mapfile -t files < <(git ls-files 'src/*.cpp' 'tests/*.cpp')
else
  base=$(git merge-base HEAD origin/main 2>/dev/null || git merge-base HEAD main)
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
fi
if [ "${#files[@]}" = 0 ]; then echo "lint: no C++ source changed"; exit 0; fi
echo "lint: clang-tidy on ${#files[@]} files"
# run-clang-tidy takes regexes: anchor each file's absolute path.
regexes=()
for f in "${files[@]}"; do regexes+=("^$(pwd | sed 's/[.[\*^$]/\\&/g')/$(printf '%s' "$f" | sed 's/[.[\*^$]/\\&/g')\$"); done
"$tidy" -p "$build" -j "$(nproc)" -quiet "${regexes[@]}"
