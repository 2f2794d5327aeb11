#include "tool.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

enum { kMaxInputBytes = 64 << 20 };

static buf g_metadata;  /* members without braces: "a":1,"b":true */

json_value* tool_read_input(void) {
  buf input = {0};
  for (;;) {
    buf_reserve(&input, 16384);
    ssize_t n = read(STDIN_FILENO, input.data + input.length, 16384);
    if (n < 0) tool_fail("reading the tool input from stdin failed");
    if (n == 0) break;
    input.length += (size_t)n;
    input.data[input.length] = '\0';
    if (input.length > kMaxInputBytes) {
      tool_fail("the tool input is larger than %d bytes", kMaxInputBytes);
    }
  }
  char error[128];
  json_value* root = json_parse(input.data, input.length, error,
                                sizeof(error));
  if (root == NULL) tool_fail("the tool input is not valid JSON: %s", error);
  if (root->type != JSON_OBJECT) {
    tool_fail("the tool input must be a JSON object, not %s",
              json_type_name(root->type));
  }
  buf_free(&input);
  return root;
}

/* Returns the field, or NULL when it is absent or null. */
static const json_value* find_field(const json_value* input,
                                    const char* name) {
  const json_value* value = json_get(input, name);
  return value == NULL || value->type == JSON_NULL ? NULL : value;
}

bool input_present(const json_value* input, const char* name) {
  return find_field(input, name) != NULL;
}

const char* input_string(const json_value* input, const char* name,
                         bool required, size_t* length) {
  const json_value* value = find_field(input, name);
  if (value == NULL) {
    if (required) tool_fail("missing required field \"%s\"", name);
    if (length != NULL) *length = 0;
    return NULL;
  }
  if (value->type != JSON_STRING) {
    tool_fail("field \"%s\" must be a string, not %s", name,
              json_type_name(value->type));
  }
  if (length != NULL) *length = value->length;
  return value->string;
}

long long input_integer(const json_value* input, const char* name,
                        long long default_value, long long min,
                        long long max) {
  const json_value* value = find_field(input, name);
  if (value == NULL) return default_value;
  double number = value->type == JSON_NUMBER ? value->number : NAN;
  if (!(number >= (double)min && number <= (double)max) ||
      number != floor(number)) {
    if (value->type == JSON_NUMBER) {
      tool_fail("field \"%s\" is %g; use a whole number from %lld to %lld",
                name, value->number, min, max);
    }
    tool_fail("field \"%s\" must be a whole number from %lld to %lld, "
              "not %s", name, min, max, json_type_name(value->type));
  }
  return (long long)number;
}

bool input_bool(const json_value* input, const char* name,
                bool default_value) {
  const json_value* value = find_field(input, name);
  if (value == NULL) return default_value;
  if (value->type != JSON_BOOL) {
    tool_fail("field \"%s\" must be true or false, not %s", name,
              json_type_name(value->type));
  }
  return value->boolean;
}

const json_value* input_array(const json_value* input, const char* name) {
  const json_value* value = find_field(input, name);
  if (value != NULL && value->type != JSON_ARRAY) {
    tool_fail("field \"%s\" must be an array, not %s", name,
              json_type_name(value->type));
  }
  return value;
}

static void meta_name(const char* name) {
  if (g_metadata.length > 0) buf_append_char(&g_metadata, ',');
  buf_append_json_string(&g_metadata, name, strlen(name));
  buf_append_char(&g_metadata, ':');
}

void meta_int(const char* name, long long value) {
  meta_name(name);
  buf_printf(&g_metadata, "%lld", value);
}

void meta_bool(const char* name, bool value) {
  meta_name(name);
  buf_append_str(&g_metadata, value ? "true" : "false");
}

void meta_string(const char* name, const char* value) {
  meta_name(name);
  buf_append_json_string(&g_metadata, value, strlen(value));
}

_Noreturn void tool_finish(const char* content, size_t length,
                           bool is_error) {
  buf out = {0};
  buf_reserve(&out, length + g_metadata.length + 64);
  buf_append_str(&out, "{\"content\":");
  buf_append_json_string(&out, content, length);
  buf_append_str(&out, is_error ? ",\"is_error\":true" : ",\"is_error\":false");
  buf_append_str(&out, ",\"metadata\":{");
  buf_append(&out, g_metadata.data, g_metadata.length);
  buf_append_str(&out, "}}\n");
  size_t written = 0;
  while (written < out.length) {
    ssize_t n = write(STDOUT_FILENO, out.data + written, out.length - written);
    if (n <= 0) _Exit(1);
    written += (size_t)n;
  }
  _Exit(0);
}

_Noreturn void tool_fail(const char* format, ...) {
  buf message = {0};
  va_list args;
  va_start(args, format);
  buf_vprintf(&message, format, args);
  va_end(args);
  tool_finish(message.data, message.length, true);
}
