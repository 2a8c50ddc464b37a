# systemd-analyze verify on a copy of systemd/fivespot-agent.service whose ExecStart points at the
# built binary (verify checks that the executable exists). Fails on any warning or error.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(READ ${UNIT} unit)
string(REPLACE "/usr/local/bin/fivespot-agent" "${AGENT}" unit "${unit}")
file(WRITE ${WORK_DIR}/fivespot-agent.service "${unit}")
execute_process(COMMAND ${SYSTEMD_ANALYZE} verify --man=no ${WORK_DIR}/fivespot-agent.service
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE errors)
# Lines about other units on this machine are not ours; anything naming our unit is a failure.
string(REGEX MATCHALL "[^\n]*fivespot-agent[^\n]*" ours "${output}${errors}")
if(NOT result EQUAL 0 OR ours)
  message(FATAL_ERROR "systemd-analyze verify failed (${result}):\n${output}${errors}")
endif()
message(STATUS "systemd-analyze verify: clean")
