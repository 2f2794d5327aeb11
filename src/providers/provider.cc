#include "providers/provider.h"

#include <utility>

namespace boxagnts::providers {

std::string_view ProviderErrorKindName(ProviderErrorKind kind) {
  switch (kind) {
    case ProviderErrorKind::kAuthentication:
      return "authentication";
    case ProviderErrorKind::kRateLimit:
      return "rate_limit";
    case ProviderErrorKind::kOverloaded:
      return "overloaded";
    case ProviderErrorKind::kContextOverflow:
      return "context_overflow";
    case ProviderErrorKind::kInvalidRequest:
      return "invalid_request";
    case ProviderErrorKind::kServerError:
      return "server_error";
    case ProviderErrorKind::kNetwork:
      return "network";
    case ProviderErrorKind::kStall:
      return "stall";
    case ProviderErrorKind::kMalformedResponse:
      return "malformed_response";
    case ProviderErrorKind::kMalformedToolArguments:
      return "malformed_tool_arguments";
    case ProviderErrorKind::kReplayDivergence:
      return "replay_divergence";
    case ProviderErrorKind::kCancelled:
      return "cancelled";
  }
  return "server_error";
}

std::optional<ProviderErrorKind> ProviderErrorKindFromName(
    std::string_view name) {
  for (int i = 0; i <= static_cast<int>(ProviderErrorKind::kCancelled); ++i) {
    auto kind = static_cast<ProviderErrorKind>(i);
    if (ProviderErrorKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

bool IsRetryableKind(ProviderErrorKind kind) {
  return kind == ProviderErrorKind::kRateLimit ||
         kind == ProviderErrorKind::kOverloaded ||
         kind == ProviderErrorKind::kServerError ||
         kind == ProviderErrorKind::kNetwork;
}

namespace {

StatusCode CodeForKind(ProviderErrorKind kind) {
  switch (kind) {
    case ProviderErrorKind::kAuthentication:
      return StatusCode::kPermissionDenied;
    case ProviderErrorKind::kRateLimit:
    case ProviderErrorKind::kContextOverflow:
      return StatusCode::kResourceExhausted;
    case ProviderErrorKind::kOverloaded:
    case ProviderErrorKind::kServerError:
    case ProviderErrorKind::kNetwork:
      return StatusCode::kUnavailable;
    case ProviderErrorKind::kInvalidRequest:
    case ProviderErrorKind::kMalformedToolArguments:
      return StatusCode::kInvalidArgument;
    case ProviderErrorKind::kStall:
      return StatusCode::kDeadlineExceeded;
    case ProviderErrorKind::kMalformedResponse:
      return StatusCode::kDataLoss;
    case ProviderErrorKind::kReplayDivergence:
      return StatusCode::kFailedPrecondition;
    case ProviderErrorKind::kCancelled:
      return StatusCode::kCancelled;
  }
  return StatusCode::kInternal;
}

}  // namespace

ProviderError ProviderError::Make(ProviderErrorKind kind, std::string message,
                                  int http_status) {
  ProviderError error;
  error.kind = kind;
  error.status = Status(CodeForKind(kind), std::move(message));
  error.http_status = http_status;
  return error;
}

}  // namespace boxagnts::providers
