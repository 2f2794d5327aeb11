#include "providers/message.h"

#include <gtest/gtest.h>

#include "providers/provider.h"

namespace boxagnts::providers {
namespace {

TEST(Message, JsonRoundTripKeepsEveryBlock) {
  Message message{
      Role::kAssistant,
      {TextBlock{"hello"}, ImageBlock{"image/png", "AAAA", ""},
       ImageBlock{"", "", "https://example.com/a.png"},
       ToolUseBlock{"t1", "ls", Json{{"dir", "/"}}, "", ""},
       ToolUseBlock{"t2", "bad", nullptr, "syntax error", "{x"},
       ToolResultBlock{"t1",
                       {TextBlock{"out"}, ImageBlock{"image/gif", "R0", ""}},
                       true},
       ThinkingBlock{"hmm", "sig", "rs_1"}, RedactedThinkingBlock{"opaque"}}};
  Json json = MessageToJson(message);
  Result<Message> back = MessageFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, message);
}

TEST(Message, FromJsonAcceptsStringContent) {
  Result<Message> message =
      MessageFromJson(Json{{"role", "user"}, {"content", "plain"}});
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(*message, Message::UserText("plain"));
}

TEST(Message, FromJsonRejectsBadInput) {
  auto role = MessageFromJson(Json{{"role", "system"}, {"content", "x"}});
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.status().message().find("\"system\""), std::string::npos);
  auto block = MessageFromJson(
      Json{{"role", "user"}, {"content", {{{"type", "video"}}}}});
  ASSERT_FALSE(block.ok());
  EXPECT_NE(block.status().message().find("content[0]"), std::string::npos);
}

TEST(Message, TextAndToolUsesHelpers) {
  Message message{Role::kAssistant,
                  {TextBlock{"a"},
                   ToolUseBlock{"1", "f", Json::object(), "", ""},
                   TextBlock{"b"}}};
  EXPECT_EQ(message.Text(), "ab");
  ASSERT_EQ(message.ToolUses().size(), 1u);
  EXPECT_EQ(message.ToolUses()[0]->name, "f");
}

TEST(Usage, AddsAllCounters) {
  Usage total{1, 2, 3, 4};
  total += Usage{10, 20, 30, 40};
  EXPECT_EQ(total, (Usage{11, 22, 33, 44}));
}

TEST(ProviderError, KindNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ProviderErrorKind::kCancelled); ++i) {
    auto kind = static_cast<ProviderErrorKind>(i);
    EXPECT_EQ(ProviderErrorKindFromName(ProviderErrorKindName(kind)), kind);
  }
  EXPECT_EQ(ProviderErrorKindFromName("bogus"), std::nullopt);
  EXPECT_TRUE(IsRetryableKind(ProviderErrorKind::kRateLimit));
  EXPECT_FALSE(IsRetryableKind(ProviderErrorKind::kStall));
  EXPECT_FALSE(IsRetryableKind(ProviderErrorKind::kAuthentication));
  EXPECT_EQ(ProviderError::Make(ProviderErrorKind::kStall, "x").status.code(),
            StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace boxagnts::providers
