#include "providers/sse_reader.h"

#include <algorithm>
#include <utility>

namespace boxagnts::providers {

SseReader::SseReader(EventHandler handler, size_t max_event_bytes)
    : handler_(std::move(handler)), max_event_bytes_(max_event_bytes) {}

namespace {
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
}  // namespace

Status SseReader::Feed(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (bom_checked_) return FeedLines(bytes);

  // A UTF-8 byte order mark may open the stream, and may be split too.
  start_.append(bytes);
  size_t n = std::min(start_.size(), kUtf8Bom.size());
  if (start_.size() < kUtf8Bom.size() &&
      std::string_view(start_).substr(0, n) == kUtf8Bom.substr(0, n)) {
    return Status::Ok();
  }
  bom_checked_ = true;
  std::string held = std::move(start_);
  start_.clear();
  if (held.starts_with(kUtf8Bom)) held.erase(0, kUtf8Bom.size());
  return FeedLines(held);
}

Status SseReader::FeedLines(std::string_view bytes) {
  size_t begin = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c != '\n' && c != '\r') continue;
    if (c == '\n' && last_was_cr_ && i == begin && line_.empty()) {
      // The LF of a CRLF pair whose CR ended the previous line.
      last_was_cr_ = false;
      begin = i + 1;
      continue;
    }
    line_.append(bytes.substr(begin, i - begin));
    last_was_cr_ = (c == '\r');
    begin = i + 1;
    Status status = ProcessLine(line_);
    line_.clear();
    if (!status.ok()) {
      error_ = status;
      return error_;
    }
  }
  if (begin < bytes.size()) {
    last_was_cr_ = false;
    line_.append(bytes.substr(begin));
    if (line_.size() > max_event_bytes_) {
      error_ = Status::ResourceExhausted(
          "event stream line exceeds " + std::to_string(max_event_bytes_) +
          " bytes");
      return error_;
    }
  }
  return Status::Ok();
}

Status SseReader::Finish() {
  if (!error_.ok()) return error_;
  if (!bom_checked_) {
    bom_checked_ = true;
    Status status = FeedLines(start_);
    if (!status.ok()) return status;
  }
  if (!line_.empty()) {
    Status status = ProcessLine(line_);
    line_.clear();
    if (!status.ok()) return error_ = status;
  }
  if (has_data_) {
    Status status = Dispatch();
    if (!status.ok()) return error_ = status;
  }
  return Status::Ok();
}

Status SseReader::ProcessLine(std::string_view line) {
  if (line.empty()) return Dispatch();
  if (line[0] == ':') return Status::Ok();  // comment

  std::string_view field = line;
  std::string_view value;
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }

  if (field == "data") {
    if (has_data_) pending_.data += '\n';
    pending_.data.append(value);
    has_data_ = true;
    if (pending_.data.size() > max_event_bytes_) {
      return Status::ResourceExhausted(
          "event stream event exceeds " + std::to_string(max_event_bytes_) +
          " bytes of data");
    }
  } else if (field == "event") {
    pending_.event = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      pending_.id = std::string(value);
    }
  }
  // "retry" and unknown fields are ignored, as the standard requires.
  return Status::Ok();
}

Status SseReader::Dispatch() {
  if (!has_data_) {
    pending_.event.clear();
    return Status::Ok();
  }
  SseEvent event = std::move(pending_);
  pending_ = SseEvent{};
  pending_.id = event.id;  // the last event id persists
  has_data_ = false;
  ++events_dispatched_;
  return handler_(event);
}

}  // namespace boxagnts::providers
