# expect_exit.cmake — runs CMD with ARGS (a ;-list) and fails unless it exits with EXPECT_CODE and
# its output (stdout + stderr) matches every regex in EXPECT_OUTPUT. Both lists are joined with
# "@@" because a ';' cannot cross add_test's command line.
# Usage: cmake -DCMD=... -DARGS=a@@b -DEXPECT_CODE=2 -DEXPECT_OUTPUT=re1@@re2 -P expect_exit.cmake
string(REPLACE "@@" ";" ARGS "${ARGS}")
string(REPLACE "@@" ";" EXPECT_OUTPUT "${EXPECT_OUTPUT}")
execute_process(COMMAND ${CMD} ${ARGS} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT "${code}" STREQUAL "${EXPECT_CODE}")
  message(FATAL_ERROR "exit code ${code}, expected ${EXPECT_CODE}")
endif()
foreach(re IN LISTS EXPECT_OUTPUT)
  if(NOT "${out}${err}" MATCHES "${re}")
    message(FATAL_ERROR "output does not match '${re}'")
  endif()
endforeach()
