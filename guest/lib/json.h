/*
 * A small JSON reader (RFC 8259) for guest tools: parses a document into
 * a tree of json_value nodes.
 *
 * Strings are decoded to UTF-8 and may contain NUL bytes, so callers use
 * `length`; `string` is NUL-terminated as well. Objects keep their members
 * in document order; lookup returns the last member of a repeated name.
 * Nesting deeper than JSON_MAX_DEPTH is rejected, so hostile input cannot
 * exhaust the guest's stack.
 */

#ifndef BOXAGNTS_GUEST_LIB_JSON_H_
#define BOXAGNTS_GUEST_LIB_JSON_H_

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 64

typedef enum {
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT,
} json_type;

typedef struct json_value json_value;

struct json_value {
  json_type type;
  bool boolean;        /* JSON_BOOL */
  double number;       /* JSON_NUMBER */
  char* string;        /* JSON_STRING: decoded, NUL-terminated */
  size_t length;       /* JSON_STRING: bytes in `string` */
  size_t count;        /* JSON_ARRAY, JSON_OBJECT: number of items */
  json_value** items;  /* JSON_ARRAY, JSON_OBJECT: item values */
  json_value** keys;   /* JSON_OBJECT: member names (JSON_STRING nodes) */
};

/*
 * Parses `length` bytes of `text`. Returns the root, or NULL after writing
 * a message with the byte offset of the problem into `error`.
 * Free the tree with json_free.
 */
json_value* json_parse(const char* text, size_t length, char* error,
                       size_t error_size);
void json_free(json_value* value);

/* Returns the member `name` of an object, or NULL (also for non-objects). */
const json_value* json_get(const json_value* object, const char* name);

/* Returns "null", "boolean", "number", "string", "array" or "object". */
const char* json_type_name(json_type type);

#endif /* BOXAGNTS_GUEST_LIB_JSON_H_ */
