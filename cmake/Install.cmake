# SPDX-License-Identifier: MIT
# Installs the man page, the shell completions and the documentation next to the binaries, and
# configures CPack to build a Debian package (scripts/package).
include(GNUInstallDirs)

# zsh searches share/zsh/vendor-completions for packages under /usr and share/zsh/site-functions
# for local installs (Debian's $fpath has /usr/share/zsh/vendor-completions and
# /usr/local/share/zsh/site-functions): the directory follows the prefix given at install time
# (cmake --install --prefix), unless AKTOKEN_ZSH_COMPLETION_DIR names one.
set(AKTOKEN_ZSH_COMPLETION_DIR "" CACHE STRING
  "Directory for the zsh completion _aktoken, relative to the prefix (empty: by prefix)")

install(FILES ${PROJECT_SOURCE_DIR}/man/aktoken.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/completions/aktoken.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME aktoken)
install(CODE "
  set(zsh_dir \"${AKTOKEN_ZSH_COMPLETION_DIR}\")
  if(zsh_dir STREQUAL \"\")
    if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
      set(zsh_dir \"${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
    else()
      set(zsh_dir \"${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
    endif()
  endif()
  file(INSTALL \"${PROJECT_SOURCE_DIR}/completions/_aktoken\" DESTINATION \"\${CMAKE_INSTALL_PREFIX}/\${zsh_dir}\"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)")
install(FILES ${PROJECT_SOURCE_DIR}/completions/aktoken.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Debian package: cpack -G DEB in a configured build tree. dpkg-shlibdeps (package dpkg-dev)
# computes the dependencies from the installed binaries (libcurl4 and libc6 for aktoken;
# libcpp-httplib0.11, libfmt9 and libstdc++6 for aktoken-sandbox).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME aktoken)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The aktoken authors")
set(CPACK_PACKAGE_CONTACT "aktoken maintainers <maintainers@users.noreply.r-seed-197dc63b.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
# The synopsis (first line of Description) is CPACK_PACKAGE_DESCRIPTION_SUMMARY.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "aktoken reads, changes, lists, creates, deletes and rotates the API tokens of
an authentik server, safely and scriptably: it keeps intent and user across
partial updates, reports values the server stored differently, writes key
files atomically with mode 0600, rotates keys without locking anyone out and
monitors expiry with monitoring-plugin exit codes or a Prometheus textfile.
.
The package also contains aktoken-sandbox, an in-memory server that answers
like authentik's tokens API, to test scripts without a real authentik.")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://goauthentik.io")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
