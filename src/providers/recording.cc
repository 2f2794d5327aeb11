#include "providers/recording.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <sstream>

#include "core/files.h"
#include "core/log.h"
#include "providers/services.h"
#include "providers/stream_pipeline.h"
#include "providers/wire_protocol.h"

namespace boxagnts::providers {
namespace {

constexpr char kRedacted[] = "[REDACTED]";

bool IsCredentialHeader(const std::string& name) {
  return name == "authorization" || name == "x-api-key" ||
         name == "x-goog-api-key" || name == "api-key";
}

std::string EscapePointerToken(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Shorten(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

const Json* Find(const Json& json, const std::string& pointer) {
  try {
    return &json.at(Json::json_pointer(pointer));
  } catch (const Json::exception&) {
    return nullptr;
  }
}

// Returns the pointer of the first difference at or below `here`, the
// pointer of `a` and `b` in the whole document.
std::optional<std::string> DifferenceBelow(
    const Json& a, const Json& b, const std::string& here,
    const std::set<std::string>& ignored) {
  // Parsed and built numbers differ in type (unsigned or signed) only.
  if (a.is_number() && b.is_number()) {
    return a == b ? std::nullopt : std::optional<std::string>(here);
  }
  if (a.type() != b.type()) return here;
  if (a.is_object()) {
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const std::string& key : keys) {
      std::string child = here + "/" + EscapePointerToken(key);
      if (ignored.count(child) > 0) continue;
      if (!a.contains(key) || !b.contains(key)) return child;
      if (auto inner = DifferenceBelow(a[key], b[key], child, ignored)) {
        return inner;
      }
    }
    return std::nullopt;
  }
  if (a.is_array()) {
    size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      std::string child = here + "/" + std::to_string(i);
      if (ignored.count(child) > 0) continue;
      if (i >= a.size() || i >= b.size()) return child;
      if (auto inner = DifferenceBelow(a[i], b[i], child, ignored)) {
        return inner;
      }
    }
    return std::nullopt;
  }
  if (a != b) return here;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> FirstDifference(const Json& a, const Json& b) {
  return DifferenceBelow(a, b, "", {});
}

std::optional<std::string> FirstDifference(
    const Json& a, const Json& b, const std::set<std::string>& ignored) {
  return DifferenceBelow(a, b, "", ignored);
}

Result<std::string> ParseIgnorePath(const std::string& pointer) {
  if (pointer.empty()) {
    return Status::InvalidArgument(
        "invalid replay ignore path \"\": it would ignore the whole "
        "request; name a field such as \"/system\"");
  }
  try {
    return Json::json_pointer(pointer).to_string();
  } catch (const Json::exception&) {
    return Status::InvalidArgument(
        "invalid replay ignore path \"" + pointer +
        "\": not a JSON Pointer (use the form \"/system\" or "
        "\"/messages/0/content\", with ~0 for ~ and ~1 for /)");
  }
}

std::string RedactSecrets(std::string text,
                          const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    // A value this short is no real key, and replacing it everywhere
    // would garble ordinary words ("x" in "max_tokens").
    if (secret.size() < kMinRedactedSecretBytes) continue;
    for (size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + sizeof(kRedacted) - 1)) {
      text.replace(pos, secret.size(), kRedacted);
    }
  }
  return text;
}

Json ExchangeToJson(const Exchange& exchange) {
  Json out = {{"call", exchange.call},
              {"attempt", exchange.attempt},
              {"final", exchange.final},
              {"service", exchange.service},
              {"protocol", exchange.protocol},
              {"model", exchange.model},
              {"url", exchange.url},
              {"request_headers", exchange.request_headers},
              {"request", exchange.request_body},
              {"status", exchange.status},
              {"response_body", exchange.response_body}};
  if (exchange.transport_error_kind) {
    out["transport_error"] = {
        {"kind", ProviderErrorKindName(*exchange.transport_error_kind)},
        {"message", exchange.transport_error_message}};
  }
  if (!exchange.replay_ignore_paths.empty()) {
    out["replay_ignore_paths"] = exchange.replay_ignore_paths;
  }
  return out;
}

Result<Exchange> ExchangeFromJson(const Json& json) {
  if (!json.is_object()) {
    return Status::InvalidArgument("exchange must be a JSON object");
  }
  Exchange exchange;
  try {
    exchange.call = json.at("call").get<int>();
    exchange.attempt = json.value("attempt", 1);
    exchange.final = json.value("final", true);
    exchange.service = json.at("service").get<std::string>();
    exchange.protocol = json.at("protocol").get<std::string>();
    exchange.model = json.at("model").get<std::string>();
    exchange.url = json.value("url", "");
    exchange.request_headers = json.value("request_headers", Json::object());
    exchange.request_body = json.at("request");
    exchange.status = json.value("status", 0);
    exchange.response_body = json.value("response_body", "");
    if (json.contains("transport_error")) {
      const Json& error = json["transport_error"];
      std::string kind = error.value("kind", "");
      exchange.transport_error_kind = ProviderErrorKindFromName(kind);
      if (!exchange.transport_error_kind) {
        return Status::InvalidArgument("unknown transport_error kind \"" +
                                       kind + "\"");
      }
      exchange.transport_error_message = error.value("message", "");
    }
    if (json.contains("replay_ignore_paths")) {
      const Json& paths = json["replay_ignore_paths"];
      if (!paths.is_array()) {
        return Status::InvalidArgument(
            "replay_ignore_paths must be an array of JSON Pointer strings");
      }
      for (const Json& item : paths) {
        if (!item.is_string()) {
          return Status::InvalidArgument(
              "replay_ignore_paths holds " + Shorten(item) +
              "; each entry must be a JSON Pointer string");
        }
        Result<std::string> path = ParseIgnorePath(item.get<std::string>());
        if (!path.ok()) return path.status();
        exchange.replay_ignore_paths.push_back(std::move(*path));
      }
    }
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("invalid exchange: ") +
                                   e.what());
  }
  return exchange;
}

Result<std::shared_ptr<SessionRecorder>> SessionRecorder::Open(
    const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::FromErrno("open recording \"" + path + "\"", errno);
  }
  return std::shared_ptr<SessionRecorder>(new SessionRecorder(path, fd));
}

SessionRecorder::~SessionRecorder() { ::close(fd_); }

int SessionRecorder::NextCallIndex() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_call_++;
}

Status SessionRecorder::Append(const Exchange& exchange,
                               const std::vector<std::string>& secrets) {
  Exchange copy = exchange;
  for (auto it = copy.request_headers.begin(); it != copy.request_headers.end();
       ++it) {
    if (IsCredentialHeader(it.key())) *it = kRedacted;
  }
  std::string line = ExchangeToJson(copy).dump(
      -1, ' ', false, Json::error_handler_t::replace);
  // Keys can be echoed anywhere, by the server in an error body included.
  line = RedactSecrets(std::move(line), secrets) + "\n";

  std::lock_guard<std::mutex> lock(mu_);
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write recording \"" + path_ + "\"", errno);
    }
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::unique_ptr<ReplayProvider>> ReplayProvider::Open(
    const std::string& path, const std::vector<std::string>& ignore_paths) {
  std::set<std::string> ignored;
  for (const std::string& pointer : ignore_paths) {
    Result<std::string> parsed = ParseIgnorePath(pointer);
    if (!parsed.ok()) return parsed.status();
    ignored.insert(std::move(*parsed));
  }
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status().WithPrefix("replay");
  std::vector<Exchange> finals;
  std::istringstream lines(*text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string where =
        "replay \"" + path + "\" line " + std::to_string(number);
    Result<Json> json = ParseJson(line, where);
    if (!json.ok()) return json.status();
    Result<Exchange> exchange = ExchangeFromJson(*json);
    if (!exchange.ok()) return exchange.status().WithPrefix(where);
    if (exchange->final) finals.push_back(std::move(*exchange));
  }
  return std::unique_ptr<ReplayProvider>(
      new ReplayProvider(path, std::move(finals), std::move(ignored)));
}

CompletionResult ReplayProvider::Complete(const Request& request,
                                          StreamCallbacks& callbacks,
                                          const CancellationToken& cancel) {
  std::string prefix = "replay \"" + path_ + "\"";
  if (cancel.IsCancelled()) {
    return ProviderError::Make(ProviderErrorKind::kCancelled,
                               prefix + ": cancelled: " + cancel.Reason());
  }
  size_t index = next_;
  if (index >= exchanges_.size()) {
    return ProviderError::Make(
        ProviderErrorKind::kReplayDivergence,
        prefix + ": call " + std::to_string(index) +
            " has no recorded exchange; the recording holds " +
            std::to_string(exchanges_.size()) + " calls");
  }
  ++next_;
  const Exchange& exchange = exchanges_[index];
  std::string call = prefix + ": call " + std::to_string(index);

  // Rebuild the wire request as the recorded session built it.
  std::unique_ptr<WireProtocol> protocol =
      MakeWireProtocolByName(exchange.protocol);
  if (protocol == nullptr) {
    return ProviderError::Make(
        ProviderErrorKind::kReplayDivergence,
        call + ": unknown protocol \"" + exchange.protocol + "\"");
  }
  Endpoint endpoint;
  endpoint.service = exchange.service;
  endpoint.base_url = "http://replay.invalid";
  endpoint.model = exchange.model;
  if (const ServiceInfo* service = FindService(exchange.service)) {
    endpoint.quirks = service->quirks;
  }
  Request replayed = request;
  replayed.model.clear();
  Result<WireRequest> wire = protocol->BuildRequest(replayed, endpoint);
  if (!wire.ok()) {
    return ProviderError::Make(ProviderErrorKind::kInvalidRequest,
                               call + ": " + wire.status().message());
  }
  std::set<std::string> ignored = ignore_paths_;
  ignored.insert(exchange.replay_ignore_paths.begin(),
                 exchange.replay_ignore_paths.end());
  if (auto path = FirstDifference(exchange.request_body, wire->body, ignored)) {
    const Json* recorded = Find(exchange.request_body, *path);
    const Json* got = Find(wire->body, *path);
    return ProviderError::Make(
        ProviderErrorKind::kReplayDivergence,
        call + " diverges from the recording at " +
            (path->empty() ? "/" : *path) + ": recorded " +
            (recorded ? Shorten(*recorded) : "nothing") + ", got " +
            (got ? Shorten(*got) : "nothing"));
  }

  // Serve the recorded response through the same decoder.
  if (exchange.status != 0 &&
      (exchange.status < 200 || exchange.status > 299)) {
    return protocol->ClassifyHttpError(exchange.status, {},
                                       exchange.response_body);
  }
  StreamPipeline pipeline(*protocol, callbacks);
  Status fed = pipeline.Feed(exchange.response_body);
  if (exchange.transport_error_kind) {
    if (!fed.ok() && pipeline.error()) return *pipeline.error();
    return ProviderError::Make(*exchange.transport_error_kind,
                               exchange.transport_error_message);
  }
  return pipeline.Finish();
}

}  // namespace boxagnts::providers
