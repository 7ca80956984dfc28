# Man pages and shell completion, generated at build time from the one
# definition of the command line (src/cli, CLI11) and man/commands.yaml (the
# prose CLI11 does not hold): `hull --help`, `man hull-exec` and the
# completion cannot disagree. tools/cli_docs renders; tools/gen_cli_docs
# writes the files into build/generated/cli_docs (man8/, completion/).
add_library(hull_cli_docs STATIC
  tools/cli_docs/model.cpp tools/cli_docs/texts.cpp
  tools/cli_docs/man_page.cpp tools/cli_docs/completion.cpp)
target_include_directories(hull_cli_docs PUBLIC tools)
target_link_libraries(hull_cli_docs PUBLIC hullcli yaml-cpp)
# One translation unit: each file includes the whole of CLI11 (cli_docs.hpp),
# which took longer to compile than the file itself. tools/ is not linted.
set_target_properties(hull_cli_docs PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)

add_executable(gen_cli_docs tools/gen_cli_docs.cpp)
target_link_libraries(gen_cli_docs PRIVATE hull_cli_docs)

# The pages' date: the commit's, so a rebuild of one commit gives the same
# pages (today's date outside git).
execute_process(COMMAND git log -1 --format=%cs WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                OUTPUT_VARIABLE HULL_DOCS_DATE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT HULL_DOCS_DATE)
  string(TIMESTAMP HULL_DOCS_DATE "%Y-%m-%d" UTC)
endif()

set(HULL_CLI_DOCS_DIR ${CMAKE_BINARY_DIR}/generated/cli_docs)
# Man pages are installed gzipped (man8/*.8.gz beside the plain ones) (-n: no name or time stamp), as Debian's
# policy asks and man-db reads.
add_custom_command(
  OUTPUT ${HULL_CLI_DOCS_DIR}/stamp
  COMMAND gen_cli_docs ${CMAKE_SOURCE_DIR}/man/commands.yaml ${HULL_CLI_DOCS_DIR}
          ${PROJECT_VERSION} ${HULL_DOCS_DATE}
  COMMAND sh -c "gzip -9nkf '${HULL_CLI_DOCS_DIR}'/man8/*.8"
  COMMAND ${CMAKE_COMMAND} -E touch ${HULL_CLI_DOCS_DIR}/stamp
  DEPENDS gen_cli_docs ${CMAKE_SOURCE_DIR}/man/commands.yaml
  COMMENT "Writing hull's man pages and shell completion")
add_custom_target(hull_cli_docs_files ALL DEPENDS ${HULL_CLI_DOCS_DIR}/stamp)
