#include "sandbox/host_http.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/json.h"
#include "core/log.h"
#include "sandbox/guest_memory.h"
#include "sandbox/net_broker.h"
#include "sandbox/run_state.h"

namespace boxagnts::sandbox {

namespace {

// Reads the guest's request JSON into `out`. Errors are guest-visible.
Status ParseGuestRequest(std::string_view text, HttpRequest* out) {
  Result<Json> parsed = ParseJson(text, "the HTTP request");
  if (!parsed.ok()) return parsed.status();
  const Json& json = *parsed;
  if (!json.is_object()) {
    return Status::InvalidArgument("the HTTP request must be a JSON object");
  }
  auto url = json.find("url");
  if (url == json.end() || !url->is_string()) {
    return Status::InvalidArgument("the HTTP request needs \"url\" (string)");
  }
  out->url = url->get<std::string>();
  if (auto method = json.find("method"); method != json.end()) {
    if (!method->is_string()) {
      return Status::InvalidArgument("\"method\" must be a string");
    }
    out->method = method->get<std::string>();
  }
  if (auto body = json.find("body"); body != json.end()) {
    if (!body->is_string()) {
      return Status::InvalidArgument("\"body\" must be a string");
    }
    out->body = body->get<std::string>();
  }
  if (auto headers = json.find("headers"); headers != json.end()) {
    if (!headers->is_object()) {
      return Status::InvalidArgument(
          "\"headers\" must be an object of header names to strings");
    }
    for (const auto& [name, value] : headers->items()) {
      if (!value.is_string()) {
        return Status::InvalidArgument("header \"" + name +
                                       "\" must have a string value");
      }
      out->headers.emplace_back(name, value.get<std::string>());
    }
  }
  return Status::Ok();
}

int32_t ErrorCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return kHttpErrInvalidRequest;
    case StatusCode::kPermissionDenied: return kHttpErrDenied;
    case StatusCode::kDeadlineExceeded: return kHttpErrTimeout;
    case StatusCode::kResourceExhausted: return kHttpErrTooLarge;
    default: return kHttpErrNetwork;
  }
}

std::string EncodeResponse(const HttpResponse& response) {
  Json headers = Json::array();
  for (const auto& [name, value] : response.headers) {
    headers.push_back(Json::array({name, value}));
  }
  Json meta = {{"status", response.status},
               {"headers", std::move(headers)},
               {"body_bytes", response.body.size()},
               {"body_truncated", response.body_truncated}};
  std::string out = meta.dump(-1, ' ', false, Json::error_handler_t::replace);
  out += '\n';
  out += response.body;
  return out;
}

}  // namespace

wasm_trap_t* HostHttpRequest(void* env, wasmtime_caller_t* caller,
                             const wasmtime_val_t* args, size_t nargs,
                             wasmtime_val_t* results, size_t nresults) {
  RunState& state = RunStateOf(caller);
  uint32_t request_ptr = static_cast<uint32_t>(args[0].of.i32);
  uint32_t request_len = static_cast<uint32_t>(args[1].of.i32);
  uint32_t response_len_ptr = static_cast<uint32_t>(args[2].of.i32);

  auto fail = [&](int32_t code, std::string message) {
    state.pending_response = std::move(message);
    GuestMemory(caller).WriteU32(
        response_len_ptr, static_cast<uint32_t>(state.pending_response.size()));
    return ReturnI32(results, code);
  };

  GuestMemory memory(caller);
  const uint8_t* request_bytes = memory.Range(request_ptr, request_len);
  if (request_bytes == nullptr || memory.Range(response_len_ptr, 4) == nullptr) {
    return ReturnI32(results, kHttpErrInvalidRequest);
  }
  if (request_len > kMaxHttpRequestJsonBytes) {
    return fail(kHttpErrTooLarge, "the HTTP request is larger than " +
                                      std::to_string(kMaxHttpRequestJsonBytes) +
                                      " bytes");
  }
  if (!state.network) {
    spdlog::info("sandbox run={}: HTTP request rejected: no network",
                 state.run_id);
    return fail(kHttpErrDenied, "this sandbox run has no network access");
  }
  HttpRequest request;
  Status parsed = ParseGuestRequest(
      std::string_view(reinterpret_cast<const char*>(request_bytes),
                       request_len),
      &request);
  if (!parsed.ok()) return fail(kHttpErrInvalidRequest, parsed.message());

  Result<HttpResponse> response =
      state.network->Fetch(request, state.deadline, state.stop_source.token());
  // The run's own deadline or cancellation ends the run, not just the call.
  if (state.stop() != HostStop::kNone || state.CheckDeadline()) {
    const char kMessage[] = "boxagnts: run stopped during an HTTP request";
    return wasmtime_trap_new(kMessage, sizeof(kMessage) - 1);
  }
  if (!response.ok()) {
    return fail(ErrorCodeFor(response.status()), response.status().message());
  }
  state.pending_response = EncodeResponse(*response);
  memory.WriteU32(response_len_ptr,
                  static_cast<uint32_t>(state.pending_response.size()));
  return ReturnI32(results, 0);
}

wasm_trap_t* HostHttpReadResponse(void* env, wasmtime_caller_t* caller,
                                  const wasmtime_val_t* args, size_t nargs,
                                  wasmtime_val_t* results, size_t nresults) {
  RunState& state = RunStateOf(caller);
  uint32_t buffer_ptr = static_cast<uint32_t>(args[0].of.i32);
  uint32_t capacity = static_cast<uint32_t>(args[1].of.i32);
  uint32_t count = static_cast<uint32_t>(
      std::min<uint64_t>(capacity, state.pending_response.size()));
  uint8_t* buffer = GuestMemory(caller).Range(buffer_ptr, count);
  if (buffer == nullptr) return ReturnI32(results, kHttpErrInvalidRequest);
  std::memcpy(buffer, state.pending_response.data(), count);
  state.pending_response.clear();
  state.pending_response.shrink_to_fit();
  return ReturnI32(results, static_cast<int32_t>(count));
}

}  // namespace boxagnts::sandbox
