// Logging set-up.

#include "core/log.h"

#include <gtest/gtest.h>

namespace boxagnts {
namespace {

TEST(Logging, InitTwiceWithTheSameLevelIsSafe) {
  ASSERT_TRUE(InitLogging("warn").ok());
  EXPECT_TRUE(InitLogging("warn").ok());
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::warn);
  EXPECT_EQ(InitLogging("loud").message(),
            "invalid log level \"loud\": use trace, debug, info, warn, error "
            "or off");
}

}  // namespace
}  // namespace boxagnts
