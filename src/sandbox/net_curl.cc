#include "sandbox/net_curl.h"

#include <mutex>

namespace boxagnts::sandbox {

Status EnsureCurlInitialized() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) {
    return Status::Internal(std::string("curl_global_init failed: ") +
                            curl_easy_strerror(code));
  }
  return Status::Ok();
}

Status AppendToSlist(CurlSlist& list, const std::string& line) {
  curl_slist* appended = curl_slist_append(list.get(), line.c_str());
  if (appended == nullptr) {
    return Status::Internal("curl_slist_append failed: out of memory");
  }
  list.release();
  list.reset(appended);
  return Status::Ok();
}

}  // namespace boxagnts::sandbox
