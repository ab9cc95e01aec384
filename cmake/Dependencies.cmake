# Every dependency comes from Debian's packages (scripts/setup installs them).
find_package(Threads REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(RapidJSON CONFIG REQUIRED) # header-only: /usr/include
find_package(Boost 1.74 REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
find_package(CURL REQUIRED)
if(WASMDAPR_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(WASMDAPR_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Tools that build guest modules for tests and benchmarks.
find_program(WAT2WASM wat2wasm REQUIRED)
find_program(WAST2JSON wast2json REQUIRED)
find_program(CLANG_WASM clang-16 REQUIRED)
find_program(WASM_LD wasm-ld-16 NAMES wasm-ld-16 wasm-ld REQUIRED)

# A release binary links its C++ libraries statically: mapping and relocating shared C++
# libraries is most of a `wasmdapr run` start-up. The C library stays shared (dlopen of libcurl
# needs it). Every library linked here must be static for libstdc++ to be, so that only one
# copy of the C++ runtime is in the process.
option(WASMDAPR_STATIC_DEPS "Link libstdc++, yaml-cpp, SQLite and hiredis statically" OFF)
if(WASMDAPR_STATIC_DEPS)
  find_library(YAML_CPP_STATIC libyaml-cpp.a REQUIRED)
  find_library(SQLITE3_STATIC libsqlite3.a REQUIRED)
  find_library(HIREDIS_STATIC libhiredis.a REQUIRED)
  set_target_properties(yaml-cpp PROPERTIES IMPORTED_LOCATION_NONE ${YAML_CPP_STATIC}
                                            IMPORTED_LOCATION ${YAML_CPP_STATIC})
  set_property(TARGET yaml-cpp PROPERTY IMPORTED_SONAME_NONE)
  set_target_properties(SQLite::SQLite3 PROPERTIES IMPORTED_LOCATION ${SQLITE3_STATIC}
                        INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};m")
  set_target_properties(PkgConfig::HIREDIS PROPERTIES INTERFACE_LINK_LIBRARIES ${HIREDIS_STATIC})
  add_link_options(-static-libstdc++ -static-libgcc)
endif()
