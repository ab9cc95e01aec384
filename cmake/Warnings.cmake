# Project-wide compile flags: warnings everywhere, errors in CI, sanitizers on demand.
add_compile_options(-Wall -Wextra)
if(WASMDAPR_WERROR)
  # GCC's flow analysis reports maybe-uninitialized inside Boost.Beast's headers once they are
  # inlined under the sanitizers; those stay warnings so third-party headers cannot fail CI.
  add_compile_options(-Werror -Wno-error=maybe-uninitialized)
endif()
if(WASMDAPR_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# wasmdapr_layer(<layer> [DEPS <targets>...]): the static library wasmdapr_<layer> built from
# src/<layer>/*.cpp, linking the layers below it.
function(wasmdapr_layer layer)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources)
    add_library(wasmdapr_${layer} STATIC ${sources})
    target_include_directories(wasmdapr_${layer} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(wasmdapr_${layer} PUBLIC ${ARG_DEPS})
  else()
    add_library(wasmdapr_${layer} INTERFACE)
    target_include_directories(wasmdapr_${layer} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(wasmdapr_${layer} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# wasmdapr_test(<name> SOURCES <files>... DEPS <targets>...): a GoogleTest executable in CTest.
function(wasmdapr_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
