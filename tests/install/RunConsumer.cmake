# Builds and runs one of the consumer projects beside this file; see CMakeLists.txt.
#
#   cmake -DCONFIG=<build>/tests/install/InstallTestConfig.cmake
#         -DMODE=find_package|add_subdirectory -P RunConsumer.cmake
#
# Fails (non-zero exit, with the reason) if installing, configuring, building or running the
# consumer fails, or if the consumer does not print this build's version.

cmake_minimum_required(VERSION 3.25)

if(NOT CONFIG OR NOT MODE)
  message(FATAL_ERROR "usage: cmake -DCONFIG=<file> -DMODE=find_package|add_subdirectory -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
include("${CONFIG}")

cmake_host_system_information(RESULT jobs QUERY NUMBER_OF_LOGICAL_CORES)
set(work "${WORK_DIR}/${MODE}")
set(prefix "${work}/prefix")
set(build "${work}/build")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}")

function(step what)
  string(TIMESTAMP now "%H:%M:%S")
  message(STATUS "[${now}] ${MODE}: ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${MODE}: ${what} failed (${rc})")
  endif()
endfunction()

set(configure_args
  -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
  # Only the prefix given here may satisfy find_package(sluice).
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(LAUNCHER)
  string(REPLACE "|" ";" launcher "${LAUNCHER}")
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${launcher}")
endif()

if(MODE STREQUAL "find_package")
  step("install the build tree into ${prefix}"
    "${CMAKE_COMMAND}" --install "${SLUICE_BUILD_TREE}" --prefix "${prefix}")
  foreach(file
      include/sluice/Version.h
      include/sluice/buffer/PooledByteBufAllocator.h
      lib/cmake/sluice/sluiceConfig.cmake
      lib/cmake/sluice/sluiceConfigVersion.cmake
      lib/cmake/sluice/sluiceTargets.cmake)
    if(NOT EXISTS "${prefix}/${file}")
      message(FATAL_ERROR "${MODE}: the install has no ${file}")
    endif()
  endforeach()
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix}")
elseif(MODE STREQUAL "add_subdirectory")
  list(APPEND configure_args
    "-DSLUICE_SOURCE_DIR=${SLUICE_SOURCE_DIR}"
    "-DSLUICE_SANITIZE=${SANITIZE}"
    "-DSLUICE_BUILD_FUZZERS=${BUILD_FUZZERS}")
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

step("configure ${MODE}_consumer"
  "${CMAKE_COMMAND}" -S "${CONSUMERS_DIR}/${MODE}_consumer" -B "${build}" ${configure_args})

if(MODE STREQUAL "find_package")
  # The package must have come from the scratch prefix, not from anywhere else on the machine.
  file(STRINGS "${build}/CMakeCache.txt" sluice_dir REGEX "^sluice_DIR:")
  string(REGEX REPLACE "^sluice_DIR:[A-Z]+=" "" sluice_dir "${sluice_dir}")
  file(REAL_PATH "${prefix}" real_prefix)
  file(REAL_PATH "${sluice_dir}" real_sluice_dir)
  string(FIND "${real_sluice_dir}" "${real_prefix}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "${MODE}: found sluice in '${sluice_dir}', not under '${prefix}'")
  endif()
endif()

step("build ${MODE}_consumer" "${CMAKE_COMMAND}" --build "${build}" --parallel ${jobs})

string(TIMESTAMP now "%H:%M:%S")
message(STATUS "[${now}] ${MODE}: run consumer")
execute_process(COMMAND "${build}/consumer"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${MODE}: the consumer failed (${rc})")
endif()
string(FIND "${out}" "sluice ${SLUICE_VERSION}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${MODE}: the consumer did not print 'sluice ${SLUICE_VERSION}'")
endif()
message(STATUS "${MODE}: OK")
