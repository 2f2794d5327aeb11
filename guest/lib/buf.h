/*
 * A growable byte buffer for guest tools, and JSON string escaping.
 *
 * The buffer always keeps a NUL byte after its `length` bytes, so `data`
 * can be passed where a C string is expected when the contents hold no
 * NUL. Allocation failure is not returned to the caller: the tool prints
 * an error result ("out of memory") and exits, because a guest that runs
 * out of linear memory has nothing better to do.
 */

#ifndef BOXAGNTS_GUEST_LIB_BUF_H_
#define BOXAGNTS_GUEST_LIB_BUF_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char* data;       /* NUL-terminated; NULL until the first append */
  size_t length;    /* bytes stored, without the terminating NUL */
  size_t capacity;  /* bytes allocated */
} buf;

/* Allocators that end the tool with an "out of memory" result on failure. */
void* xmalloc(size_t size);
void* xrealloc(void* pointer, size_t size);
char* xstrdup(const char* text);
char* xstrndup(const char* text, size_t length);

/* Makes room for `extra` more bytes (plus the NUL). */
void buf_reserve(buf* b, size_t extra);
void buf_append(buf* b, const void* data, size_t length);
void buf_append_str(buf* b, const char* text);
void buf_append_char(buf* b, char c);
void buf_printf(buf* b, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf* b, const char* format, va_list args);
/* Drops bytes past `length` (no-op when already shorter). */
void buf_truncate(buf* b, size_t length);
/* Returns the string and leaves `b` empty; the caller frees the string. */
char* buf_release(buf* b);
void buf_free(buf* b);

/*
 * Appends `text` as a quoted JSON string. Bytes that are not valid UTF-8
 * become U+FFFD, so the output is valid JSON whatever the input bytes are
 * (file contents, HTTP bodies). Control characters are escaped.
 */
void buf_append_json_string(buf* b, const char* text, size_t length);

/*
 * Returns the length of the valid UTF-8 sequence at `text` (1 to 4), or 0
 * when the bytes there are not valid UTF-8. `available` bounds the read.
 */
size_t utf8_sequence_length(const unsigned char* text, size_t available);

/* Appends the UTF-8 encoding of `code_point` (U+FFFD when invalid). */
void buf_append_utf8(buf* b, unsigned long code_point);

#endif /* BOXAGNTS_GUEST_LIB_BUF_H_ */
