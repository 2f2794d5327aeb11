/* URL helpers for WebFetch: resolving relative references (RFC 3986,
 * section 5.2) against the URL of the page or redirect they came from. */

#ifndef BOXAGNTS_GUEST_TOOLS_WEB_FETCH_URL_H_
#define BOXAGNTS_GUEST_TOOLS_WEB_FETCH_URL_H_

#include <stdbool.h>

/* Returns true when `url` starts with "http://" or "https://" (any case)
 * and names a host. */
bool url_is_http(const char* url);

/*
 * Resolves `reference` (a Location header or an href) against the
 * absolute URL `base`. A reference with its own scheme comes back as it
 * is; surrounding whitespace is ignored. Returns NULL when `base` has no
 * scheme. The caller frees the result.
 */
char* url_resolve(const char* base, const char* reference);

/* Returns true when `a` and `b` have the same scheme and authority
 * (host and port as written, compared without case). */
bool url_same_origin(const char* a, const char* b);

#endif /* BOXAGNTS_GUEST_TOOLS_WEB_FETCH_URL_H_ */
