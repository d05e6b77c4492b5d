# EmbedText.cmake — turns a text file (JSON schema, web page, ...) into a C++ source that defines
# `std::string_view NAME()`, so files kept under config/ ship inside the binary.
# Usage at build time: cmake -DINPUT=... -DOUTPUT=... -DNAME=... -DNAMESPACE=... -P EmbedText.cmake
file(READ "${INPUT}" _content)
set(_delim "cartmate_embed")
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by cmake/EmbedText.cmake; do not edit.\n#include <string_view>\nnamespace ${NAMESPACE} {\nstd::string_view ${NAME}() {\n  static constexpr std::string_view text = R\"${_delim}(${_content})${_delim}\";\n  return text;\n}\n}  // namespace ${NAMESPACE}\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
