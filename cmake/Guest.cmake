# Compiles C sources to wasm32-wasi guest modules with Debian's clang,
# lld and wasi-libc, then shrinks them with binaryen's wasm-opt.
#
#   add_guest_module(NAME SOURCES a.c b.c [OUTPUT_DIR dir])
# creates target `guest_NAME` that produces `${OUTPUT_DIR}/NAME.wasm`
# (default: ${CMAKE_BINARY_DIR}/guest).

find_program(GUEST_CLANG NAMES clang-14 clang REQUIRED)
find_program(WASM_OPT wasm-opt)
set(GUEST_SYSROOT "/usr" CACHE PATH "wasi-libc sysroot")
set(GUEST_INCLUDE_DIR "${CMAKE_SOURCE_DIR}/guest/include")

function(add_guest_module name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES" ${ARGN})
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_BINARY_DIR}/guest")
  endif()
  set(out "${ARG_OUTPUT_DIR}/${name}.wasm")
  set(raw "${CMAKE_CURRENT_BINARY_DIR}/raw/${name}.wasm")
  set(srcs "")
  foreach(s ${ARG_SOURCES})
    list(APPEND srcs "${CMAKE_CURRENT_SOURCE_DIR}/${s}")
  endforeach()
  file(GLOB sdk_headers "${GUEST_INCLUDE_DIR}/*.h")
  set(opt_cmd ${CMAKE_COMMAND} -E copy "${raw}" "${out}")
  if(WASM_OPT)
    set(opt_cmd "${WASM_OPT}" -Oz --strip-debug "${raw}" -o "${out}")
  endif()
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${ARG_OUTPUT_DIR}"
            "${CMAKE_CURRENT_BINARY_DIR}/raw"
    COMMAND "${GUEST_CLANG}" --target=wasm32-wasi "--sysroot=${GUEST_SYSROOT}"
            -Oz -Wall -Wextra -Wno-unused-parameter
            "-I${GUEST_INCLUDE_DIR}" ${srcs} -o "${raw}"
    COMMAND ${opt_cmd}
    DEPENDS ${srcs} ${sdk_headers}
    COMMENT "Compiling guest ${name}.wasm"
    VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS "${out}")
endfunction()
