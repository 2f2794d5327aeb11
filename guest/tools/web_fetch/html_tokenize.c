/* The HTML tokenizer of html.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"

typedef struct {
  const char* text;
  size_t length;
  size_t position;
} cursor;

static bool at_end(const cursor* c) { return c->position >= c->length; }
static char peek(const cursor* c) { return c->text[c->position]; }

static bool is_name_char(char ch) {
  return isalnum((unsigned char)ch) || ch == '-' || ch == ':' || ch == '_';
}

/* Moves past the first occurrence of `marker`, or to the end. */
static void skip_past(cursor* c, const char* marker) {
  size_t n = strlen(marker);
  while (c->position + n <= c->length) {
    if (memcmp(c->text + c->position, marker, n) == 0) {
      c->position += n;
      return;
    }
    ++c->position;
  }
  c->position = c->length;
}

static void skip_space(cursor* c) {
  while (!at_end(c) && isspace((unsigned char)peek(c))) ++c->position;
}

static void read_name(cursor* c, char* name, size_t capacity) {
  size_t n = 0;
  while (!at_end(c) && is_name_char(peek(c))) {
    if (n + 1 < capacity) {
      name[n++] = (char)tolower((unsigned char)peek(c));
    }
    ++c->position;
  }
  name[n] = '\0';
}

/* Reads one attribute; returns false at the end of the tag. */
static bool read_attribute(cursor* c, html_token* token) {
  skip_space(c);
  while (!at_end(c) && peek(c) == '/') {
    ++c->position;
    skip_space(c);
  }
  if (at_end(c) || peek(c) == '>') return false;
  size_t name_start = c->position;
  while (!at_end(c) && !isspace((unsigned char)peek(c)) && peek(c) != '>' &&
         peek(c) != '=' && peek(c) != '/') {
    ++c->position;
  }
  if (c->position == name_start) ++c->position; /* a stray '=' */
  size_t name_end = c->position;
  skip_space(c);
  buf value = {0};
  if (!at_end(c) && peek(c) == '=') {
    ++c->position;
    skip_space(c);
    size_t value_start = c->position;
    size_t value_end;
    if (!at_end(c) && (peek(c) == '"' || peek(c) == '\'')) {
      char quote = peek(c);
      ++value_start;
      ++c->position;
      while (!at_end(c) && peek(c) != quote) ++c->position;
      value_end = c->position;
      if (!at_end(c)) ++c->position;
    } else {
      while (!at_end(c) && !isspace((unsigned char)peek(c)) &&
             peek(c) != '>') {
        ++c->position;
      }
      value_end = c->position;
    }
    html_decode_entities(&value, c->text + value_start,
                         value_end - value_start);
  }
  if (token->attribute_count < HTML_MAX_ATTRIBUTES) {
    html_attribute* a = &token->attributes[token->attribute_count++];
    a->name = xstrndup(c->text + name_start, name_end - name_start);
    for (char* p = a->name; *p; ++p) *p = (char)tolower((unsigned char)*p);
    a->value = buf_release(&value);
  } else {
    buf_free(&value);
  }
  return true;
}

static void free_attributes(html_token* token) {
  for (size_t i = 0; i < token->attribute_count; ++i) {
    free(token->attributes[i].name);
    free(token->attributes[i].value);
  }
  token->attribute_count = 0;
}

/* Elements whose content is text up to their end tag, never markup. */
static bool is_raw_text_element(const char* name) {
  return strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
         strcmp(name, "textarea") == 0 || strcmp(name, "title") == 0 ||
         strcmp(name, "xmp") == 0;
}

/* Emits the content of a raw text element and moves to its end tag. */
static void read_raw_text(cursor* c, const char* name,
                          html_token_callback callback, void* context) {
  size_t start = c->position;
  size_t name_length = strlen(name);
  size_t end = c->length;
  for (size_t i = start; i + 2 + name_length <= c->length; ++i) {
    if (c->text[i] == '<' && c->text[i + 1] == '/' &&
        strncasecmp(c->text + i + 2, name, name_length) == 0) {
      end = i;
      break;
    }
  }
  html_token token = {.type = HTML_TEXT};
  token.text = c->text + start;
  token.length = end - start;
  token.raw = strcmp(name, "script") == 0 || strcmp(name, "style") == 0;
  if (token.length > 0) callback(&token, context);
  c->position = end;
}

void html_tokenize(const char* html, size_t length,
                   html_token_callback callback, void* context) {
  cursor c = {html, length, 0};
  while (!at_end(&c)) {
    size_t start = c.position;
    const char* next = memchr(html + start, '<', length - start);
    size_t text_end = next ? (size_t)(next - html) : length;
    /* A '<' that opens no tag is text. */
    while (next != NULL && text_end + 1 < length &&
           !isalpha((unsigned char)html[text_end + 1]) &&
           strchr("/!?", html[text_end + 1]) == NULL) {
      next = memchr(html + text_end + 1, '<', length - text_end - 1);
      text_end = next ? (size_t)(next - html) : length;
    }
    if (text_end > start) {
      html_token token = {.type = HTML_TEXT};
      token.text = html + start;
      token.length = text_end - start;
      callback(&token, context);
    }
    c.position = text_end;
    if (at_end(&c) || c.position + 1 >= length) {
      c.position = length;
      break;
    }
    ++c.position; /* '<' */
    if (strncmp(html + c.position, "!--", 3) == 0) {
      skip_past(&c, "-->");
    } else if (peek(&c) == '!' || peek(&c) == '?') {
      skip_past(&c, ">");
    } else {
      html_token token = {.type = HTML_START};
      if (peek(&c) == '/') {
        token.type = HTML_END;
        ++c.position;
      }
      read_name(&c, token.name, sizeof(token.name));
      while (read_attribute(&c, &token)) {
      }
      if (!at_end(&c)) ++c.position; /* '>' */
      if (token.type == HTML_END) free_attributes(&token);
      if (token.name[0] != '\0') callback(&token, context);
      free_attributes(&token);
      if (token.type == HTML_START && is_raw_text_element(token.name)) {
        read_raw_text(&c, token.name, callback, context);
      }
    }
  }
}

const char* html_attribute_value(const html_token* token, const char* name) {
  for (size_t i = 0; i < token->attribute_count; ++i) {
    if (strcmp(token->attributes[i].name, name) == 0) {
      return token->attributes[i].value;
    }
  }
  return NULL;
}
