#include "providers/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <memory>
#include <mutex>

namespace boxagnts::providers {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxErrorBodyBytes = 64 << 10;
constexpr int kPollIntervalMs = 100;

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct MultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State shared with the curl callbacks of one transfer.
struct Transfer {
  CURL* easy = nullptr;
  const HttpBodyHandler* on_body = nullptr;
  HttpResponse* response = nullptr;
  int64_t max_response_bytes = 0;
  Clock::time_point last_activity = Clock::now();
  Status handler_status;
  bool too_large = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  transfer->last_activity = Clock::now();
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100 Continue, say) starts a fresh header set.
    transfer->response->headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' ||
                            value.back() == ' ')) {
    value.remove_suffix(1);
  }
  transfer->response->headers[name] = std::string(value);
  return n;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  HttpResponse& response = *transfer->response;
  transfer->last_activity = Clock::now();
  response.bytes_received += static_cast<int64_t>(n);
  if (response.bytes_received > transfer->max_response_bytes) {
    transfer->too_large = true;
    return CURL_WRITEFUNC_ERROR;
  }
  if (response.status == 0) {
    long code = 0;
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
  }
  if (response.status < 200 || response.status > 299) {
    size_t room = kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes,
                                                response.error_body.size());
    response.error_body.append(data, std::min(n, room));
    return n;
  }
  Status status = (*transfer->on_body)(std::string_view(data, n));
  if (!status.ok()) {
    transfer->handler_status = status;
    return CURL_WRITEFUNC_ERROR;
  }
  return n;
}

void Fail(HttpResponse& response, HttpFailure failure, Status status) {
  if (response.failure != HttpFailure::kNone) return;
  response.failure = failure;
  response.failure_status = std::move(status);
}

}  // namespace

HttpResponse PostStreaming(const HttpRequest& request,
                           const HttpBodyHandler& on_body,
                           const CancellationToken& cancel) {
  GlobalInitOnce();
  HttpResponse response;
  EasyHandle easy(curl_easy_init());
  MultiHandle multi(curl_multi_init());
  if (!easy || !multi) {
    Fail(response, HttpFailure::kNetwork,
         Status::Internal("curl handle creation failed"));
    return response;
  }

  Slist headers;
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) {
      Fail(response, HttpFailure::kNetwork,
           Status::Internal("curl header list allocation failed"));
      return response;
    }
    headers.release();
    headers.reset(next);
  }

  Transfer transfer;
  transfer.easy = easy.get();
  transfer.on_body = &on_body;
  transfer.response = &response;
  transfer.max_response_bytes = request.max_response_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_multi_add_handle(multi.get(), e);

  std::atomic<bool> cancelled{false};
  CURLM* multi_raw = multi.get();
  CancellationRegistration registration = cancel.OnCancel([&] {
    cancelled.store(true);
    curl_multi_wakeup(multi_raw);
  });

  // Drive the transfer until it ends, is cancelled or stalls.
  int running = 1;
  transfer.last_activity = Clock::now();
  while (running > 0) {
    CURLMcode mc = curl_multi_perform(multi_raw, &running);
    if (mc != CURLM_OK) {
      Fail(response, HttpFailure::kNetwork,
           Status::Unavailable(std::string("curl: ") +
                               curl_multi_strerror(mc)));
      break;
    }
    if (running == 0) break;
    if (cancelled.load()) {
      Fail(response, HttpFailure::kCancelled,
           Status::Cancelled("request cancelled: " + cancel.Reason()));
      break;
    }
    auto silent_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         Clock::now() - transfer.last_activity)
                         .count();
    if (silent_ms >= request.stall_timeout_ms) {
      Fail(response, HttpFailure::kStall,
           Status::DeadlineExceeded(
               "no data from the server for " + std::to_string(silent_ms) +
               " ms (stall timeout " +
               std::to_string(request.stall_timeout_ms) + " ms)"));
      break;
    }
    int wait_ms = static_cast<int>(std::min<int64_t>(
        kPollIntervalMs, request.stall_timeout_ms - silent_ms));
    curl_multi_poll(multi_raw, nullptr, 0, std::max(wait_ms, 1), nullptr);
  }
  registration.Reset();

  // Collect the result of a transfer that ended by itself.
  CURLcode result = CURLE_OK;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_raw, &queued)) {
    if (msg->msg == CURLMSG_DONE) result = msg->data.result;
  }
  long code = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
  if (code != 0) response.status = static_cast<int>(code);
  curl_multi_remove_handle(multi_raw, e);

  if (response.failure == HttpFailure::kNone && result != CURLE_OK) {
    if (!transfer.handler_status.ok()) {
      Fail(response, HttpFailure::kAborted, transfer.handler_status);
    } else if (transfer.too_large) {
      Fail(response, HttpFailure::kTooLarge,
           Status::ResourceExhausted(
               "response body exceeds " +
               std::to_string(request.max_response_bytes) + " bytes"));
    } else {
      std::string detail = error_buffer[0] != '\0'
                               ? std::string(error_buffer)
                               : std::string(curl_easy_strerror(result));
      Fail(response, HttpFailure::kNetwork,
           Status::Unavailable("HTTP transfer failed: " + detail));
    }
  }
  return response;
}

}  // namespace boxagnts::providers
