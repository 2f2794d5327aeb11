#include "glob.h"

#include <string.h>

#include "buf.h"

typedef struct {
  long steps;
  bool exceeded;
} matcher;

static bool match_at(matcher* m, const char* pattern, const char* p,
                     const char* s);

/* Matches a set at `*p_inout` (just past '[') against byte `c`. Returns
 * -1 when the set has no closing ']', else 1 or 0 and moves *p_inout past
 * the ']'. */
static int match_set(const char** p_inout, unsigned char c) {
  const char* p = *p_inout;
  bool negate = *p == '!' || *p == '^';
  if (negate) ++p;
  bool matched = false;
  bool first = true;
  while (*p != '\0' && (*p != ']' || first)) {
    first = false;
    if (*p == '\\' && p[1] != '\0') ++p;
    unsigned char low = (unsigned char)*p;
    unsigned char high = low;
    if (p[1] == '-' && p[2] != '\0' && p[2] != ']') {
      p += 2;
      if (*p == '\\' && p[1] != '\0') ++p;
      high = (unsigned char)*p;
    }
    if (c >= low && c <= high) matched = true;
    ++p;
  }
  if (*p != ']') return -1;
  *p_inout = p + 1;
  return matched != negate ? 1 : 0;
}

/* Returns the '}' closing the brace at `open`, or NULL. */
static const char* find_closing_brace(const char* open) {
  int depth = 0;
  for (const char* p = open; *p != '\0'; ++p) {
    if (*p == '\\' && p[1] != '\0') {
      ++p;
    } else if (*p == '{') {
      ++depth;
    } else if (*p == '}' && --depth == 0) {
      return p;
    }
  }
  return NULL;
}

/* Tries each alternative of the brace at `p`, matching the pattern with
 * the brace replaced by it. */
static bool match_braces(matcher* m, const char* pattern, const char* p,
                         const char* close, const char* s) {
  size_t offset = (size_t)(p - pattern);
  const char* start = p + 1;
  int depth = 0;
  for (const char* q = start; q <= close; ++q) {
    if (*q == '\\' && q < close) {
      ++q;
      continue;
    }
    if (*q == '{') ++depth;
    if (*q == '}' && q != close) --depth;
    if (q != close && (*q != ',' || depth > 0)) continue;
    buf expanded = {0};
    buf_append(&expanded, pattern, offset);
    buf_append(&expanded, start, (size_t)(q - start));
    buf_append_str(&expanded, close + 1);
    bool matched = match_at(m, expanded.data, expanded.data + offset, s);
    buf_free(&expanded);
    if (matched || m->exceeded) return matched;
    start = q + 1;
  }
  return false;
}

/* Matches "**" as a whole segment at `p`; `s` is at a segment start. */
static bool match_globstar(matcher* m, const char* pattern, const char* p,
                           const char* s) {
  if (p[2] == '\0') return true;
  const char* rest = p + 3;
  if (match_at(m, pattern, rest, s)) return true;
  for (const char* q = s; *q != '\0' && !m->exceeded; ++q) {
    if (*q == '/' && match_at(m, pattern, rest, q + 1)) return true;
  }
  return false;
}

static bool match_at(matcher* m, const char* pattern, const char* p,
                     const char* s) {
  for (;;) {
    if (++m->steps > GLOB_MAX_STEPS) m->exceeded = true;
    if (m->exceeded) return false;
    switch (*p) {
      case '\0':
        return *s == '\0';
      case '*':
        if (p[1] == '*' && (p == pattern || p[-1] == '/') &&
            (p[2] == '/' || p[2] == '\0')) {
          return match_globstar(m, pattern, p, s);
        }
        while (*p == '*') ++p;
        for (const char* q = s;; ++q) {
          if (match_at(m, pattern, p, q)) return true;
          if (*q == '\0' || *q == '/' || m->exceeded) return false;
        }
      case '?':
        if (*s == '\0' || *s == '/') return false;
        ++p, ++s;
        break;
      case '[': {
        const char* q = p + 1;
        int set = 0;
        if (*s != '\0' && *s != '/') set = match_set(&q, (unsigned char)*s);
        if (set < 0) goto literal; /* no closing ']': a plain '[' */
        if (set == 0) return false;
        p = q, ++s;
        break;
      }
      case '{': {
        const char* close = find_closing_brace(p);
        if (close == NULL) goto literal;
        return match_braces(m, pattern, p, close, s);
      }
      case '\\':
        if (p[1] != '\0') ++p;
        /* fall through */
      default:
      literal:
        if (*p != *s) return false;
        ++p, ++s;
        break;
    }
  }
}

glob_result glob_match(const char* pattern, const char* path) {
  matcher m = {0, false};
  bool matched = match_at(&m, pattern, pattern, path);
  if (m.exceeded) return GLOB_TOO_COMPLEX;
  return matched ? GLOB_MATCH : GLOB_NO_MATCH;
}

bool glob_is_literal(const char* pattern, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    if (strchr("*?[{\\", pattern[i]) != NULL && pattern[i] != '\0') {
      return false;
    }
  }
  return true;
}

size_t glob_literal_prefix_length(const char* pattern) {
  size_t prefix = 0;
  size_t start = 0;
  for (size_t i = 0; pattern[i] != '\0'; ++i) {
    if (pattern[i] != '/') continue;
    if (!glob_is_literal(pattern + start, i - start)) break;
    prefix = i + 1;
    start = i + 1;
  }
  return prefix;
}
