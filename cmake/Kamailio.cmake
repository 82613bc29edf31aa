# Finds the Kamailio source tree matching the installed binary, derives the
# compile definitions Kamailio's Makefile.defs gives a module, and checks that
# a module built with them carries the same version and flags string as the
# installed `kamailio -v`. Defines im_add_kamailio_module().

set(KAMAILIO_BIN "/usr/sbin/kamailio" CACHE FILEPATH "the kamailio binary the modules are built for")
if(NOT KAMAILIO_SRC_DIR AND EXISTS /etc/im-server/kamailio-src)
  file(STRINGS /etc/im-server/kamailio-src _im_src LIMIT_COUNT 1)
  set(KAMAILIO_SRC_DIR "${_im_src}")
endif()
set(KAMAILIO_SRC_DIR "${KAMAILIO_SRC_DIR}" CACHE PATH "Kamailio source tree (apt-get source kamailio), as scripts/setup finds it")
if(NOT EXISTS "${KAMAILIO_SRC_DIR}/src/Makefile.defs")
  message(FATAL_ERROR "KAMAILIO_SRC_DIR='${KAMAILIO_SRC_DIR}' is not a Kamailio source tree: run scripts/setup or pass -DKAMAILIO_SRC_DIR=")
endif()
if(NOT EXISTS "${KAMAILIO_SRC_DIR}/src/config.mak")
  execute_process(COMMAND make cfg WORKING_DIRECTORY "${KAMAILIO_SRC_DIR}/src"
                  RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "`make cfg` failed in ${KAMAILIO_SRC_DIR}/src")
  endif()
endif()

# The defines a module gets, printed from a real module directory so that
# every per-module Makefile rule applies (MOD_NAME is set per module below).
execute_process(
  COMMAND make -s -f Makefile -f "${CMAKE_CURRENT_LIST_DIR}/print-module-defs.mk" im-print-module-defs
  WORKING_DIRECTORY "${KAMAILIO_SRC_DIR}/src/modules/sl"
  OUTPUT_VARIABLE _defs_text RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "cannot print module definitions from ${KAMAILIO_SRC_DIR}: ${_err}")
endif()
string(REPLACE "\n" ";" _defs_lines "${_defs_text}")
set(KAMAILIO_MODULE_DEFINITIONS "")
foreach(_arg IN LISTS _defs_lines)
  if(_arg MATCHES "^-D(.+)$")
    set(_def "${CMAKE_MATCH_1}")
    if(NOT _def MATCHES "^MOD_NAME=")
      list(APPEND KAMAILIO_MODULE_DEFINITIONS "${_def}")
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES KAMAILIO_MODULE_DEFINITIONS)

# What the installed binary says of itself.
execute_process(COMMAND "${KAMAILIO_BIN}" -v OUTPUT_VARIABLE _kv RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "cannot run ${KAMAILIO_BIN} -v: install kamailio (scripts/setup)")
endif()
string(REGEX MATCH "version: ([^\n]*[^ \n])" _m "${_kv}")
set(_installed_version "${CMAKE_MATCH_1}")
string(REGEX MATCH "flags: ([^\n]*)" _m "${_kv}")
set(_installed_flags "${CMAKE_MATCH_1}")

# What a module built with the derived definitions would carry.
list(TRANSFORM KAMAILIO_MODULE_DEFINITIONS PREPEND "-D" OUTPUT_VARIABLE _probe_defs)
try_run(_run_rc _compile_ok
  "${CMAKE_BINARY_DIR}/kamailio-flags-check"
  "${CMAKE_CURRENT_LIST_DIR}/print-compile-flags.c"
  CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${KAMAILIO_SRC_DIR}/src"
  COMPILE_DEFINITIONS ${_probe_defs}
  COMPILE_OUTPUT_VARIABLE _compile_out
  RUN_OUTPUT_VARIABLE _module_text)
if(NOT _compile_ok)
  message(FATAL_ERROR "cannot compile the Kamailio flags probe:\n${_compile_out}")
endif()
string(REPLACE "\n" ";" _module_lines "${_module_text}")
list(GET _module_lines 0 _module_version)
list(GET _module_lines 1 _module_flags)
if(NOT _module_version STREQUAL _installed_version)
  message(FATAL_ERROR "Kamailio version mismatch:\n  installed kamailio: '${_installed_version}'\n  source tree ${KAMAILIO_SRC_DIR}: '${_module_version}'\nFetch the source of the installed package (scripts/setup).")
endif()
if(NOT _module_flags STREQUAL _installed_flags)
  string(REPLACE ", " ";" _a "${_installed_flags}")
  string(REPLACE ", " ";" _b "${_module_flags}")
  set(_only_installed ${_a})
  list(REMOVE_ITEM _only_installed ${_b})
  set(_only_derived ${_b})
  list(REMOVE_ITEM _only_derived ${_a})
  message(FATAL_ERROR "Kamailio compile flags mismatch: modules would not load.\n"
    "  installed kamailio: ${_installed_flags}\n  derived for modules: ${_module_flags}\n"
    "  only in installed: ${_only_installed}\n  only in derived: ${_only_derived}")
endif()
message(STATUS "Kamailio ${_installed_version}: module compile flags match the installed binary")

execute_process(COMMAND dpkg-query -L kamailio OUTPUT_VARIABLE _files ERROR_QUIET)
string(REGEX MATCH "[^\n]*/kamailio/modules/tm\\.so" _tm "${_files}")
if(_tm)
  get_filename_component(_moddir "${_tm}" DIRECTORY)
else()
  set(_moddir "${CMAKE_INSTALL_PREFIX}/lib/kamailio/modules")
endif()
set(KAMAILIO_MODULES_DIR "${_moddir}" CACHE PATH "where the packaged kamailio loads modules from")

# im_add_kamailio_module(name SOURCES ...): a module .so whose C glue sees
# Kamailio's headers and definitions; its C++ parts see only the core library.
function(im_add_kamailio_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES PREFIX ""
                        LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/kamailio-modules" C_VISIBILITY_PRESET default
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  foreach(_src IN LISTS ARG_SOURCES)
    if(_src MATCHES "\\.c$")
      set_source_files_properties(${_src} TARGET_DIRECTORY ${name} PROPERTIES
        COMPILE_DEFINITIONS "${KAMAILIO_MODULE_DEFINITIONS};MOD_NAME=\"${name}\""
        INCLUDE_DIRECTORIES "${KAMAILIO_SRC_DIR}/src;${PROJECT_SOURCE_DIR}/modules/common")
      # Kamailio's own headers are not -Wextra clean; our C stays -Wall -Werror.
      set_source_files_properties(${_src} TARGET_DIRECTORY ${name} PROPERTIES
        COMPILE_OPTIONS "-Wno-unused-parameter;-Wno-sign-compare;-Wno-missing-field-initializers;-Wno-cast-function-type;-Wno-old-style-declaration")
    endif()
  endforeach()
  target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}/modules/common")
  target_link_libraries(${name} PRIVATE im_core ${ARG_LIBS})
  install(TARGETS ${name} LIBRARY DESTINATION "${KAMAILIO_MODULES_DIR}")
endfunction()
