# Run by `cmake --install` (see cmake/install.cmake), when the final prefix is known: writes the
# modulefile P/share/modulefiles/ecgforest/<version> from cmake/ecgforest.modulefile.in and links
# P/bin/ecgforest-report and P/bin/ecgforest-sweep to the tools in P/share/ecgforest/tools.
# Honours DESTDIR (files go under DESTDIR, the modulefile names the prefix without it).
set(dest "$ENV{DESTDIR}${ECGFOREST_PREFIX}")
set(modfile "${dest}/share/modulefiles/ecgforest/${ECGFOREST_VERSION}")
message(STATUS "Installing: ${modfile}")
configure_file("${ECGFOREST_MODULE_SOURCE}" "${modfile}" @ONLY)
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${modfile}")

foreach(tool IN ITEMS report sweep)
  set(link "${dest}/${ECGFOREST_BINDIR}/ecgforest-${tool}")
  file(RELATIVE_PATH target "${dest}/${ECGFOREST_BINDIR}" "${dest}/${ECGFOREST_SHAREDIR}/tools/${tool}")
  message(STATUS "Installing: ${link} -> ${target}")
  file(REMOVE "${link}")
  file(CREATE_LINK "${target}" "${link}" SYMBOLIC)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${link}")
endforeach()
