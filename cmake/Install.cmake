# `cmake --install`: the file system layout of an installed hull, the one the
# Debian package (cmake/Package.cmake) ships. GNUInstallDirs picks the
# directories, so `--prefix /usr` gives /usr/sbin/hull, /usr/share/man/man8,
# ... and `--prefix /usr/local` the local equivalents.
include(GNUInstallDirs)

# hull is a system tool run by root and by engines that name it by path, as
# runc is (/usr/sbin/runc): sbin.
install(TARGETS hull RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})

install(FILES man/hull.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

install(FILES LICENSE README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
