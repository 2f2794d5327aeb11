/* Character reference decoding for html.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

typedef struct {
  const char* name;
  unsigned long code_point;
} named_reference;

/* The references common in real pages; others are left as written.
 * "nbsp" becomes a plain space so that whitespace collapsing treats it
 * as one. */
static const named_reference kNamedReferences[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},
    {"quot", '"'},     {"apos", '\''},     {"nbsp", ' '},
    {"copy", 0xA9},    {"reg", 0xAE},      {"trade", 0x2122},
    {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
    {"lsquo", 0x2018}, {"rsquo", 0x2019},  {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"laquo", 0xAB},    {"raquo", 0xBB},
    {"bull", 0x2022},  {"middot", 0xB7},   {"times", 0xD7},
    {"divide", 0xF7},  {"euro", 0x20AC},   {"pound", 0xA3},
    {"yen", 0xA5},     {"cent", 0xA2},     {"sect", 0xA7},
    {"para", 0xB6},    {"deg", 0xB0},      {"plusmn", 0xB1},
    {"frac12", 0xBD},  {"larr", 0x2190},   {"rarr", 0x2192},
    {"uarr", 0x2191},  {"darr", 0x2193},   {"shy", 0xAD},
    {"zwj", 0x200D},   {"zwnj", 0x200C},   {"thinsp", 0x2009},
    {"ensp", 0x2002},  {"emsp", 0x2003},   {"iexcl", 0xA1},
    {"iquest", 0xBF},  {"eacute", 0xE9},   {"egrave", 0xE8},
    {"aacute", 0xE1},  {"agrave", 0xE0},   {"uuml", 0xFC},
    {"ouml", 0xF6},    {"auml", 0xE4},     {"szlig", 0xDF},
    {"ccedil", 0xE7},  {"ntilde", 0xF1},   {"check", 0x2713},
};

/* Decodes a numeric reference at `text` (just past "&#"); returns the
 * bytes used, 0 when it is not one. */
static size_t decode_numeric(const char* text, size_t length, buf* out) {
  size_t i = 0;
  int base = 10;
  if (i < length && (text[i] == 'x' || text[i] == 'X')) {
    base = 16;
    ++i;
  }
  size_t digits_start = i;
  unsigned long value = 0;
  while (i < length && (base == 16 ? isxdigit((unsigned char)text[i])
                                   : isdigit((unsigned char)text[i]))) {
    int digit = isdigit((unsigned char)text[i])
                    ? text[i] - '0'
                    : tolower((unsigned char)text[i]) - 'a' + 10;
    if (value <= 0x10FFFF) value = value * (unsigned long)base + digit;
    ++i;
  }
  if (i == digits_start) return 0;
  if (i < length && text[i] == ';') ++i;
  if (value == 0) value = 0xFFFD;
  buf_append_utf8(out, value); /* U+FFFD for surrogates and overflow */
  return i;
}

/* Decodes a named reference at `text` (just past '&'); returns the bytes
 * used, 0 when it is not a known one. */
static size_t decode_named(const char* text, size_t length, buf* out) {
  size_t n = 0;
  while (n < length && n < 10 && isalnum((unsigned char)text[n])) ++n;
  if (n == 0 || n >= length || text[n] != ';') return 0;
  size_t count = sizeof(kNamedReferences) / sizeof(kNamedReferences[0]);
  for (size_t i = 0; i < count; ++i) {
    const char* name = kNamedReferences[i].name;
    if (strlen(name) == n && memcmp(name, text, n) == 0) {
      buf_append_utf8(out, kNamedReferences[i].code_point);
      return n + 1;
    }
  }
  return 0;
}

void html_decode_entities(buf* out, const char* text, size_t length) {
  size_t i = 0;
  while (i < length) {
    const char* amp = memchr(text + i, '&', length - i);
    size_t plain_end = amp ? (size_t)(amp - text) : length;
    buf_append(out, text + i, plain_end - i);
    i = plain_end;
    if (i >= length) break;
    size_t used = 0;
    if (i + 1 < length && text[i + 1] == '#') {
      used = decode_numeric(text + i + 2, length - i - 2, out);
      if (used > 0) used += 2;
    } else {
      used = decode_named(text + i + 1, length - i - 1, out);
      if (used > 0) used += 1;
    }
    if (used == 0) {
      buf_append_char(out, '&');
      used = 1;
    }
    i += used;
  }
}
