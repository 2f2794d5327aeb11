/*
 * WebFetch: fetches a URL through the host's network broker and returns
 * it as Markdown, plain text or the raw body.
 *
 * Input: url (required), format ("markdown", the default, "text" or
 * "raw"), max_bytes (output cap, default 100000). Redirects are followed
 * here, up to 10 hops, so the host checks every hop against its network
 * policy. Binary content types are rejected.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boxagnts.h"
#include "buf.h"
#include "fileio.h"
#include "html.h"
#include "http.h"
#include "tool.h"
#include "url.h"

enum {
  kMaxRedirects = 10,
  kDefaultMaxBytes = 100000,
  kMaxBytesLimit = 10 * 1000 * 1000,
  kErrorBodyBytes = 2000,  /* of an error page quoted in the result */
};

typedef enum { CONTENT_HTML, CONTENT_TEXT, CONTENT_BINARY } content_kind;

static bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

/* Returns true when `type` (lower case) names text that passes through. */
static bool is_text_type(const char* type) {
  static const char* const kTextTypes[] = {
      "application/json", "application/xml", "application/javascript",
      "application/ecmascript", "application/x-yaml", "application/yaml",
      "application/toml", "application/x-sh", "image/svg+xml", NULL};
  if (strncmp(type, "text/", 5) == 0) return true;
  size_t length = strcspn(type, ";");
  for (const char* const* t = kTextTypes; *t != NULL; ++t) {
    if (strlen(*t) == length && strncmp(type, *t, length) == 0) return true;
  }
  /* Structured syntax suffixes (RFC 6839), such as application/ld+json. */
  return (length >= 5 && strncmp(type + length - 5, "+json", 5) == 0) ||
         (length >= 4 && strncmp(type + length - 4, "+xml", 4) == 0);
}

static content_kind classify(const http_response* response) {
  const char* type = response->content_type;
  if (type != NULL && (strncmp(type, "text/html", 9) == 0 ||
                       strncmp(type, "application/xhtml+xml", 21) == 0)) {
    return CONTENT_HTML;
  }
  if (type != NULL && type[0] != '\0') {
    return is_text_type(type) ? CONTENT_TEXT : CONTENT_BINARY;
  }
  /* No Content-Type: look at the bytes. */
  const buf* body = &response->body;
  if (looks_binary(body->data, body->length)) return CONTENT_BINARY;
  size_t i = 0;
  while (i < body->length && isspace((unsigned char)body->data[i])) ++i;
  if (body->length - i >= 5 && (strncasecmp(body->data + i, "<!doc", 5) == 0 ||
                                strncasecmp(body->data + i, "<html", 5) == 0)) {
    return CONTENT_HTML;
  }
  return CONTENT_TEXT;
}

/* Sends GET requests, following redirects; returns the final response
 * and leaves its URL in *final_url. */
static void fetch(const char* url, http_response* response, char** final_url,
                  int* redirects, char** other_host) {
  char* current = xstrdup(url);
  for (*redirects = 0;; ++*redirects) {
    char* error = NULL;
    int rc = http_get(current, response, &error);
    if (rc == BOXAGNTS_ERR_DENIED) {
      tool_fail("the request to %s was rejected: %s", current, error);
    } else if (rc == BOXAGNTS_ERR_TIMEOUT) {
      tool_fail("the request to %s timed out: %s", current, error);
    } else if (rc != 0) {
      tool_fail("fetching %s failed: %s", current, error);
    }
    if (!is_redirect(response->status)) break;
    if (response->location == NULL) {
      tool_fail("%s answered with HTTP %d but no Location header, so the "
                "redirect cannot be followed", current, response->status);
    }
    if (*redirects == kMaxRedirects) {
      tool_fail("too many redirects: more than %d, starting at %s; the "
                "last one pointed to %s", kMaxRedirects, url,
                response->location);
    }
    char* next = url_resolve(current, response->location);
    if (next == NULL || !url_is_http(next)) {
      tool_fail("%s redirected to \"%s\", which is not an http or https "
                "URL; WebFetch follows http and https redirects only",
                current, response->location);
    }
    /* A redirect to another host goes back to the model as a new call,
     * so the permission rules for that host decide, not only the
     * network policy. */
    if (!url_same_origin(current, next)) {
      *other_host = next;
      break;
    }
    http_response_free(response);
    free(current);
    current = next;
  }
  *final_url = current;
}

/* Converts the body for the model according to `format`.
 * NOTE: the charset parameter is ignored, so a page in a legacy encoding
 * such as ISO-8859-1 shows U+FFFD for each non-ASCII byte. */
static void render(const http_response* response, const char* format,
                   const char* url, buf* out) {
  const buf* body = &response->body;
  if (strcmp(format, "raw") != 0 && classify(response) == CONTENT_HTML) {
    html_format kind = strcmp(format, "text") == 0 ? FORMAT_TEXT
                                                   : FORMAT_MARKDOWN;
    html_convert(body->data, body->length, kind, url, out);
  } else {
    buf_append(out, body->data, body->length);
  }
}

/* Cuts `out` to `max_bytes` on a UTF-8 character boundary. */
static bool cap_output(buf* out, size_t max_bytes) {
  if (out->length <= max_bytes) return false;
  size_t cut = max_bytes;
  while (cut > 0 && ((unsigned char)out->data[cut] & 0xC0) == 0x80) --cut;
  buf_truncate(out, cut);
  return true;
}

int main(void) {
  json_value* input = tool_read_input();
  const char* url = input_string(input, "url", true, NULL);
  const char* format = input_string(input, "format", false, NULL);
  long long max_bytes = input_integer(input, "max_bytes", kDefaultMaxBytes,
                                      1, kMaxBytesLimit);
  if (format == NULL) format = "markdown";
  if (strcmp(format, "markdown") != 0 && strcmp(format, "text") != 0 &&
      strcmp(format, "raw") != 0) {
    tool_fail("format \"%s\" is not supported; use \"markdown\", \"text\" "
              "or \"raw\"", format);
  }
  if (!url_is_http(url)) {
    tool_fail("url \"%s\" is not an http or https URL; give a full URL "
              "such as https://example.com/page", url);
  }

  http_response response;
  char* final_url = NULL;
  int redirects = 0;
  char* other_host = NULL;
  fetch(url, &response, &final_url, &redirects, &other_host);
  if (other_host != NULL) {
    meta_string("url", final_url);
    meta_int("status", response.status);
    meta_int("redirects", redirects);
    meta_string("redirect_url", other_host);
    buf message = {0};
    buf_printf(&message,
               "%s redirected (HTTP %d) to a different host: %s\n"
               "To fetch it, call WebFetch again with that URL.",
               final_url, response.status, other_host);
    tool_finish(message.data, message.length, false);
  }
  const char* type = response.content_type ? response.content_type : "";
  meta_string("url", final_url);
  meta_int("status", response.status);
  meta_string("content_type", type);
  meta_int("redirects", redirects);
  meta_int("body_bytes", (long long)response.body.length);
  if (classify(&response) == CONTENT_BINARY) {
    tool_fail("%s returned binary content (%s, %zu bytes); WebFetch "
              "returns text and HTML only", final_url,
              type[0] ? type : "no Content-Type", response.body.length);
  }

  buf out = {0};
  render(&response, format, final_url, &out);
  if (response.status >= 400) {
    cap_output(&out, kErrorBodyBytes);
    buf message = {0};
    buf_printf(&message, "%s returned HTTP %d", final_url, response.status);
    if (out.length > 0) buf_printf(&message, ":\n\n%s", out.data);
    tool_finish(message.data, message.length, true);
  }
  size_t full_length = out.length;
  bool truncated = cap_output(&out, (size_t)max_bytes);
  meta_bool("truncated", truncated || response.body_truncated);
  if (truncated) {
    buf_printf(&out, "\n\n[... content truncated: showing %zu of %zu bytes; "
               "raise max_bytes (up to %d) to see more]", out.length,
               full_length, kMaxBytesLimit);
  }
  if (response.body_truncated) {
    buf_append_str(&out, "\n\n[... the response body was cut at the host's "
                   "size limit]");
  }
  if (out.length == 0) {
    buf_printf(&out, "%s returned an empty page (HTTP %d).", final_url,
               response.status);
  }
  tool_finish(out.data, out.length, false);
}
