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
