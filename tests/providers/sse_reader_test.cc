#include "providers/sse_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxagnts::providers {
namespace {

struct Collector {
  std::vector<SseEvent> events;
  SseReader::EventHandler Handler() {
    return [this](const SseEvent& event) {
      events.push_back(event);
      return Status::Ok();
    };
  }
};

std::vector<SseEvent> ParseWhole(std::string_view bytes) {
  Collector collector;
  SseReader reader(collector.Handler());
  EXPECT_TRUE(reader.Feed(bytes).ok());
  EXPECT_TRUE(reader.Finish().ok());
  return collector.events;
}

std::vector<SseEvent> ParseByteByByte(std::string_view bytes) {
  Collector collector;
  SseReader reader(collector.Handler());
  for (char c : bytes) EXPECT_TRUE(reader.Feed(std::string_view(&c, 1)).ok());
  EXPECT_TRUE(reader.Finish().ok());
  return collector.events;
}

TEST(SseReader, ParsesEventAndData) {
  auto events = ParseWhole("event: ping\ndata: {\"a\":1}\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "ping");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
}

TEST(SseReader, JoinsMultiLineData) {
  auto events = ParseWhole("data: first\ndata:second\ndata:  third\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "first\nsecond\n third");
}

TEST(SseReader, HandlesCrlfAndLoneCr) {
  auto crlf = ParseWhole("data: a\r\n\r\ndata: b\r\n\r\n");
  ASSERT_EQ(crlf.size(), 2u);
  EXPECT_EQ(crlf[0].data, "a");
  EXPECT_EQ(crlf[1].data, "b");
  auto cr = ParseWhole("data: c\r\rdata: d\r\r");
  ASSERT_EQ(cr.size(), 2u);
  EXPECT_EQ(cr[1].data, "d");
}

TEST(SseReader, CrlfSplitAcrossFeeds) {
  Collector collector;
  SseReader reader(collector.Handler());
  ASSERT_TRUE(reader.Feed("data: x\r").ok());
  ASSERT_TRUE(reader.Feed("\n\r").ok());
  ASSERT_TRUE(reader.Feed("\ndata: y\r\n\r\n").ok());
  ASSERT_EQ(collector.events.size(), 2u);
  EXPECT_EQ(collector.events[0].data, "x");
  EXPECT_EQ(collector.events[1].data, "y");
}

TEST(SseReader, SkipsCommentsAndUnknownFields) {
  auto events = ParseWhole(": keep-alive\nretry: 100\nfoo: bar\ndata: z\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "z");
  EXPECT_EQ(events[0].event, "");
}

TEST(SseReader, EventWithoutDataIsNotDispatched) {
  auto events = ParseWhole("event: lonely\n\ndata: next\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[0].data, "next");
}

TEST(SseReader, KeepsLastEventId) {
  auto events = ParseWhole("id: 7\ndata: a\n\ndata: b\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[1].id, "7");
}

TEST(SseReader, SplitUtf8SurvivesByteFeeds) {
  std::string stream =
      "event: t\r\ndata: {\"text\":\"h\xC3\xA9llo \xE2\x9C\x93 "
      "\xF0\x9F\x98\x80\"}\r\n\r\n";
  auto whole = ParseWhole(stream);
  auto bytes = ParseByteByByte(stream);
  ASSERT_EQ(bytes.size(), 1u);
  EXPECT_EQ(bytes[0].data, whole[0].data);
  EXPECT_EQ(bytes[0].data,
            "{\"text\":\"h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80\"}");
  EXPECT_EQ(bytes[0].event, "t");
}

TEST(SseReader, StripsSplitByteOrderMark) {
  auto events = ParseByteByByte("\xEF\xBB\xBF" "data: after bom\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "after bom");
}

TEST(SseReader, DispatchesUnterminatedEventAtFinish) {
  auto events = ParseWhole("data: tail");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "tail");
}

TEST(SseReader, FieldWithoutColonHasEmptyValue) {
  auto events = ParseWhole("data\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "");
}

TEST(SseReader, HandlerErrorStopsReader) {
  int calls = 0;
  SseReader reader([&](const SseEvent&) {
    ++calls;
    return Status::DataLoss("stop here");
  });
  Status status = reader.Feed("data: 1\n\ndata: 2\n\n");
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(reader.Feed("data: 3\n\n").code(), StatusCode::kDataLoss);
  EXPECT_EQ(calls, 1);
}

TEST(SseReader, RejectsOverlongLine) {
  Collector collector;
  SseReader reader(collector.Handler(), 16);
  Status status = reader.Feed("data: 0123456789abcdefghij");
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace boxagnts::providers
