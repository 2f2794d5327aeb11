/*
 * HTML for WebFetch: a forgiving tokenizer, character reference decoding
 * and conversion of a page to Markdown or plain text.
 *
 * The tokenizer does not build a tree and does not repair bad markup as a
 * browser would. It emits text, start tags and end tags in document
 * order, which is enough to turn a page into readable text.
 */

#ifndef BOXAGNTS_GUEST_TOOLS_WEB_FETCH_HTML_H_
#define BOXAGNTS_GUEST_TOOLS_WEB_FETCH_HTML_H_

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef enum {
  HTML_TEXT,   /* character data; `text` still holds references */
  HTML_START,  /* a start tag, with attributes */
  HTML_END,    /* an end tag */
} html_token_type;

#define HTML_MAX_ATTRIBUTES 32

typedef struct {
  char* name;   /* lower case */
  char* value;  /* character references decoded */
} html_attribute;

typedef struct {
  html_token_type type;
  char name[32];              /* tag name in lower case, cut at 31 bytes */
  const char* text;           /* HTML_TEXT: into the document */
  size_t length;              /* HTML_TEXT: bytes */
  bool raw;                   /* HTML_TEXT inside script or style */
  html_attribute attributes[HTML_MAX_ATTRIBUTES];
  size_t attribute_count;
} html_token;

/* Called for each token; attribute strings live until it returns. */
typedef void (*html_token_callback)(const html_token* token, void* context);

/* Splits `length` bytes of `html` into tokens. Comments, doctypes and
 * processing instructions are dropped. */
void html_tokenize(const char* html, size_t length,
                   html_token_callback callback, void* context);

/* Returns the value of attribute `name`, or NULL. */
const char* html_attribute_value(const html_token* token, const char* name);

/* Appends `text` with character references (&amp; &#39; &#x27; and the
 * common named ones) decoded. Unknown references stay as written. */
void html_decode_entities(buf* out, const char* text, size_t length);

typedef enum {
  FORMAT_MARKDOWN,
  FORMAT_TEXT,
} html_format;

/*
 * Converts an HTML document to Markdown (headings, paragraphs, links as
 * [text](url), lists, code, quotes) or to plain text, dropping scripts,
 * styles, navigation and other page furniture. Relative links are
 * resolved against `base_url`.
 */
void html_convert(const char* html, size_t length, html_format format,
                  const char* base_url, buf* out);

#endif /* BOXAGNTS_GUEST_TOOLS_WEB_FETCH_HTML_H_ */
