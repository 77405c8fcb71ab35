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

# aktoken-sandbox is a test tool: installed (and packaged) only when asked for.
option(AKTOKEN_INSTALL_SANDBOX "Install aktoken-sandbox with aktoken" OFF)

# Debian policy wants manual pages and the changelog compressed with gzip -9n (no name or time
# stamp, so the result is the same on every build).
find_program(AKTOKEN_GZIP gzip REQUIRED)
set(AKTOKEN_GZIPPED ${PROJECT_BINARY_DIR}/gzipped)
foreach(pair IN ITEMS "man/aktoken.1:aktoken.1.gz" "packaging/changelog:changelog.gz")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 source)
  list(GET pair 1 target)
  add_custom_command(OUTPUT ${AKTOKEN_GZIPPED}/${target}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${AKTOKEN_GZIPPED}
    COMMAND ${AKTOKEN_GZIP} -9n -c ${PROJECT_SOURCE_DIR}/${source} > ${AKTOKEN_GZIPPED}/${target}
    DEPENDS ${PROJECT_SOURCE_DIR}/${source}
    VERBATIM)
  list(APPEND AKTOKEN_GZIPPED_FILES ${AKTOKEN_GZIPPED}/${target})
endforeach()
add_custom_target(aktoken_gzipped ALL DEPENDS ${AKTOKEN_GZIPPED_FILES})

install(FILES ${AKTOKEN_GZIPPED}/aktoken.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
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
# The license is in copyright, where Debian looks for it.
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/packaging/copyright
  ${AKTOKEN_GZIPPED}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Debian package: cpack -G DEB in a configured build tree. dpkg-shlibdeps (package dpkg-dev)
# computes the dependencies from the installed binaries (libc6, libcurl4, libfmt9 and libstdc++6
# for aktoken; libcpp-httplib0.11 for aktoken-sandbox when AKTOKEN_INSTALL_SANDBOX packs it too).
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
monitors expiry with monitoring-plugin exit codes or a Prometheus textfile.")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://goauthentik.io")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
