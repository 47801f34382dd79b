# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Thin wrappers over MLIR's CMake helpers so that every qcomp library is built,
# linked and exported the same way. MLIR libraries are linked only through
# mlir_target_link_libraries (which picks libMLIR.so when MLIR_LINK_MLIR_DYLIB
# is on); qcomp's own libraries through LINK_LIBS / target_link_libraries.
# Libraries, tools and plugins are installed into the `qcompTargets` export
# that qcompConfig.cmake loads (cmake/modules/CMakeLists.txt).
include(GNUInstallDirs)

# add_qcomp_dialect(QC qc) -> QCompQCIncGen + QCompQCDocGen-style targets.
function(add_qcomp_dialect dialect dialect_namespace)
  set(LLVM_TARGET_DEFINITIONS ${dialect}Ops.td)
  mlir_tablegen(${dialect}Ops.h.inc -gen-op-decls)
  mlir_tablegen(${dialect}Ops.cpp.inc -gen-op-defs)
  mlir_tablegen(${dialect}Dialect.h.inc -gen-dialect-decls -dialect=${dialect_namespace})
  mlir_tablegen(${dialect}Dialect.cpp.inc -gen-dialect-defs -dialect=${dialect_namespace})
  set(LLVM_TARGET_DEFINITIONS ${dialect}Attrs.td)
  mlir_tablegen(${dialect}Attrs.h.inc -gen-attrdef-decls -attrdefs-dialect=${dialect_namespace})
  mlir_tablegen(${dialect}Attrs.cpp.inc -gen-attrdef-defs -attrdefs-dialect=${dialect_namespace})
  mlir_tablegen(${dialect}Enums.h.inc -gen-enum-decls)
  mlir_tablegen(${dialect}Enums.cpp.inc -gen-enum-defs)
  add_public_tablegen_target(QComp${dialect}IncGen)
endfunction()

# add_qcomp_doc(QCOps QCDialect Dialects/ -gen-dialect-doc -dialect=qc)
# Generates build/docs/<dir><name>.md; qcomp-doc collects them.
function(add_qcomp_doc td_filename output_file output_directory command)
  set(LLVM_TARGET_DEFINITIONS ${td_filename}.td)
  mlir_tablegen(${output_file}.md ${command} ${ARGN})
  set(GEN_DOC_FILE ${QCOMP_BINARY_DIR}/docs/${output_directory}${output_file}.md)
  add_custom_command(
    OUTPUT ${GEN_DOC_FILE}
    COMMAND ${CMAKE_COMMAND} -E copy
            ${CMAKE_CURRENT_BINARY_DIR}/${output_file}.md ${GEN_DOC_FILE}
    DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${output_file}.md)
  add_custom_target(${output_file}DocGen DEPENDS ${GEN_DOC_FILE})
  set_property(GLOBAL APPEND PROPERTY QCOMP_DOC_TARGETS ${output_file}DocGen)
  set_property(GLOBAL APPEND PROPERTY QCOMP_DOC_FILES ${GEN_DOC_FILE})
endfunction()

# add_qcomp_library(name sources... [LINK_LIBS qcomp-libs] [MLIR_LIBS mlir-libs]
#                    [DEPENDS targets])
# A static library, installed and exported as qcomp::<name>. (MLIR's own
# install rule is disabled: it would put the library in MLIR's export set.)
function(add_qcomp_library name)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS;MLIR_LIBS;DEPENDS" ${ARGN})
  add_mlir_library(${name} ${ARG_UNPARSED_ARGUMENTS}
    DEPENDS ${ARG_DEPENDS}
    LINK_LIBS PUBLIC ${ARG_LINK_LIBS}
    DISABLE_INSTALL)
  if(ARG_MLIR_LIBS)
    mlir_target_link_libraries(${name} PUBLIC ${ARG_MLIR_LIBS})
  endif()
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${QCOMP_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${QCOMP_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  set_property(GLOBAL APPEND PROPERTY QCOMP_ALL_LIBS ${name})
  qcomp_install_target(${name})
endfunction()

# Installs `name` into the qcompTargets export. Installed executables and
# modules find libMLIR.so where this build found it (LLVM's rules give them
# only $ORIGIN/../lib, and Debian's LLVM lib directory is not a system one);
# the build tree uses the same RPATH, so install copies them unchanged.
function(qcomp_install_target name)
  get_target_property(type ${name} TYPE)
  if(type STREQUAL "EXECUTABLE" OR type STREQUAL "MODULE_LIBRARY" OR
     type STREQUAL "SHARED_LIBRARY")
    set_property(TARGET ${name} APPEND PROPERTY INSTALL_RPATH
      "${LLVM_LIBRARY_DIR}")
    set_property(TARGET ${name} PROPERTY BUILD_WITH_INSTALL_RPATH ON)
  endif()
  install(TARGETS ${name}
    EXPORT qcompTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT qcomp
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT qcomp
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT qcomp)
  set_property(GLOBAL APPEND PROPERTY QCOMP_EXPORTS ${name})
endfunction()

# add_qcomp_tool(name sources... [NO_INSTALL] [LINK_LIBS ...] [MLIR_LIBS ...])
# An add_llvm_executable that is part of the default build (add_mlir_tool is
# not), checked for mixed static/shared MLIR, and installed (not with
# NO_INSTALL, for test drivers). Its RPATH finds libMLIR.so where the build
# found it.
function(add_qcomp_tool name)
  cmake_parse_arguments(ARG "NO_INSTALL" "" "LINK_LIBS;MLIR_LIBS" ${ARGN})
  add_llvm_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS})
  if(ARG_MLIR_LIBS)
    mlir_target_link_libraries(${name} PRIVATE ${ARG_MLIR_LIBS})
  endif()
  mlir_check_all_link_libraries(${name})
  set_property(GLOBAL APPEND PROPERTY QCOMP_ALL_TOOLS ${name})
  if(NOT ARG_NO_INSTALL)
    qcomp_install_target(${name})
  endif()
endfunction()
