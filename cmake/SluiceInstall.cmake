# Install rules and the CMake package config, so that another project can write
#
#   find_package(sluice 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE sluice::sluice)
#
# Layout under the prefix (GNUInstallDirs):
#   lib/libsluice_core.a ...                 one static library per module
#   include/sluice/<area>/*.h                public headers of every module
#   include/sluice/Version.h                 generated from cmake/Version.h.in
#   lib/cmake/sluice/sluiceConfig.cmake      + sluiceConfigVersion.cmake, sluiceTargets*.cmake
#
# The top-level CMakeLists.txt includes this file after every module folder has been added.
# A module is installed by sluice_install_module(target include_dir). Every module library that
# the umbrella target sluice::sluice links is installed that way automatically (with the
# include/ folder beside its CMakeLists.txt), so a new module needs no install code of its own:
# linking it into sluice::sluice is enough.

include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SLUICE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/sluice" CACHE STRING
  "Where the sluice CMake package config is installed, relative to the install prefix")
mark_as_advanced(SLUICE_INSTALL_CMAKEDIR)

# sluice_install_module(target include_dir): installs the library `target` into the export set
# sluiceTargets (its EXPORT_NAME gives its sluice:: name) and every public header under
# include_dir into include/. Calling it twice for the same target does nothing the second time.
function(sluice_install_module target include_dir)
  get_target_property(aliased ${target} ALIASED_TARGET)
  if(aliased)
    set(target ${aliased})
  endif()
  get_property(done GLOBAL PROPERTY SLUICE_INSTALLED_MODULES)
  if(target IN_LIST done)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY SLUICE_INSTALLED_MODULES ${target})

  install(TARGETS ${target} EXPORT sluiceTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  if(IS_DIRECTORY "${include_dir}")
    install(DIRECTORY "${include_dir}/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
      FILES_MATCHING PATTERN "*.h")
  endif()

  get_target_property(export_name ${target} EXPORT_NAME)
  if(NOT export_name)
    set(export_name ${target})
  endif()
  set_property(GLOBAL APPEND PROPERTY SLUICE_INSTALLED_COMPONENTS ${export_name})
endfunction()

# Every module linked into the umbrella target.
get_target_property(_sluice_modules sluice INTERFACE_LINK_LIBRARIES)
foreach(_sluice_module IN LISTS _sluice_modules)
  if(TARGET ${_sluice_module} AND _sluice_module MATCHES "^(sluice::|sluice_)")
    get_target_property(_sluice_module_dir ${_sluice_module} SOURCE_DIR)
    sluice_install_module(${_sluice_module} "${_sluice_module_dir}/include")
  endif()
endforeach()

# The version header is generated into core's build folder.
get_target_property(_sluice_core_binary_dir sluice_core BINARY_DIR)
install(FILES "${_sluice_core_binary_dir}/generated/sluice/Version.h"
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sluice)

# The umbrella target sluice::sluice (INTERFACE, links every module).
install(TARGETS sluice EXPORT sluiceTargets)
set_property(GLOBAL APPEND PROPERTY SLUICE_INSTALLED_COMPONENTS sluice)

install(EXPORT sluiceTargets
  NAMESPACE sluice::
  FILE sluiceTargets.cmake
  DESTINATION ${SLUICE_INSTALL_CMAKEDIR})

get_property(SLUICE_INSTALLED_COMPONENTS GLOBAL PROPERTY SLUICE_INSTALLED_COMPONENTS)
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/sluiceConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/sluiceConfig.cmake"
  INSTALL_DESTINATION ${SLUICE_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/sluiceConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/sluiceConfig.cmake"
  "${PROJECT_BINARY_DIR}/sluiceConfigVersion.cmake"
  DESTINATION ${SLUICE_INSTALL_CMAKEDIR})

unset(_sluice_modules)
unset(_sluice_module)
unset(_sluice_module_dir)
unset(_sluice_core_binary_dir)
