#include "fivespot/common/yaml_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"

namespace fivespot {
namespace {

TEST(YamlToJson, ResolvesPlainScalarsAndKeepsQuotedOnesAsStrings) {
  const auto j = yamlToJson("a: true\nb: \"true\"\nc: 42\nd: '42'\ne: 1.5\nf: null\ng: [x, 2]\nh: 9-17\n");
  EXPECT_EQ(j["a"], true);
  EXPECT_EQ(j["b"], "true");
  EXPECT_EQ(j["c"], 42);
  EXPECT_EQ(j["d"], "42");
  EXPECT_DOUBLE_EQ(j["e"].get<double>(), 1.5);
  EXPECT_TRUE(j["f"].is_null());
  EXPECT_EQ(j["g"], nlohmann::json::array({"x", 2}));
  EXPECT_EQ(j["h"], "9-17");
}

TEST(YamlToJson, SplitsDocuments) {
  const auto docs = yamlDocumentsToJson("kind: A\n---\n---\nkind: B\n");
  ASSERT_EQ(docs.size(), 2U);
  EXPECT_EQ(docs[1]["kind"], "B");
}

TEST(YamlToJson, MalformedYamlNamesOrigin) {
  try {
    yamlToJson("a: [1, 2\n", "examples/bad.yaml");
    FAIL();
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.field(), "examples/bad.yaml");
  }
}

}  // namespace
}  // namespace fivespot
