// RAII owners for libcurl handles used by the network broker.
//
// Each owner is a move-only unique_ptr whose deleter calls the matching
// libcurl free function, and get() borrows the raw handle.

#ifndef BOXAGNTS_SANDBOX_NET_CURL_H_
#define BOXAGNTS_SANDBOX_NET_CURL_H_

#include <curl/curl.h>

#include <memory>
#include <string>

#include "core/status.h"

namespace boxagnts::sandbox {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Calls curl_global_init once per process. Returns Internal when it
// failed, and the same status on every later call.
Status EnsureCurlInitialized();

// Appends `line` to `list`. Returns Internal when libcurl is out of memory.
Status AppendToSlist(CurlSlist& list, const std::string& line);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_CURL_H_
