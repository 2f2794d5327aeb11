#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

typedef struct {
  const char* text;
  size_t length;
  size_t position;
  char* error;
  size_t error_size;
  bool failed;
} parser;

static json_value* parse_value(parser* p, int depth);

static void fail(parser* p, const char* what) {
  if (p->failed) return;
  p->failed = true;
  snprintf(p->error, p->error_size, "%s at byte %zu", what, p->position);
}

static void skip_space(parser* p) {
  while (p->position < p->length) {
    char c = p->text[p->position];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++p->position;
  }
}

static json_value* new_value(json_type type) {
  json_value* value = xmalloc(sizeof(json_value));
  memset(value, 0, sizeof(*value));
  value->type = type;
  return value;
}

static bool consume_literal(parser* p, const char* literal) {
  size_t n = strlen(literal);
  if (p->length - p->position < n) return false;
  if (memcmp(p->text + p->position, literal, n) != 0) return false;
  p->position += n;
  return true;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits after "\u"; returns -1 when malformed. */
static long read_hex4(parser* p) {
  if (p->length - p->position < 4) return -1;
  long value = 0;
  for (int i = 0; i < 4; ++i) {
    int digit = hex_value(p->text[p->position + i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  p->position += 4;
  return value;
}

/* Decodes "\uXXXX", joining a surrogate pair; lone surrogates become
 * U+FFFD. The position is just past the 'u'. */
static bool parse_unicode_escape(parser* p, buf* out) {
  long unit = read_hex4(p);
  if (unit < 0) return false;
  unsigned long code_point = (unsigned long)unit;
  if (unit >= 0xD800 && unit <= 0xDBFF && p->length - p->position >= 6 &&
      p->text[p->position] == '\\' && p->text[p->position + 1] == 'u') {
    size_t saved = p->position;
    p->position += 2;
    long low = read_hex4(p);
    if (low >= 0xDC00 && low <= 0xDFFF) {
      code_point = 0x10000 + (((unsigned long)unit - 0xD800) << 10) +
                   ((unsigned long)low - 0xDC00);
    } else {
      p->position = saved;
    }
  }
  buf_append_utf8(out, code_point);
  return true;
}

static json_value* parse_string(parser* p) {
  ++p->position; /* opening quote */
  buf out = {0};
  while (p->position < p->length) {
    unsigned char c = (unsigned char)p->text[p->position++];
    if (c == '"') {
      json_value* value = new_value(JSON_STRING);
      value->length = out.length;
      value->string = buf_release(&out);
      return value;
    }
    if (c < 0x20) {
      --p->position;
      fail(p, "control character in string");
      break;
    }
    if (c != '\\') {
      buf_append_char(&out, (char)c);
      continue;
    }
    if (p->position >= p->length) break;
    char escape = p->text[p->position++];
    const char* simple = strchr("\"\\/bfnrt", escape);
    if (escape == 'u') {
      if (!parse_unicode_escape(p, &out)) {
        fail(p, "invalid \\u escape");
        break;
      }
    } else if (escape != '\0' && simple != NULL) {
      static const char kDecoded[] = "\"\\/\b\f\n\r\t";
      buf_append_char(&out, kDecoded[simple - "\"\\/bfnrt"]);
    } else {
      fail(p, "invalid escape in string");
      break;
    }
  }
  fail(p, "unterminated string");
  buf_free(&out);
  return NULL;
}

static json_value* parse_number(parser* p) {
  size_t start = p->position;
  const char* s = p->text;
  size_t i = start;

  /* Integer part: no leading zeros. */
  if (i < p->length && s[i] == '-') ++i;
  size_t digits = i;
  while (i < p->length && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == digits || (s[digits] == '0' && i - digits > 1)) {
    fail(p, "invalid number");
    return NULL;
  }

  /* Fraction and exponent, each with at least one digit. */
  if (i < p->length && s[i] == '.') {
    size_t fraction = ++i;
    while (i < p->length && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == fraction) {
      fail(p, "invalid number");
      return NULL;
    }
  }
  if (i < p->length && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < p->length && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exponent = i;
    while (i < p->length && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == exponent) {
      fail(p, "invalid number");
      return NULL;
    }
  }

  char* copy = xstrndup(s + start, i - start);
  json_value* value = new_value(JSON_NUMBER);
  value->number = strtod(copy, NULL);
  free(copy);
  p->position = i;
  return value;
}

static void push_item(json_value* container, json_value* key,
                      json_value* item) {
  size_t n = container->count + 1;
  container->items = xrealloc(container->items, n * sizeof(json_value*));
  container->items[n - 1] = item;
  if (container->type == JSON_OBJECT) {
    container->keys = xrealloc(container->keys, n * sizeof(json_value*));
    container->keys[n - 1] = key;
  }
  container->count = n;
}

/* Parses an array or object; the position is at '[' or '{'. */
static json_value* parse_container(parser* p, int depth) {
  bool is_object = p->text[p->position] == '{';
  char close = is_object ? '}' : ']';
  json_value* container = new_value(is_object ? JSON_OBJECT : JSON_ARRAY);
  ++p->position;
  skip_space(p);
  if (p->position < p->length && p->text[p->position] == close) {
    ++p->position;
    return container;
  }
  while (!p->failed) {
    json_value* key = NULL;
    if (is_object) {
      skip_space(p);
      if (p->position >= p->length || p->text[p->position] != '"') {
        fail(p, "expected a member name");
        break;
      }
      key = parse_string(p);
      if (key == NULL) break;
      skip_space(p);
      if (p->position >= p->length || p->text[p->position] != ':') {
        json_free(key);
        fail(p, "expected ':'");
        break;
      }
      ++p->position;
    }
    json_value* item = parse_value(p, depth + 1);
    if (item == NULL) {
      json_free(key);
      break;
    }
    push_item(container, key, item);
    skip_space(p);
    if (p->position < p->length && p->text[p->position] == ',') {
      ++p->position;
      continue;
    }
    if (p->position < p->length && p->text[p->position] == close) {
      ++p->position;
      return container;
    }
    fail(p, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
  json_free(container);
  return NULL;
}

static json_value* parse_value(parser* p, int depth) {
  if (depth > JSON_MAX_DEPTH) {
    fail(p, "nesting too deep");
    return NULL;
  }
  skip_space(p);
  if (p->position >= p->length) {
    fail(p, "unexpected end of input");
    return NULL;
  }
  char c = p->text[p->position];
  if (c == '{' || c == '[') return parse_container(p, depth);
  if (c == '"') return parse_string(p);
  if (c == '-' || (c >= '0' && c <= '9')) return parse_number(p);
  json_value* value = NULL;
  if (consume_literal(p, "true")) {
    value = new_value(JSON_BOOL);
    value->boolean = true;
  } else if (consume_literal(p, "false")) {
    value = new_value(JSON_BOOL);
  } else if (consume_literal(p, "null")) {
    value = new_value(JSON_NULL);
  } else {
    fail(p, "unexpected character");
  }
  return value;
}

json_value* json_parse(const char* text, size_t length, char* error,
                       size_t error_size) {
  parser p = {text, length, 0, error, error_size, false};
  json_value* root = parse_value(&p, 0);
  if (root == NULL) return NULL;
  skip_space(&p);
  if (p.position != p.length) {
    fail(&p, "unexpected text after the JSON value");
    json_free(root);
    return NULL;
  }
  return root;
}

void json_free(json_value* value) {
  if (value == NULL) return;
  for (size_t i = 0; i < value->count; ++i) {
    json_free(value->items[i]);
    if (value->keys != NULL) json_free(value->keys[i]);
  }
  free(value->items);
  free(value->keys);
  free(value->string);
  free(value);
}

const json_value* json_get(const json_value* object, const char* name) {
  if (object == NULL || object->type != JSON_OBJECT) return NULL;
  size_t name_length = strlen(name);
  for (size_t i = object->count; i > 0; --i) {
    const json_value* key = object->keys[i - 1];
    if (key->length == name_length &&
        memcmp(key->string, name, name_length) == 0) {
      return object->items[i - 1];
    }
  }
  return NULL;
}

const char* json_type_name(json_type type) {
  switch (type) {
    case JSON_NULL: return "null";
    case JSON_BOOL: return "boolean";
    case JSON_NUMBER: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY: return "array";
    case JSON_OBJECT: return "object";
  }
  return "unknown";
}
