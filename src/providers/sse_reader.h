// A Server-Sent Events parser that works on raw bytes.
//
// Bytes may arrive in pieces of any size. A line, a CRLF pair or a UTF-8
// character split across two Feed() calls is reassembled before the event
// is dispatched. This works because the reader splits only on line-ending
// bytes and never decodes text. It follows the WHATWG event-stream rules: lines end
// in CRLF, LF or CR; a line starting with ':' is a comment; fields are
// "event", "data", "id" and "retry"; several "data:" lines join with "\n";
// a blank line dispatches the event, unless no data arrived.

#ifndef BOXAGNTS_PROVIDERS_SSE_READER_H_
#define BOXAGNTS_PROVIDERS_SSE_READER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boxagnts::providers {

struct SseEvent {
  std::string event;  // empty when the stream gave no "event:" field
  std::string data;
  std::string id;
};

class SseReader {
 public:
  // Receives each complete event. A non-OK status stops the reader and is
  // returned from Feed().
  using EventHandler = std::function<Status(const SseEvent&)>;

  // Default cap on one line and on one event's data: 16 MiB.
  static constexpr size_t kDefaultMaxEventBytes = 16 << 20;

  explicit SseReader(EventHandler handler,
                     size_t max_event_bytes = kDefaultMaxEventBytes);

  // Parses `bytes`, dispatching every event it completes. After an error
  // every later call returns the same error.
  Status Feed(std::string_view bytes);

  // Ends the stream. An event whose data arrived but whose blank line did
  // not is dispatched too, since several servers end the body without it.
  Status Finish();

  // Number of events dispatched so far.
  size_t events_dispatched() const { return events_dispatched_; }

 private:
  Status FeedLines(std::string_view bytes);
  Status ProcessLine(std::string_view line);
  Status Dispatch();

  EventHandler handler_;
  size_t max_event_bytes_;
  std::string line_;        // bytes of the current, unfinished line
  bool last_was_cr_ = false;  // a CR ended the previous line
  bool bom_checked_ = false;  // the stream start was checked for a BOM
  std::string start_;         // first bytes, held until the BOM check
  bool has_data_ = false;
  SseEvent pending_;
  Status error_;
  size_t events_dispatched_ = 0;
};

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_SSE_READER_H_
