#include "url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

bool url_is_http(const char* url) {
  size_t skip = 0;
  if (strncasecmp(url, "http://", 7) == 0) skip = 7;
  if (strncasecmp(url, "https://", 8) == 0) skip = 8;
  return skip > 0 && url[skip] != '\0' && url[skip] != '/';
}

/* Returns the length of the scheme and its ':' at the start of `text`,
 * or 0 when it has none. */
static size_t scheme_length(const char* text) {
  if (!isalpha((unsigned char)text[0])) return 0;
  size_t i = 1;
  while (isalnum((unsigned char)text[i]) || text[i] == '+' ||
         text[i] == '-' || text[i] == '.') {
    ++i;
  }
  return text[i] == ':' ? i + 1 : 0;
}

/* Appends `path` with "." and ".." segments removed (RFC 3986 5.2.4). */
static void append_without_dots(buf* out, const char* path, size_t length) {
  size_t start = out->length;
  size_t i = 0;
  while (i < length) {
    size_t end = i + 1;
    while (end < length && path[end] != '/') ++end;
    /* The segment is path[i..end), starting with '/'. */
    const char* segment = path + i + 1;
    size_t segment_length = end - i - 1;
    bool last = end >= length;
    if (segment_length == 1 && segment[0] == '.') {
      if (last) buf_append_char(out, '/');
    } else if (segment_length == 2 && segment[0] == '.' &&
               segment[1] == '.') {
      char* slash = NULL;
      for (size_t k = out->length; k > start; --k) {
        if (out->data[k - 1] == '/') {
          slash = out->data + k - 1;
          break;
        }
      }
      buf_truncate(out, slash ? (size_t)(slash - out->data) : start);
      if (last) buf_append_char(out, '/');
    } else {
      buf_append(out, path + i, end - i);
    }
    i = end;
  }
  if (out->length == start) buf_append_char(out, '/');
}

char* url_resolve(const char* base, const char* reference) {
  while (isspace((unsigned char)*reference)) ++reference;
  size_t reference_length = strlen(reference);
  while (reference_length > 0 &&
         isspace((unsigned char)reference[reference_length - 1])) {
    --reference_length;
  }
  char* ref = xstrndup(reference, reference_length);
  if (scheme_length(ref) > 0) return ref;
  size_t scheme = scheme_length(base);
  if (scheme == 0) {
    free(ref);
    return NULL;
  }

  /* Split the base into scheme, authority, path and query. */
  const char* authority = base + scheme;
  const char* authority_end = authority;
  if (strncmp(authority, "//", 2) == 0) {
    authority_end = authority + 2 + strcspn(authority + 2, "/?#");
  }
  const char* path = authority_end;
  const char* path_end = path + strcspn(path, "?#");
  const char* query_end = path_end + strcspn(path_end, "#");

  buf out = {0};
  const char* ref_path_end = ref + strcspn(ref, "?#");
  if (strncmp(ref, "//", 2) == 0) {
    buf_append(&out, base, scheme);
    buf_append_str(&out, ref);
  } else if (ref[0] == '\0' || ref[0] == '#') {
    buf_append(&out, base, (size_t)(query_end - base));
    buf_append_str(&out, ref);
  } else if (ref[0] == '?') {
    buf_append(&out, base, (size_t)(path_end - base));
    buf_append_str(&out, ref);
  } else {
    buf_append(&out, base, (size_t)(authority_end - base));
    buf merged = {0};
    if (ref[0] != '/') {
      const char* last_slash = path;
      for (const char* p = path; p < path_end; ++p) {
        if (*p == '/') last_slash = p + 1;
      }
      if (path == path_end) buf_append_char(&merged, '/');
      buf_append(&merged, path, (size_t)(last_slash - path));
    }
    buf_append(&merged, ref, (size_t)(ref_path_end - ref));
    append_without_dots(&out, merged.data, merged.length);
    buf_free(&merged);
    buf_append_str(&out, ref_path_end);
  }
  free(ref);
  return buf_release(&out);
}

/* Returns the length of "scheme://authority" at the start of `url`. */
static size_t origin_length(const char* url) {
  const char* sep = strstr(url, "://");
  if (sep == NULL) return 0;
  size_t length = (size_t)(sep - url) + 3;
  while (url[length] != '\0' && url[length] != '/' && url[length] != '?' &&
         url[length] != '#') {
    ++length;
  }
  return length;
}

bool url_same_origin(const char* a, const char* b) {
  size_t length = origin_length(a);
  if (length == 0 || length != origin_length(b)) return false;
  return strncasecmp(a, b, length) == 0;
}
