#include "tools/permission_types.h"

#include <gtest/gtest.h>

namespace boxagnts::tools {
namespace {

TEST(ParsePermissionMode, AcceptsExactSpellings) {
  for (PermissionMode mode :
       {PermissionMode::kDefault, PermissionMode::kAcceptEdits,
        PermissionMode::kPlan, PermissionMode::kBypassPermissions}) {
    Result<PermissionMode> parsed =
        ParsePermissionMode(PermissionModeName(mode));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, mode);
  }
  EXPECT_EQ(PermissionModeName(PermissionMode::kAcceptEdits), "acceptEdits");
  EXPECT_EQ(PermissionModeName(PermissionMode::kBypassPermissions),
            "bypassPermissions");
}

TEST(ParsePermissionMode, RejectsOtherSpellings) {
  Result<PermissionMode> parsed = ParsePermissionMode("acceptedits");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "unknown permission mode \"acceptedits\": use default, "
            "acceptEdits, plan or bypassPermissions (spelled exactly so)");
  EXPECT_FALSE(ParsePermissionMode("").ok());
  EXPECT_FALSE(ParsePermissionMode("Default").ok());
}

TEST(Decision, StrictestIsMaximum) {
  EXPECT_EQ(Strictest(Decision::kAllow, Decision::kAsk), Decision::kAsk);
  EXPECT_EQ(Strictest(Decision::kDeny, Decision::kAsk), Decision::kDeny);
  EXPECT_EQ(Strictest(Decision::kAllow, Decision::kAllow), Decision::kAllow);
  EXPECT_LT(Decision::kAllow, Decision::kAsk);
  EXPECT_LT(Decision::kAsk, Decision::kDeny);
}

TEST(RuleSource, IdsAndDescriptions) {
  EXPECT_EQ(RuleSourceId(RuleSource::kCommandLine), "command_line");
  EXPECT_EQ(RuleSourceDescription(RuleSource::kWorkspace), "workspace config");
  EXPECT_EQ(DecidedByName(DecidedBy::kApprovalHandler), "approval_handler");
  EXPECT_EQ(DecisionName(Decision::kAsk), "ask");
}

}  // namespace
}  // namespace boxagnts::tools
