# What `hull --version` and `hull features` report about the build: the
# commit (git describe at configure time, and again after each commit;
# "unknown" outside git), the build type and the features compiled in.
# Only src/base/build_info.cpp sees them. Included after hullcore is defined.
execute_process(COMMAND git describe --always --dirty --tags
                WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                OUTPUT_VARIABLE HULL_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                RESULT_VARIABLE HULL_GIT_RESULT)
if(NOT HULL_GIT_RESULT EQUAL 0 OR NOT HULL_COMMIT)
  set(HULL_COMMIT unknown)
else()
  # A new commit, checkout or reset appends to HEAD's reflog: the next build
  # then configures again, so an incremental build never reports the commit
  # it was first configured at (only build_info.cpp recompiles).
  execute_process(COMMAND git rev-parse --git-path logs/HEAD
                  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                  OUTPUT_VARIABLE HULL_GIT_HEAD_LOG OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  get_filename_component(HULL_GIT_HEAD_LOG "${HULL_GIT_HEAD_LOG}" ABSOLUTE BASE_DIR ${CMAKE_SOURCE_DIR})
  if(EXISTS "${HULL_GIT_HEAD_LOG}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${HULL_GIT_HEAD_LOG}")
  endif()
endif()

set(HULL_BUILD_FEATURES seccomp)
if(HULL_STATIC_LINK)
  list(APPEND HULL_BUILD_FEATURES static)
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Debug" OR HULL_FUZZ)
  list(APPEND HULL_BUILD_FEATURES asan ubsan)
endif()
list(JOIN HULL_BUILD_FEATURES "," HULL_BUILD_FEATURES)

# An object library of its own: a new commit recompiles this one file (the
# Makefile generator rebuilds a whole target when its flags change).
add_library(hull_build_info OBJECT src/base/build_info.cpp)
target_include_directories(hull_build_info PRIVATE src)
target_compile_definitions(hull_build_info PRIVATE
  HULL_VERSION="${PROJECT_VERSION}" HULL_COMMIT="${HULL_COMMIT}"
  HULL_BUILD_TYPE="${CMAKE_BUILD_TYPE}" HULL_BUILD_FEATURES="${HULL_BUILD_FEATURES}")
target_link_libraries(hullcore PRIVATE hull_build_info)
message(STATUS "hull ${PROJECT_VERSION}, commit ${HULL_COMMIT}, ${CMAKE_BUILD_TYPE}, features ${HULL_BUILD_FEATURES}")
