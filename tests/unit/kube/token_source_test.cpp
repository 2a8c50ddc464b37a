#include "token_source.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "fivespot/common/error.hpp"
#include "temp_dir.hpp"

namespace fivespot::kube::detail {
namespace {

using testing::TempDir;

TEST(TokenSourceTest, StaticTokenWithoutFile) {
  TokenSource source("static", "");
  EXPECT_EQ(source.token(), "static");
}

TEST(TokenSourceTest, FileWinsAndIsTrimmed) {
  TempDir dir;
  TokenSource source("static", dir.write("token", "  from-file\n"));
  EXPECT_EQ(source.token(), "from-file");
}

TEST(TokenSourceTest, RotatedFileIsPickedUpOnTheNextCall) {
  TempDir dir;
  const auto path = dir.write("token", "first");
  TokenSource source("", path);
  ASSERT_EQ(source.token(), "first");

  // kubelet's rotation: write the new token next to it and rename over the old file.
  dir.write("token.new", "second-token");
  std::filesystem::rename(dir.path() / "token.new", path);
  EXPECT_EQ(source.token(), "second-token");

  // An in-place rewrite of a different length is noticed too.
  dir.write("token", "third");
  EXPECT_EQ(source.token(), "third");
}

TEST(TokenSourceTest, KeepsTheLastGoodTokenWhileTheFileIsMissing) {
  TempDir dir;
  const auto path = dir.write("token", "good");
  TokenSource source("", path);
  ASSERT_EQ(source.token(), "good");
  std::filesystem::remove(path);
  EXPECT_EQ(source.token(), "good");
  dir.write("token", "");
  EXPECT_EQ(source.token(), "good");
}

TEST(TokenSourceTest, NeverReadableFileIsAConfigError) {
  TempDir dir;
  TokenSource source("", (dir.path() / "absent").string());
  EXPECT_THROW(source.token(), ConfigError);
}

}  // namespace
}  // namespace fivespot::kube::detail
