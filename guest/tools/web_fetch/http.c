#include "http.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boxagnts.h"
#include "json.h"

static const char kAccept[] =
    "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8";
static const char kUserAgent[] = "boxagnts-WebFetch/0.1";

/* Returns the header value of `name` in the response's header list. */
static const char* find_header(const json_value* headers, const char* name) {
  if (headers == NULL || headers->type != JSON_ARRAY) return NULL;
  for (size_t i = 0; i < headers->count; ++i) {
    const json_value* pair = headers->items[i];
    if (pair->type != JSON_ARRAY || pair->count != 2) continue;
    const json_value* key = pair->items[0];
    const json_value* value = pair->items[1];
    if (key->type == JSON_STRING && value->type == JSON_STRING &&
        strcasecmp(key->string, name) == 0) {
      return value->string;
    }
  }
  return NULL;
}

/* Parses "<json line>\n<body>" into `response`. */
static bool parse_response(const char* data, size_t length,
                           http_response* response) {
  const char* newline = memchr(data, '\n', length);
  if (newline == NULL) return false;
  char error[128];
  json_value* meta = json_parse(data, (size_t)(newline - data), error,
                                sizeof(error));
  if (meta == NULL) return false;
  const json_value* status = json_get(meta, "status");
  const json_value* truncated = json_get(meta, "body_truncated");
  const json_value* headers = json_get(meta, "headers");
  bool ok = status != NULL && status->type == JSON_NUMBER;
  if (ok) {
    response->status = (int)status->number;
    response->body_truncated = truncated != NULL &&
                               truncated->type == JSON_BOOL &&
                               truncated->boolean;
    const char* type = find_header(headers, "content-type");
    const char* location = find_header(headers, "location");
    if (type != NULL) {
      response->content_type = xstrdup(type);
      for (char* p = response->content_type; *p; ++p) {
        *p = (char)tolower((unsigned char)*p);
      }
    }
    if (location != NULL) response->location = xstrdup(location);
    const char* body = newline + 1;
    buf_append(&response->body, body, (size_t)(data + length - body));
  }
  json_free(meta);
  return ok;
}

int http_get(const char* url, http_response* response, char** error) {
  memset(response, 0, sizeof(*response));
  *error = NULL;
  buf request = {0};
  buf_append_str(&request, "{\"method\":\"GET\",\"url\":");
  buf_append_json_string(&request, url, strlen(url));
  buf_append_str(&request, ",\"headers\":{\"Accept\":");
  buf_append_json_string(&request, kAccept, strlen(kAccept));
  buf_append_str(&request, ",\"User-Agent\":");
  buf_append_json_string(&request, kUserAgent, strlen(kUserAgent));
  buf_append_str(&request, "}}");

  uint32_t response_length = 0;
  int32_t rc = boxagnts_http_request(request.data, (uint32_t)request.length,
                                     &response_length);
  buf_free(&request);
  char* data = xmalloc((size_t)response_length + 1);
  int32_t copied = boxagnts_http_read_response(data, response_length);
  size_t length = copied > 0 ? (size_t)copied : 0;
  data[length] = '\0';
  if (rc != 0) {
    *error = data;
    return rc;
  }
  bool parsed = parse_response(data, length, response);
  free(data);
  if (!parsed) {
    http_response_free(response);
    *error = xstrdup("the host returned a response the tool cannot parse");
    return BOXAGNTS_ERR_INVALID_REQUEST;
  }
  return 0;
}

void http_response_free(http_response* response) {
  free(response->content_type);
  free(response->location);
  buf_free(&response->body);
  memset(response, 0, sizeof(*response));
}
