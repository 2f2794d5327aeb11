#include "sandbox/net_broker.h"

#include <strings.h>

#include <algorithm>
#include <array>

#include "core/log.h"
#include "sandbox/net_curl.h"
#include "sandbox/net_transfer.h"

namespace boxagnts::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array<std::string_view, 7> kMethods = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

// Headers that describe the connection or the framing of the message.
// libcurl sets them from the URL and body. A guest value could point the
// request at another virtual host or desynchronise the framing.
constexpr std::array<std::string_view, 9> kBrokerHeaders = {
    "host", "content-length", "transfer-encoding", "connection",
    "keep-alive", "upgrade", "te", "trailer", "expect"};

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsBrokerHeader(std::string_view name) {
  if (name.size() >= 6 && strncasecmp(name.data(), "proxy-", 6) == 0) {
    return true;
  }
  return std::any_of(kBrokerHeaders.begin(), kBrokerHeaders.end(),
                     [&](std::string_view reserved) {
                       return reserved.size() == name.size() &&
                              strncasecmp(reserved.data(), name.data(),
                                          name.size()) == 0;
                     });
}

Status CheckHeader(const std::string& name, const std::string& value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
    return Status::InvalidArgument(
        "invalid header name \"" + name +
        "\": use letters, digits and !#$%&'*+-.^_`|~ only");
  }
  if (IsBrokerHeader(name)) {
    return Status::InvalidArgument(
        "header \"" + name +
        "\" is set by the sandbox from the URL and body (remove it)");
  }
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return Status::InvalidArgument(
          "the value of header \"" + name +
          "\" contains a control character such as CR or LF (remove it)");
    }
  }
  return Status::Ok();
}

std::string DeniedMessage(const HttpUrl& url) {
  return "the sandbox network policy does not allow requests to " +
         url.ToStringWithoutQuery();
}

}  // namespace

NetworkBroker::NetworkBroker(NetworkPolicy policy, NetworkLimits limits,
                             std::shared_ptr<Resolver> resolver,
                             std::string log_id)
    : policy_(std::move(policy)),
      limits_(limits),
      resolver_(resolver ? std::move(resolver) : SystemResolver()),
      log_id_(std::move(log_id)) {}

Status NetworkBroker::CheckRequestShape(const HttpRequest& request) const {
  if (std::find(kMethods.begin(), kMethods.end(), request.method) ==
      kMethods.end()) {
    return Status::InvalidArgument(
        "HTTP method \"" + request.method +
        "\" is not supported (use GET, HEAD, POST, PUT, PATCH, DELETE or "
        "OPTIONS in upper case)");
  }
  uint64_t header_bytes = 0;
  for (const auto& [name, value] : request.headers) {
    BOXAGNTS_RETURN_IF_ERROR(CheckHeader(name, value));
    header_bytes += name.size() + value.size() + 4;  // ": " and CRLF
  }
  if (header_bytes > limits_.max_request_header_bytes) {
    return Status::ResourceExhausted(
        "the request headers take " + std::to_string(header_bytes) +
        " bytes, more than the limit of " +
        std::to_string(limits_.max_request_header_bytes) + " bytes");
  }
  if (request.body.size() > limits_.max_request_bytes) {
    return Status::ResourceExhausted(
        "the request body has " + std::to_string(request.body.size()) +
        " bytes, more than the limit of " +
        std::to_string(limits_.max_request_bytes) + " bytes");
  }
  return Status::Ok();
}

Result<std::vector<IpAddress>> NetworkBroker::ResolveAndCheck(
    const HttpUrl& url, Clock::time_point deadline,
    const CancellationToken& cancel, const std::string& log_prefix) const {
  // CheckUrl already checked the address of an IP host.
  if (url.host.address) return std::vector<IpAddress>{*url.host.address};

  std::vector<IpAddress> addresses;
  if (IsLocalhostName(url.host.text)) {
    addresses.push_back(IpAddress::FromV4(0x7f000001));
  } else {
    Result<std::vector<std::string>> texts =
        ResolveWithDeadline(resolver_, url.host.text, deadline, cancel);
    if (!texts.ok()) {
      spdlog::info("{} resolving {} failed: {}", log_prefix, url.host.text,
                   texts.status().ToString());
      StatusCode code = texts.status().code();
      if (code == StatusCode::kCancelled ||
          code == StatusCode::kDeadlineExceeded) {
        return texts.status();
      }
      return Status::Unavailable("could not resolve host \"" +
                                 url.host.text + "\"");
    }
    for (const std::string& text : *texts) {
      std::optional<IpAddress> address = IpAddress::Parse(text);
      if (!address) {
        // Fail closed: a result that cannot be checked is not used.
        spdlog::warn("{} resolver returned \"{}\" for {}, not an IP address",
                     log_prefix, text, url.host.text);
        return Status::Unavailable("could not resolve host \"" +
                                   url.host.text + "\"");
      }
      if (std::find(addresses.begin(), addresses.end(), *address) ==
          addresses.end()) {
        addresses.push_back(*address);
      }
    }
    if (addresses.empty()) {
      return Status::Unavailable("could not resolve host \"" +
                                 url.host.text + "\"");
    }
  }

  for (const IpAddress& address : addresses) {
    NetworkDecision decision = policy_.CheckAddress(url, address);
    if (!decision.allowed) {
      spdlog::info("{} rejected {} ({} resolves to {}): {}", log_prefix,
                   url.ToStringWithoutQuery(), url.host.text,
                   address.ToString(), decision.reason);
      return Status::PermissionDenied(DeniedMessage(url));
    }
  }
  return addresses;
}

Result<HttpResponse> NetworkBroker::Fetch(const HttpRequest& request,
                                          Clock::time_point deadline,
                                          const CancellationToken& cancel) {
  std::string log_prefix =
      "network broker=" + log_id_ + " request=" +
      std::to_string(next_request_id_.fetch_add(1));
  BOXAGNTS_RETURN_IF_ERROR(EnsureCurlInitialized());
  if (cancel.IsCancelled()) {
    return Status::Cancelled("the request was cancelled before it started");
  }
  Clock::time_point now = Clock::now();
  auto timeout = std::chrono::milliseconds(limits_.request_timeout_ms);
  if (deadline > now + timeout) deadline = now + timeout;
  if (now >= deadline) {
    return Status::DeadlineExceeded(
        "the run's deadline passed before the request started");
  }

  BOXAGNTS_RETURN_IF_ERROR(CheckRequestShape(request));
  Result<HttpUrl> url = ParseHttpUrl(request.url);
  if (!url.ok()) return url.status();
  NetworkDecision decision = policy_.CheckUrl(*url);
  if (!decision.allowed) {
    spdlog::info("{} rejected {}: {}", log_prefix, url->ToStringWithoutQuery(),
                 decision.reason);
    return Status::PermissionDenied(DeniedMessage(*url));
  }

  Result<std::vector<IpAddress>> addresses =
      ResolveAndCheck(*url, deadline, cancel, log_prefix);
  if (!addresses.ok()) return addresses.status();
  spdlog::debug("{} {} {} via {} address(es)", log_prefix, request.method,
                url->ToStringWithoutQuery(), addresses->size());
  Result<HttpResponse> response = RunTransfer(
      request, *url, *addresses, limits_, deadline, cancel, log_prefix);
  if (!response.ok()) {
    spdlog::info("{} {} {} failed: {}", log_prefix, request.method,
                 url->ToStringWithoutQuery(), response.status().ToString());
    return response;
  }
  spdlog::debug("{} status {} with {} body bytes{}", log_prefix,
                response->status, response->body.size(),
                response->body_truncated ? " (truncated)" : "");
  return response;
}

}  // namespace boxagnts::sandbox
