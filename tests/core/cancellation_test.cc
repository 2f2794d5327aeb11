#include "core/cancellation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace boxagnts {
namespace {

TEST(Cancellation, DefaultTokenNeverCancelled) {
  CancellationToken token;
  EXPECT_FALSE(token.IsCancelled());
  EXPECT_EQ(token.Reason(), "");
}

TEST(Cancellation, CancelRunsCallbacksOnce) {
  CancellationSource source;
  int calls = 0;
  auto registration = source.token().OnCancel([&] { ++calls; });
  source.Cancel("stop");
  source.Cancel("again");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(source.token().IsCancelled());
  EXPECT_EQ(source.token().Reason(), "stop");
}

TEST(Cancellation, LateRegistrationRunsImmediately) {
  CancellationSource source;
  source.Cancel();
  bool ran = false;
  auto registration = source.token().OnCancel([&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST(Cancellation, ResetRegistrationDoesNotRun) {
  CancellationSource source;
  bool ran = false;
  {
    auto registration = source.token().OnCancel([&] { ran = true; });
  }
  source.Cancel();
  EXPECT_FALSE(ran);
}

TEST(Cancellation, ChildFollowsParent) {
  CancellationSource parent;
  CancellationSource child(parent.token());
  CancellationSource sibling(parent.token());
  child.Cancel("only the child");
  EXPECT_FALSE(parent.IsCancelled());
  EXPECT_FALSE(sibling.IsCancelled());
  parent.Cancel("session ended");
  EXPECT_TRUE(sibling.IsCancelled());
  EXPECT_EQ(sibling.token().Reason(), "session ended");
  EXPECT_EQ(child.token().Reason(), "only the child");
}

TEST(Cancellation, ChildDestroyedBeforeParentIsSafe) {
  CancellationSource parent;
  { CancellationSource child(parent.token()); }
  parent.Cancel();
  EXPECT_TRUE(parent.IsCancelled());
}

TEST(Cancellation, CancelFromAnotherThreadReachesWaiter) {
  CancellationSource source;
  std::atomic<bool> seen{false};
  auto registration = source.token().OnCancel([&] { seen = true; });
  std::thread([&] { source.Cancel(); }).join();
  EXPECT_TRUE(seen.load());
}

}  // namespace
}  // namespace boxagnts
