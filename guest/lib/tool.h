/*
 * The guest side of the boxagnts tool contract.
 *
 * The host runs a tool module with the input JSON object on stdin and
 * BOXAGNTS_WORK_DIR set to the absolute work dir. The module prints one
 * JSON object on stdout and exits 0:
 *   {"content": "text for the model", "is_error": false, "metadata": {}}
 * A tool error (missing file, string not found) is such a result with
 * is_error true; only a crash makes the module exit non-zero.
 *
 * tool_finish and tool_fail print that object and end the process, so a
 * tool never prints anything else on stdout.
 */

#ifndef BOXAGNTS_GUEST_LIB_TOOL_H_
#define BOXAGNTS_GUEST_LIB_TOOL_H_

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

/* Reads stdin (at most 64 MiB) and parses it. Ends the tool with an
 * error result unless stdin contains a JSON object. */
json_value* tool_read_input(void);

/*
 * Input accessors. Each ends the tool with an error result naming the
 * field when the value has the wrong type or range. An absent or null
 * field gives NULL or the default.
 */
const char* input_string(const json_value* input, const char* name,
                         bool required, size_t* length);
long long input_integer(const json_value* input, const char* name,
                        long long default_value, long long min,
                        long long max);
bool input_bool(const json_value* input, const char* name,
                bool default_value);
/* Returns true when the field is present and not null. */
bool input_present(const json_value* input, const char* name);
/* Returns the array, or NULL when absent. */
const json_value* input_array(const json_value* input, const char* name);

/* Metadata members of the result, in the order added. */
void meta_int(const char* name, long long value);
void meta_bool(const char* name, bool value);
void meta_string(const char* name, const char* value);

/* Prints the result with `length` bytes of `content` and exits 0. */
_Noreturn void tool_finish(const char* content, size_t length,
                           bool is_error);

/* Prints an error result with the formatted message and exits 0. */
_Noreturn void tool_fail(const char* format, ...)
    __attribute__((format(printf, 1, 2)));

/* Returns BOXAGNTS_WORK_DIR, or NULL when it is unset or empty. */
const char* tool_work_dir(void);

/*
 * Returns `path` as an absolute path with "." and ".." segments and
 * repeated slashes removed (a lexical cleanup; the sandbox decides what
 * exists). A relative path is taken relative to the work dir. Ends the
 * tool with an error for an empty path, or a relative one without a work
 * dir. The caller frees the result.
 */
char* tool_resolve_path(const char* path, const char* field_name);

/*
 * Ends the tool with an error for a failed file operation on `path`:
 * "file not found: PATH" for a missing file or one outside the sandbox's
 * mounts, a read-only message for a denied write, else the system's
 * reason. `hint`, when not NULL, is appended as the suggested fix.
 */
_Noreturn void tool_fail_errno(const char* operation, const char* path,
                               int error_number, const char* hint);

#endif /* BOXAGNTS_GUEST_LIB_TOOL_H_ */
