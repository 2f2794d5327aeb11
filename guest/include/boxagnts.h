/*
 * boxagnts guest SDK: the host functions a boxagnts sandbox offers to
 * WebAssembly guests (wasm32-wasip1 command modules), beyond WASI.
 *
 * Guests get no sockets. Outbound HTTP and HTTPS go through
 * boxagnts_http_request, which the host checks against the run's network
 * policy (allowed hosts, blocked networks and URLs, checked on the parsed
 * URL and on every resolved address) before it connects. Redirects are not
 * followed: a 3xx response comes back with its Location header, and a guest
 * that follows it makes a new request, which is checked again.
 *
 * Build a guest with Debian's toolchain:
 *   clang-14 --target=wasm32-wasi --sysroot=/usr -Oz -I guest/include x.c
 */

#ifndef BOXAGNTS_GUEST_H_
#define BOXAGNTS_GUEST_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes returned by boxagnts_http_request. */
enum {
  /* The request JSON or its URL is malformed, or a pointer is invalid. */
  BOXAGNTS_ERR_INVALID_REQUEST = -1,
  /* The network policy rejected the request, or the run has no network. */
  BOXAGNTS_ERR_DENIED = -2,
  /* Name resolution, connection or TLS failed. */
  BOXAGNTS_ERR_NETWORK = -3,
  /* The request took longer than its time limit. */
  BOXAGNTS_ERR_TIMEOUT = -4,
  /* The request body is larger than the host accepts. */
  BOXAGNTS_ERR_TOO_LARGE = -5,
};

/*
 * Sends one HTTP request and waits for the whole response.
 *
 * `request` points to `request_len` bytes of JSON:
 *   {"method": "GET", "url": "https://example.com/",
 *    "headers": {"Accept": "text/html"}, "body": "optional text"}
 * Only `url` is required; `method` defaults to GET.
 *
 * On success returns 0 and stores in *response_len the size of the
 * response, which boxagnts_http_read_response then copies out. The
 * response is one line of JSON, a newline, and the raw body bytes:
 *   {"status":200,"headers":[["content-type","text/html"]],
 *    "body_bytes":1234,"body_truncated":false}\n<body>
 * `body_truncated` is true when the body was cut at the host's size cap.
 *
 * On failure returns a negative BOXAGNTS_ERR_* code, and the pending
 * response holds a message (UTF-8 text) that explains the error, with its
 * size in *response_len.
 */
__attribute__((import_module("boxagnts"), import_name("http_request")))
int32_t boxagnts_http_request(const void* request, uint32_t request_len,
                              uint32_t* response_len);

/*
 * Copies up to `capacity` bytes of the pending response (or error message)
 * into `buffer` and discards the pending response. Returns the number of
 * bytes copied, 0 when nothing is pending.
 */
__attribute__((import_module("boxagnts"), import_name("http_read_response")))
int32_t boxagnts_http_read_response(void* buffer, uint32_t capacity);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* BOXAGNTS_GUEST_H_ */
