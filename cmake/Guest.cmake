# Compiles C sources to wasm32-wasi guest modules with Debian's clang,
# lld and wasi-libc, then shrinks them with binaryen's wasm-opt.
#
#   add_guest_module(NAME SOURCES a.c b.c [OUTPUT_DIR dir]
#                    [INCLUDE_DIRS dir...] [LINK_FLAGS flag...])
# creates target `guest_NAME` that produces `${OUTPUT_DIR}/NAME.wasm`
# (default: ${CMAKE_BINARY_DIR}/guest). Relative SOURCES and INCLUDE_DIRS
# are taken from the calling folder; the headers of each include folder
# are dependencies of the module. LINK_FLAGS go to the compiler driver
# when it links, such as -Wl,-z,stack-size=N.

find_program(GUEST_CLANG NAMES clang-14 clang REQUIRED)
find_program(WASM_OPT wasm-opt)
set(GUEST_SYSROOT "/usr" CACHE PATH "wasi-libc sysroot")
set(GUEST_INCLUDE_DIR "${CMAKE_SOURCE_DIR}/guest/include")

function(add_guest_module name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;INCLUDE_DIRS;LINK_FLAGS"
                        ${ARGN})
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_BINARY_DIR}/guest")
  endif()
  set(out "${ARG_OUTPUT_DIR}/${name}.wasm")
  set(raw "${CMAKE_CURRENT_BINARY_DIR}/raw/${name}.wasm")
  set(srcs "")
  foreach(s ${ARG_SOURCES})
    cmake_path(ABSOLUTE_PATH s BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND srcs "${s}")
  endforeach()
  file(GLOB sdk_headers "${GUEST_INCLUDE_DIR}/*.h")
  set(include_flags "-I${GUEST_INCLUDE_DIR}")
  foreach(dir ${ARG_INCLUDE_DIRS})
    cmake_path(ABSOLUTE_PATH dir BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND include_flags "-I${dir}")
    file(GLOB dir_headers "${dir}/*.h")
    list(APPEND sdk_headers ${dir_headers})
  endforeach()
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
            ${include_flags} ${ARG_LINK_FLAGS} ${srcs} -o "${raw}"
    COMMAND ${opt_cmd}
    DEPENDS ${srcs} ${sdk_headers}
    COMMENT "Compiling guest ${name}.wasm"
    VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS "${out}")
endfunction()
