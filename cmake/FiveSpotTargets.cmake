# Compile settings shared by every target the project owns (not applied to dependencies).
function(fivespot_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12's flow-based warnings, which only run when optimising, misfire inside libstdc++ and
    # date.h after inlining (GCC PR105651: "literal" + std::string&& reported as -Wrestrict;
    # date::from_stream's long double as -Wmaybe-uninitialized). They stay warnings, not errors,
    # so the release build (images, benchmarks) is not held hostage by a compiler bug.
    target_compile_options(${target} PRIVATE $<$<NOT:$<CONFIG:Debug>>:-Wno-error=restrict
                                             -Wno-error=maybe-uninitialized>)
  endif()
  if(FIVESPOT_SANITIZE)
    # vptr is off: cpprestsdk's streambufs trip a false positive across the .so boundary.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize=vptr)
  endif()
endfunction()

# fivespot_add_library(<name> ALIAS <ns::name> SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...)
function(fivespot_add_library name)
  cmake_parse_arguments(ARG "" "ALIAS" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(${ARG_ALIAS} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  fivespot_target_defaults(${name})
endfunction()

# fivespot_add_test(<name> SOURCES ... DEPS ...): one GoogleTest executable, tests discovered by ctest.
function(fivespot_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  fivespot_target_defaults(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
