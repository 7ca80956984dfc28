# The Debian package, built offline from the tree with CPack:
#   (cd build && cpack -G DEB)   ->  build/hull_<version>_<arch>.deb
# Its contents are `cmake --install --prefix /usr` (cmake/Install.cmake) plus
# the Debian copyright and changelog files. tests/package/deb_lane.sh builds,
# lints, installs, uses and purges it; docs/packaging.md explains the choices
# and lintian's remaining findings.

# Debian's changelog names the package version: it must be this one.
file(STRINGS ${CMAKE_SOURCE_DIR}/packaging/changelog HULL_CHANGELOG_TOP LIMIT_COUNT 1)
if(NOT HULL_CHANGELOG_TOP MATCHES "^hull \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog starts with \"${HULL_CHANGELOG_TOP}\": add an entry for ${PROJECT_VERSION}")
endif()
set(HULL_PACKAGE_DIR ${CMAKE_BINARY_DIR}/generated/package)
file(MAKE_DIRECTORY ${HULL_PACKAGE_DIR})
add_custom_command(
  OUTPUT ${HULL_PACKAGE_DIR}/changelog.gz
  COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/packaging/changelog > ${HULL_PACKAGE_DIR}/changelog.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/changelog
  COMMENT "Compressing the Debian changelog")
add_custom_target(hull_package_files ALL DEPENDS ${HULL_PACKAGE_DIR}/changelog.gz)
install(FILES packaging/copyright ${HULL_PACKAGE_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES packaging/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME hull)

set(HULL_PACKAGE_MAINTAINER "hull developers <hull@example.org>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hull)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${HULL_PACKAGE_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OCI container runtime, a drop-in for runc")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The architecture of the binary, not of the build host: CPack asks the
# host's dpkg, which says amd64 for an arm64 cross-build (cmake/aarch64-linux-gnu.cmake).
if(CMAKE_CROSSCOMPILING)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
  else()
    message(WARNING "no Debian architecture known for ${CMAKE_SYSTEM_PROCESSOR}: the package would say the host's")
  endif()
endif()
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The extended description; CPack puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "hull creates and runs containers from OCI bundles (runtime-spec 1.0.0 to
1.3.0) with runc's commands, flags, state and log formats and exit codes,
so podman, containerd, CRI-O and Docker can use it in place of runc.
The binary is statically linked.")
# Engines that run "an OCI runtime" (podman's Depends: crun | runc) may
# name this virtual package; hull is the only runtime it brings.
set(CPACK_DEBIAN_PACKAGE_PROVIDES oci-runtime)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "podman | containerd | cri-o | docker.io")
if(HULL_STATIC_LINK)
  # A static PIE: no shared library at all (readelf -d shows no NEEDED), so
  # no Depends, not even on libc6. tests/package/deb_lane.sh checks it.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "")
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
# Directories 0755 and files 0644/0755 whatever the builder's umask.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# Debian ships stripped binaries (debug symbols go to a -dbgsym package,
# which this one does not build).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)
