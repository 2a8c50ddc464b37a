#include "fivespot/common/error.hpp"

#include <gtest/gtest.h>

namespace fivespot {
namespace {

TEST(ValidationError, NamesFieldTokenAndAcceptedForms) {
  const ValidationError e("spec.schedule.hoursOfDay[0]", "25", "an hour 0-23");
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
  EXPECT_EQ(e.field(), "spec.schedule.hoursOfDay[0]");
  EXPECT_EQ(e.token(), "25");
  EXPECT_STREQ(e.what(), "spec.schedule.hoursOfDay[0]: invalid value \"25\"; expected an hour 0-23");
}

TEST(Error, ContextIsOptional) {
  const Error e(ErrorKind::Transient, "", "server busy");
  EXPECT_STREQ(e.what(), "server busy");
  EXPECT_STREQ(toString(e.kind()), "Transient");
}

}  // namespace
}  // namespace fivespot
