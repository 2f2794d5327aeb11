#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Written without allocating, since memory is what ran out. */
static const char kOutOfMemoryResult[] =
    "{\"content\":\"the tool ran out of memory; retry with a smaller "
    "input, such as a narrower path, an offset and limit, or a lower "
    "max_bytes\",\"is_error\":true,\"metadata\":{}}\n";

static void fail_out_of_memory(void) {
  /* Anything already buffered on stdout would corrupt the one result. */
  write(STDOUT_FILENO, kOutOfMemoryResult, sizeof(kOutOfMemoryResult) - 1);
  _Exit(0);
}

void* xmalloc(size_t size) {
  void* pointer = malloc(size == 0 ? 1 : size);
  if (pointer == NULL) fail_out_of_memory();
  return pointer;
}

void* xrealloc(void* pointer, size_t size) {
  void* grown = realloc(pointer, size == 0 ? 1 : size);
  if (grown == NULL) fail_out_of_memory();
  return grown;
}

char* xstrndup(const char* text, size_t length) {
  char* copy = xmalloc(length + 1);
  memcpy(copy, text, length);
  copy[length] = '\0';
  return copy;
}

char* xstrdup(const char* text) { return xstrndup(text, strlen(text)); }

void buf_reserve(buf* b, size_t extra) {
  if (extra > (size_t)-1 / 2 - b->length) fail_out_of_memory();
  size_t needed = b->length + extra + 1;
  if (needed <= b->capacity) return;
  size_t capacity = b->capacity < 64 ? 64 : b->capacity;
  while (capacity < needed) capacity *= 2;
  b->data = xrealloc(b->data, capacity);
  b->capacity = capacity;
}

void buf_append(buf* b, const void* data, size_t length) {
  buf_reserve(b, length);
  if (length > 0) memcpy(b->data + b->length, data, length);
  b->length += length;
  b->data[b->length] = '\0';
}

void buf_append_str(buf* b, const char* text) {
  buf_append(b, text, strlen(text));
}

void buf_append_char(buf* b, char c) { buf_append(b, &c, 1); }

void buf_vprintf(buf* b, const char* format, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int needed = vsnprintf(NULL, 0, format, copy);
  va_end(copy);
  if (needed < 0) return;
  buf_reserve(b, (size_t)needed);
  vsnprintf(b->data + b->length, (size_t)needed + 1, format, args);
  b->length += (size_t)needed;
}

void buf_printf(buf* b, const char* format, ...) {
  va_list args;
  va_start(args, format);
  buf_vprintf(b, format, args);
  va_end(args);
}

void buf_truncate(buf* b, size_t length) {
  if (length >= b->length) return;
  b->length = length;
  b->data[length] = '\0';
}

char* buf_release(buf* b) {
  if (b->data == NULL) {
    buf_reserve(b, 0);
    b->data[0] = '\0';
  }
  char* data = b->data;
  b->data = NULL;
  b->length = b->capacity = 0;
  return data;
}

void buf_free(buf* b) {
  free(b->data);
  b->data = NULL;
  b->length = b->capacity = 0;
}

size_t utf8_sequence_length(const unsigned char* s, size_t available) {
  if (available == 0) return 0;
  if (s[0] < 0x80) return 1;
  size_t length;
  unsigned long min;
  unsigned long code_point;
  if ((s[0] & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code_point = s[0] & 0x1F;
  } else if ((s[0] & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code_point = s[0] & 0x0F;
  } else if ((s[0] & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code_point = s[0] & 0x07;
  } else {
    return 0;
  }
  if (available < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (s[i] & 0x3F);
  }
  /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
  if (code_point < min || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

void buf_append_utf8(buf* b, unsigned long cp) {
  char out[4];
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out[0] = (char)cp;
    buf_append(b, out, 1);
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    buf_append(b, out, 2);
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    buf_append(b, out, 3);
  } else {
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    buf_append(b, out, 4);
  }
}

void buf_append_json_string(buf* b, const char* text, size_t length) {
  const unsigned char* s = (const unsigned char*)text;
  buf_reserve(b, length + 2);
  buf_append_char(b, '"');
  size_t i = 0;
  while (i < length) {
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      char escaped[2] = {'\\', (char)c};
      buf_append(b, escaped, 2);
      ++i;
    } else if (c == '\n') {
      buf_append(b, "\\n", 2), ++i;
    } else if (c == '\t') {
      buf_append(b, "\\t", 2), ++i;
    } else if (c == '\r') {
      buf_append(b, "\\r", 2), ++i;
    } else if (c < 0x20 || c == 0x7F) {
      buf_printf(b, "\\u%04x", c);
      ++i;
    } else {
      size_t n = utf8_sequence_length(s + i, length - i);
      if (n == 0) {
        buf_append(b, "\xEF\xBF\xBD", 3);  /* U+FFFD */
        ++i;
      } else {
        buf_append(b, s + i, n);
        i += n;
      }
    }
  }
  buf_append_char(b, '"');
}
