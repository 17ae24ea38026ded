# Sanitizer builds apply to every target in the tree (libraries, tests, benchmarks), so that
# instrumented and uninstrumented code never mix.
if(SLUICE_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(SLUICE_SANITIZER_BUILD=1)
elseif(SLUICE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  add_compile_definitions(SLUICE_SANITIZER_BUILD=1)
elseif(NOT SLUICE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "SLUICE_SANITIZE must be address, thread or empty, not '${SLUICE_SANITIZE}'")
endif()

if(SLUICE_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SLUICE_BUILD_FUZZERS needs clang (libFuzzer)")
  endif()
  # Libraries get coverage instrumentation; only the fuzz executables link the fuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(SLUICE_SANITIZER_BUILD=1 SLUICE_FUZZING=1)
endif()
