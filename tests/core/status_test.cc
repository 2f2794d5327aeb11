#include "core/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace boxagnts {
namespace {

TEST(Status, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(Status, ToStringHasCodeAndMessage) {
  Status status = Status::NotFound("open \"/ws/a\": no such file");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.ToString(), "not found: open \"/ws/a\": no such file");
}

TEST(Status, FromErrnoMapsCodes) {
  EXPECT_EQ(Status::FromErrno("open \"x\"", ENOENT).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Status::FromErrno("open \"x\"", EACCES).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Status::FromErrno("open \"x\"", EIO).code(), StatusCode::kIoError);
  EXPECT_EQ(Status::FromErrno("open \"x\"", ENOENT).message(),
            "open \"x\": No such file or directory");
}

TEST(Status, WithPrefixKeepsCode) {
  Status status = Status::InvalidArgument("bad").WithPrefix("--fuel");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "--fuel: bad");
  EXPECT_TRUE(Status::Ok().WithPrefix("x").ok());
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  Result<int> error = Status::Internal("boom");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().message(), "boom");
}

Status FailsThenStops(bool* reached) {
  BOXAGNTS_RETURN_IF_ERROR(Status::Cancelled("stop"));
  *reached = true;
  return Status::Ok();
}

TEST(Status, ReturnIfErrorReturnsEarly) {
  bool reached = false;
  EXPECT_EQ(FailsThenStops(&reached).code(), StatusCode::kCancelled);
  EXPECT_FALSE(reached);
}

}  // namespace
}  // namespace boxagnts
