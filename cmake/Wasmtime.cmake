# Imports the wasmtime C API as the target `wasmtime::wasmtime`.
#
# third_party/wasmtime/build-cached.sh builds it with cargo once per lock
# file into a cache outside the build tree and prints the folder.

find_program(CARGO_EXECUTABLE cargo HINTS "$ENV{HOME}/.cargo/bin" REQUIRED)
get_filename_component(_cargo_bin "${CARGO_EXECUTABLE}" DIRECTORY)

execute_process(
  COMMAND ${CMAKE_COMMAND} -E env "PATH=${_cargo_bin}:$ENV{PATH}"
          "${CMAKE_CURRENT_SOURCE_DIR}/third_party/wasmtime/build-cached.sh"
  OUTPUT_VARIABLE WASMTIME_DIR
  OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE _wasmtime_rc)
if(NOT _wasmtime_rc EQUAL 0)
  message(FATAL_ERROR
    "building the wasmtime C API failed (exit ${_wasmtime_rc}); "
    "run third_party/wasmtime/build-cached.sh to see cargo's output")
endif()
message(STATUS "wasmtime C API: ${WASMTIME_DIR}")

# Rebuild the cache entry when the pin changes.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  "${CMAKE_CURRENT_SOURCE_DIR}/third_party/wasmtime/Cargo.lock"
  "${CMAKE_CURRENT_SOURCE_DIR}/third_party/wasmtime/Cargo.toml"
  "${CMAKE_CURRENT_SOURCE_DIR}/third_party/wasmtime/src/lib.rs")

add_library(wasmtime::wasmtime STATIC IMPORTED GLOBAL)
set_target_properties(wasmtime::wasmtime PROPERTIES
  IMPORTED_LOCATION "${WASMTIME_DIR}/lib/libboxagnts_wasmtime.a"
  INTERFACE_INCLUDE_DIRECTORIES "${WASMTIME_DIR}/include"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};m")
