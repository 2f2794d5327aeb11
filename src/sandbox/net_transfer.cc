#include "sandbox/net_transfer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/log.h"
#include "sandbox/net_curl.h"

namespace boxagnts::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

// Maximum wait of one poll for socket activity. Cancellation ends it early.
constexpr int kMaxPollMs = 1000;

// State shared by the libcurl callbacks of one transfer. Only the thread
// running the transfer touches it, except `cancelled`.
struct TransferState {
  const std::vector<IpAddress>* vetted = nullptr;
  uint16_t port = 0;
  uint64_t max_body_bytes = 0;
  uint64_t max_header_bytes = 0;
  HttpResponse response;
  uint64_t header_bytes = 0;
  bool headers_too_large = false;
  // Set when a connection went to an address outside `vetted`.
  std::string rejected_peer;
  std::atomic<bool> cancelled{false};
};

bool IsVetted(const TransferState& state, const IpAddress& address,
              int port) {
  return port == state.port &&
         std::find(state.vetted->begin(), state.vetted->end(), address) !=
             state.vetted->end();
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  size_t bytes = size * count;
  std::string& body = state->response.body;
  uint64_t room = state->max_body_bytes - body.size();
  if (bytes <= room) {
    body.append(data, bytes);
    return bytes;
  }
  // Keep what fits and stop the transfer. MapCurlResult reports success.
  body.append(data, room);
  state->response.body_truncated = true;
  return 0;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' ||
                           text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  size_t bytes = size * count;
  state->header_bytes += bytes;
  if (state->header_bytes > state->max_header_bytes) {
    state->headers_too_large = true;
    return 0;
  }
  std::string_view line(data, bytes);
  auto& headers = state->response.headers;
  // A status line starts a new header block (after 100 Continue, say).
  if (line.starts_with("HTTP/")) {
    headers.clear();
    return bytes;
  }
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
    // An obsolete folded continuation of the previous header.
    if (!headers.empty()) {
      headers.back().second += " ";
      headers.back().second += TrimSpaces(line);
    }
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  headers.emplace_back(std::string(TrimSpaces(line.substr(0, colon))),
                       std::string(TrimSpaces(line.substr(colon + 1))));
  return bytes;
}

std::optional<IpAddress> AddressFromSockaddr(const sockaddr* address,
                                             int* port) {
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    *port = ntohs(in->sin_port);
    return IpAddress::FromV4(ntohl(in->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    *port = ntohs(in6->sin6_port);
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &in6->sin6_addr, bytes.size());
    return IpAddress::FromV6(bytes);
  }
  return std::nullopt;
}

// Opens the socket for a connection, but only to a vetted address.
curl_socket_t OpenVettedSocket(void* user, curlsocktype purpose,
                               curl_sockaddr* target) {
  auto* state = static_cast<TransferState*>(user);
  int port = 0;
  std::optional<IpAddress> peer = AddressFromSockaddr(&target->addr, &port);
  if (purpose != CURLSOCKTYPE_IPCXN || !peer ||
      !IsVetted(*state, *peer, port)) {
    state->rejected_peer = peer ? peer->ToString() : "a non-IP address";
    return CURL_SOCKET_BAD;
  }
  return socket(target->family, target->socktype | SOCK_CLOEXEC,
                target->protocol);
}

// Checks the connection that the request is about to be sent on.
int CheckPeerBeforeRequest(void* user, char* primary_ip, char* local_ip,
                           int primary_port, int local_port) {
  auto* state = static_cast<TransferState*>(user);
  std::optional<IpAddress> peer = IpAddress::Parse(primary_ip);
  if (!peer || !IsVetted(*state, *peer, primary_port)) {
    state->rejected_peer = primary_ip;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

int ReportProgress(void* user, curl_off_t, curl_off_t, curl_off_t,
                   curl_off_t) {
  return static_cast<TransferState*>(user)->cancelled.load() ? 1 : 0;
}

template <typename T>
Status SetOption(CURL* handle, CURLoption option, T value, const char* name) {
  CURLcode code = curl_easy_setopt(handle, option, value);
  if (code != CURLE_OK) {
    return Status::Internal(std::string("setting ") + name +
                            " failed: " + curl_easy_strerror(code));
  }
  return Status::Ok();
}

#define BOXAGNTS_SET(handle, option, value) \
  BOXAGNTS_RETURN_IF_ERROR(SetOption(handle, option, value, #option))

// Sets the options that keep the transfer inside the policy. Each one must
// take effect, so a failure stops the transfer.
Status SetSafetyOptions(CURL* handle, uint64_t timeout_ms) {
  BOXAGNTS_SET(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  BOXAGNTS_SET(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  BOXAGNTS_SET(handle, CURLOPT_FOLLOWLOCATION, 0L);
  // An empty proxy disables the *_proxy environment variables.
  BOXAGNTS_SET(handle, CURLOPT_PROXY, "");
  BOXAGNTS_SET(handle, CURLOPT_NOPROXY, "*");
  BOXAGNTS_SET(handle, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  BOXAGNTS_SET(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  BOXAGNTS_SET(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  BOXAGNTS_SET(handle, CURLOPT_NOSIGNAL, 1L);
  BOXAGNTS_SET(handle, CURLOPT_FRESH_CONNECT, 1L);
  BOXAGNTS_SET(handle, CURLOPT_FORBID_REUSE, 1L);
  // The URL is already normalised, so libcurl must send the path as is.
  BOXAGNTS_SET(handle, CURLOPT_PATH_AS_IS, 1L);
  BOXAGNTS_SET(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  BOXAGNTS_SET(handle, CURLOPT_CONNECTTIMEOUT_MS,
               static_cast<long>(timeout_ms));
  return Status::Ok();
}

// Pins the host to the vetted addresses and checks every peer.
Status SetPinning(CURL* handle, const HttpUrl& url,
                  const std::vector<IpAddress>& vetted, TransferState* state,
                  CurlSlist& resolve) {
  if (url.host.kind == HostKind::kName) {
    std::string line = url.host.text + ":" + std::to_string(url.port) + ":";
    for (size_t i = 0; i < vetted.size(); ++i) {
      if (i > 0) line += ",";
      line += vetted[i].ToUrlHost();
    }
    BOXAGNTS_RETURN_IF_ERROR(AppendToSlist(resolve, line));
    BOXAGNTS_SET(handle, CURLOPT_RESOLVE, resolve.get());
  }
  BOXAGNTS_SET(handle, CURLOPT_OPENSOCKETFUNCTION, &OpenVettedSocket);
  BOXAGNTS_SET(handle, CURLOPT_OPENSOCKETDATA, static_cast<void*>(state));
  BOXAGNTS_SET(handle, CURLOPT_PREREQFUNCTION, &CheckPeerBeforeRequest);
  BOXAGNTS_SET(handle, CURLOPT_PREREQDATA, static_cast<void*>(state));
  return Status::Ok();
}

Status SetCallbacks(CURL* handle, TransferState* state) {
  void* data = state;
  BOXAGNTS_SET(handle, CURLOPT_WRITEFUNCTION, &WriteBody);
  BOXAGNTS_SET(handle, CURLOPT_WRITEDATA, data);
  BOXAGNTS_SET(handle, CURLOPT_HEADERFUNCTION, &WriteHeader);
  BOXAGNTS_SET(handle, CURLOPT_HEADERDATA, data);
  BOXAGNTS_SET(handle, CURLOPT_NOPROGRESS, 0L);
  BOXAGNTS_SET(handle, CURLOPT_XFERINFOFUNCTION, &ReportProgress);
  BOXAGNTS_SET(handle, CURLOPT_XFERINFODATA, data);
  return Status::Ok();
}

bool HasHeader(const HttpRequest& request, std::string_view name) {
  return std::any_of(
      request.headers.begin(), request.headers.end(), [&](const auto& h) {
        return h.first.size() == name.size() &&
               strncasecmp(h.first.c_str(), name.data(), name.size()) == 0;
      });
}

// Sets the method, URL, headers and body. `request` must outlive the
// transfer because libcurl reads the body from it.
Status SetRequest(CURL* handle, const HttpRequest& request,
                  const HttpUrl& url, CurlSlist& headers) {
  BOXAGNTS_SET(handle, CURLOPT_URL, url.ToRequestUrl().c_str());
  for (const auto& [name, value] : request.headers) {
    // libcurl sends "Name;" as a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    BOXAGNTS_RETURN_IF_ERROR(AppendToSlist(headers, line));
  }
  // No "Expect: 100-continue" round trip, and no form content type that
  // the guest did not ask for.
  BOXAGNTS_RETURN_IF_ERROR(AppendToSlist(headers, "Expect:"));
  bool sends_body = !request.body.empty() || request.method == "POST" ||
                    request.method == "PUT" || request.method == "PATCH";
  if (sends_body && !HasHeader(request, "Content-Type")) {
    BOXAGNTS_RETURN_IF_ERROR(AppendToSlist(headers, "Content-Type:"));
  }
  BOXAGNTS_SET(handle, CURLOPT_HTTPHEADER, headers.get());

  if (request.method == "HEAD") {
    BOXAGNTS_SET(handle, CURLOPT_NOBODY, 1L);
    return Status::Ok();
  }
  if (sends_body) {
    BOXAGNTS_SET(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                 static_cast<curl_off_t>(request.body.size()));
    BOXAGNTS_SET(handle, CURLOPT_POSTFIELDS, request.body.data());
  }
  if (request.method != "GET" && request.method != "POST") {
    BOXAGNTS_SET(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "GET" && sends_body) {
    BOXAGNTS_SET(handle, CURLOPT_CUSTOMREQUEST, "GET");
  }
  return Status::Ok();
}

#undef BOXAGNTS_SET

// Drives the transfer until it ends, `deadline` passes or `cancel` fires.
// Returns the libcurl result of a finished transfer.
Result<CURLcode> Drive(CURLM* multi, TransferState* state,
                       Clock::time_point deadline,
                       const CancellationToken& cancel,
                       const std::string& target) {
  CancellationRegistration registration = cancel.OnCancel([state, multi] {
    state->cancelled.store(true);
    curl_multi_wakeup(multi);
  });
  while (true) {
    int running = 0;
    CURLMcode code = curl_multi_perform(multi, &running);
    if (code != CURLM_OK) {
      return Status::Internal(std::string("curl_multi_perform failed: ") +
                              curl_multi_strerror(code));
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE) return message->data.result;
    }
    if (state->cancelled.load()) {
      return Status::Cancelled("the request to " + target + " was cancelled");
    }
    Clock::time_point now = Clock::now();
    if (now >= deadline) {
      return Status::DeadlineExceeded("the request to " + target +
                                      " timed out");
    }
    auto remaining_ms = std::chrono::ceil<std::chrono::milliseconds>(
        deadline - now).count();
    int wait_ms = static_cast<int>(std::min<int64_t>(remaining_ms, kMaxPollMs));
    code = curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    if (code != CURLM_OK) {
      return Status::Internal(std::string("curl_multi_poll failed: ") +
                              curl_multi_strerror(code));
    }
  }
}

// Maps the libcurl result of a finished transfer to a guest-safe status.
Status MapCurlResult(CURLcode code, const TransferState& state,
                     const std::string& target, const NetworkLimits& limits,
                     const std::string& log_prefix, const char* error) {
  if (code == CURLE_OK) return Status::Ok();
  if (code == CURLE_WRITE_ERROR && state.response.body_truncated) {
    return Status::Ok();
  }
  if (!state.rejected_peer.empty()) {
    spdlog::warn("{} connection to unvetted address {} stopped: {}",
                 log_prefix, state.rejected_peer, target);
    return Status::PermissionDenied(
        "the sandbox network policy does not allow requests to " + target);
  }
  if (state.headers_too_large) {
    std::string limit = std::to_string(limits.max_response_header_bytes);
    return Status::Unavailable("the response headers of " + target +
                               " exceed " + limit + " bytes");
  }
  if (state.cancelled.load()) {
    return Status::Cancelled("the request to " + target + " was cancelled");
  }
  spdlog::info("{} transfer failed: {} ({})", log_prefix,
               curl_easy_strerror(code), error);
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return Status::DeadlineExceeded("the request to " + target +
                                    " timed out");
  }
  // curl_easy_strerror gives fixed texts. The error buffer may name local
  // files (CA bundles), so it only goes to the log.
  return Status::Unavailable("the request to " + target +
                             " failed: " + curl_easy_strerror(code));
}

}  // namespace

Result<HttpResponse> RunTransfer(const HttpRequest& request,
                                 const HttpUrl& url,
                                 const std::vector<IpAddress>& vetted,
                                 const NetworkLimits& limits,
                                 Clock::time_point deadline,
                                 const CancellationToken& cancel,
                                 const std::string& log_prefix) {
  std::string target = url.ToStringWithoutQuery();
  Clock::time_point now = Clock::now();
  if (now >= deadline) {
    return Status::DeadlineExceeded("the request to " + target + " timed out");
  }
  uint64_t timeout_ms = std::max<int64_t>(
      1, std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count());

  TransferState state;
  state.vetted = &vetted;
  state.port = url.port;
  state.max_body_bytes = limits.max_response_bytes;
  state.max_header_bytes = limits.max_response_header_bytes;

  CurlEasy easy(curl_easy_init());
  CurlMulti multi(curl_multi_init());
  if (!easy || !multi) return Status::Internal("libcurl initialisation failed");
  char error[CURL_ERROR_SIZE] = {};
  CurlSlist resolve;
  CurlSlist headers;
  BOXAGNTS_RETURN_IF_ERROR(
      SetOption(easy.get(), CURLOPT_ERRORBUFFER, error, "CURLOPT_ERRORBUFFER"));
  BOXAGNTS_RETURN_IF_ERROR(SetSafetyOptions(easy.get(), timeout_ms));
  BOXAGNTS_RETURN_IF_ERROR(
      SetPinning(easy.get(), url, vetted, &state, resolve));
  BOXAGNTS_RETURN_IF_ERROR(SetCallbacks(easy.get(), &state));
  BOXAGNTS_RETURN_IF_ERROR(SetRequest(easy.get(), request, url, headers));

  CURLMcode added = curl_multi_add_handle(multi.get(), easy.get());
  if (added != CURLM_OK) {
    return Status::Internal(std::string("curl_multi_add_handle failed: ") +
                            curl_multi_strerror(added));
  }
  Result<CURLcode> code =
      Drive(multi.get(), &state, deadline, cancel, target);
  curl_multi_remove_handle(multi.get(), easy.get());
  if (!code.ok()) return code.status();
  BOXAGNTS_RETURN_IF_ERROR(
      MapCurlResult(*code, state, target, limits, log_prefix, error));

  long status = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
  state.response.status = static_cast<int>(status);
  return std::move(state.response);
}

}  // namespace boxagnts::sandbox
