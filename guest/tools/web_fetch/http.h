/* HTTP GET through the boxagnts host import (boxagnts.h), for WebFetch. */

#ifndef BOXAGNTS_GUEST_TOOLS_WEB_FETCH_HTTP_H_
#define BOXAGNTS_GUEST_TOOLS_WEB_FETCH_HTTP_H_

#include <stdbool.h>

#include "buf.h"

typedef struct {
  int status;
  char* content_type;   /* lower case, parameters kept; NULL when absent */
  char* location;       /* the Location header, or NULL */
  buf body;
  bool body_truncated;  /* the host cut the body at its size cap */
} http_response;

/*
 * Sends one GET request for `url`; redirects come back unfollowed.
 * Returns 0, or a negative BOXAGNTS_ERR_* code with the host's message in
 * *error (the caller frees it). A response the guest cannot parse is
 * reported as BOXAGNTS_ERR_INVALID_REQUEST.
 */
int http_get(const char* url, http_response* response, char** error);

void http_response_free(http_response* response);

#endif /* BOXAGNTS_GUEST_TOOLS_WEB_FETCH_HTTP_H_ */
