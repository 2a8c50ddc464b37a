#include "fivespot/common/logging.hpp"

#include <gtest/gtest.h>

#include "fivespot/common/error.hpp"

namespace fivespot::logging {
namespace {

TEST(Logging, ParsesFormats) {
  EXPECT_EQ(parseFormat("json"), Format::Json);
  EXPECT_EQ(parseFormat("text"), Format::Text);
  EXPECT_THROW(parseFormat("xml"), ConfigError);
}

TEST(Logging, RejectsUnknownLevel) {
  Options options;
  options.level = "loud";
  EXPECT_THROW(init(options), ConfigError);
}

}  // namespace
}  // namespace fivespot::logging
