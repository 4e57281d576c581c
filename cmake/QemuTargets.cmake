# Helpers that declare each library and unit test once and, unless the whole build is already
# sanitized, also a twin built with ASan+UBSan (suffix -san) so that `make check` runs the unit
# tests under the sanitizers without a second build tree.

set(QEMU_SAN_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
                   -fno-sanitize-recover=undefined)
if(QEMU_SANITIZERS OR NOT QEMU_SAN_TWINS)
  set(QEMU_WANT_TWINS OFF)
else()
  set(QEMU_WANT_TWINS ON)
endif()

# qemu_library(NAME SOURCES ... DEPS ...)
function(qemu_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${A_DEPS})
  if(QEMU_WANT_TWINS)
    set(san_deps)
    foreach(d ${A_DEPS})
      if(TARGET ${d}-san)
        list(APPEND san_deps ${d}-san)
      else()
        list(APPEND san_deps ${d})
      endif()
    endforeach()
    add_library(${name}-san STATIC EXCLUDE_FROM_ALL ${A_SOURCES})
    target_include_directories(${name}-san PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_compile_options(${name}-san PRIVATE ${QEMU_SAN_FLAGS})
    target_link_libraries(${name}-san PUBLIC ${san_deps})
  endif()
endfunction()

# qemu_unit_test(NAME SOURCES ... DEPS ...): a GoogleTest binary in build/tests, registered with
# ctest (label "unit"), and its sanitizer twin (label "unit-san").
function(qemu_unit_test name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  # A hang fails its test after 10 minutes instead of holding make check to CI's limit.
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit TIMEOUT 600)
  if(QEMU_WANT_TWINS)
    set(san_deps)
    foreach(d ${A_DEPS})
      if(TARGET ${d}-san)
        list(APPEND san_deps ${d}-san)
      else()
        list(APPEND san_deps ${d})
      endif()
    endforeach()
    add_executable(${name}-san ${A_SOURCES})
    target_compile_options(${name}-san PRIVATE ${QEMU_SAN_FLAGS})
    target_link_options(${name}-san PRIVATE -fsanitize=address,undefined)
    target_link_libraries(${name}-san PRIVATE ${san_deps} GTest::gtest_main)
    set_target_properties(${name}-san PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                                 ${CMAKE_BINARY_DIR}/tests)
    gtest_discover_tests(${name}-san DISCOVERY_MODE PRE_TEST TEST_SUFFIX .san
                         PROPERTIES LABELS unit-san TIMEOUT 600)
  endif()
endfunction()

include(GoogleTest)
