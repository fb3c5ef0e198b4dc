# Installation: `cmake --install BUILD --prefix P` (README "Installing on a cluster").
#   P/bin                          ecgforest, ecgforest-synth, ecgforest-report, ecgforest-sweep
#   P/include/ecgforest/<layer>    the headers of every layer, plus the generated version.hpp
#   P/lib                          the layer libraries (libecgforest_<layer>.a)
#   P/lib/cmake/ecgforest          CMake package: find_package(ecgforest) gives ecgforest::<layer>
#                                  and ecgforest::ecgforest (every layer below cli)
#   P/share/ecgforest              tools (report, sweep, ecgforest_model.py), configs, slurm, docs
#   P/share/modulefiles/ecgforest/<version>   Tcl modulefile (environment-modules and Lmod)
# Included from the top CMakeLists.txt after the layers are defined. The build keeps the per-layer
# include roots ($<BUILD_INTERFACE:build/layers/<layer>>); installed, the headers form one tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ECGFOREST_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ecgforest)
set(ECGFOREST_INSTALL_SHAREDIR ${CMAKE_INSTALL_DATADIR}/ecgforest)

# ---------------------------------------------------------------- libraries and headers
foreach(layer IN LISTS ECGFOREST_LAYERS)
  target_include_directories(ecgforest_${layer} PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(ecgforest_${layer} PROPERTIES EXPORT_NAME ${layer})
endforeach()
# The whole set under the name consumers of the package use (also inside this build).
add_library(ecgforest::ecgforest ALIAS ecgforest_all)
set_target_properties(ecgforest_all PROPERTIES EXPORT_NAME ecgforest)
# Every layer links it PUBLIC; empty unless ECGFOREST_SANITIZE (then consumers link the runtimes).
set_target_properties(ecgforest_sanitize PROPERTIES EXPORT_NAME sanitize)

list(TRANSFORM ECGFOREST_LAYERS PREPEND ecgforest_ OUTPUT_VARIABLE ecgforest_layer_targets)
install(TARGETS ${ecgforest_layer_targets} ecgforest_all ecgforest_sanitize
        EXPORT ecgforestTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/ecgforest/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ecgforest
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/generated/ecgforest/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ecgforest)

install(EXPORT ecgforestTargets NAMESPACE ecgforest:: DESTINATION ${ECGFOREST_INSTALL_CMAKEDIR})
# What the package config checks against the consumer's MPI and HDF5 (README "What must match").
get_filename_component(ECGFOREST_EDFLIB_DIR "${EDFLIB_LIBRARY}" DIRECTORY)
get_filename_component(ECGFOREST_EDFLIB_NAME "${EDFLIB_LIBRARY}" NAME)
set(ECGFOREST_BUILT_HDF5_VERSION "${HDF5_VERSION}")
set(ECGFOREST_BUILT_MPI_C_LIBRARIES "${MPI_C_LIBRARIES}")
configure_package_config_file(cmake/ecgforestConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ecgforestConfig.cmake INSTALL_DESTINATION ${ECGFOREST_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ecgforestConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ecgforestConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/ecgforestConfigVersion.cmake
        DESTINATION ${ECGFOREST_INSTALL_CMAKEDIR})

# ---------------------------------------------------------------- programs, tools, data, docs
install(TARGETS ecgforest RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET ecgforest-synth)
  install(TARGETS ecgforest-synth RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(PROGRAMS tools/report tools/sweep tools/ecgforest_model.py DESTINATION ${ECGFOREST_INSTALL_SHAREDIR}/tools)
install(DIRECTORY configs/ DESTINATION ${ECGFOREST_INSTALL_SHAREDIR}/configs FILES_MATCHING PATTERN "*.toml")
install(PROGRAMS slurm/ecgforest.sbatch slurm/sweep.sbatch DESTINATION ${ECGFOREST_INSTALL_SHAREDIR}/slurm)
install(FILES slurm/README.md DESTINATION ${ECGFOREST_INSTALL_SHAREDIR}/slurm)
install(FILES README.md ARCHITECTURE.md DESTINATION ${ECGFOREST_INSTALL_SHAREDIR})

# ---------------------------------------------------------------- links in bin and the modulefile
# Both need the final prefix, which `cmake --install --prefix P` only knows at install time.
install(CODE "
  set(ECGFOREST_VERSION \"${PROJECT_VERSION}\")
  set(ECGFOREST_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(ECGFOREST_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(ECGFOREST_SHAREDIR \"${ECGFOREST_INSTALL_SHAREDIR}\")
  set(ECGFOREST_CMAKEDIR \"${ECGFOREST_INSTALL_CMAKEDIR}\")
  set(ECGFOREST_MODULE_SOURCE \"${CMAKE_CURRENT_SOURCE_DIR}/cmake/ecgforest.modulefile.in\")
  include(\"${CMAKE_CURRENT_SOURCE_DIR}/cmake/install_modulefile.cmake\")
")
