# Runs a WASI guest through `wasmdapr run` in a fresh sandbox and checks the outcome.
#   COMMAND: wasmdapr   GUEST: the .wasm   ARGS: extra `run` options and guest arguments
#   WRAPPER: a command wasmdapr runs under (empty for none)
#   EXIT: expected status   EXPECT: regex the output must match   STDIN: text fed to the guest
# The sandbox: SANDBOX/work (empty, writable), SANDBOX/ro (readme.txt, read-only),
# and SANDBOX/outside.txt, which the guest must never reach.
set(sandbox ${CMAKE_CURRENT_BINARY_DIR}/sandbox-${NAME})
file(REMOVE_RECURSE ${sandbox})
file(MAKE_DIRECTORY ${sandbox}/work ${sandbox}/ro)
file(WRITE ${sandbox}/ro/readme.txt "read me")
file(WRITE ${sandbox}/outside.txt "secret")
file(WRITE ${sandbox}/stdin.txt "${STDIN}")
string(REPLACE "@SANDBOX@" "${sandbox}" ARGS "${ARGS}")
execute_process(COMMAND ${WRAPPER} ${COMMAND} run ${ARGS}
                INPUT_FILE ${sandbox}/stdin.txt
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
set(all "${out}${err}")
if(NOT status EQUAL EXIT)
  message(FATAL_ERROR "exit status ${status}, expected ${EXIT}; output:\n${all}")
endif()
if(NOT all MATCHES "${EXPECT}")
  message(FATAL_ERROR "output does not match '${EXPECT}':\n${all}")
endif()
file(READ ${sandbox}/outside.txt outside)
file(READ ${sandbox}/ro/readme.txt readme)
if(NOT readme STREQUAL "read me")
  message(FATAL_ERROR "the guest changed a file in its read-only directory")
endif()
if(NOT outside STREQUAL "secret" OR EXISTS ${sandbox}/made-outside OR EXISTS ${sandbox}/moved)
  message(FATAL_ERROR "the guest changed something outside its sandbox")
endif()
file(REMOVE_RECURSE ${sandbox})
