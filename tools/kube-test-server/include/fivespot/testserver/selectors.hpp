#pragma once
// Label selectors (the string form of ?labelSelector= and metav1.LabelSelector objects) and field
// selectors, with the operators kube-apiserver accepts.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace fivespot::testserver {

class LabelSelector {
 public:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  // "a=b,c!=d,e in (f,g),!h"; throws ApiError 400 on bad syntax.
  static LabelSelector parse(const std::string& text);
  // metav1.LabelSelector {matchLabels, matchExpressions}; a null selector matches nothing.
  static LabelSelector fromJson(const nlohmann::json& selector);

  [[nodiscard]] bool matches(const nlohmann::json& labels) const;  // labels: object or null

 private:
  std::vector<Requirement> requirements_;
  bool matchesNothing_ = false;
};

class FieldSelector {
 public:
  struct Requirement {
    std::string field;  // metadata.name, metadata.namespace, spec.nodeName, status.phase
    bool equals;
    std::string value;
  };
  // "spec.nodeName=n1,status.phase!=Failed"; throws ApiError 400 for unknown fields or syntax.
  static FieldSelector parse(const std::string& text);
  [[nodiscard]] bool matches(const nlohmann::json& object) const;

 private:
  std::vector<Requirement> requirements_;
};

}  // namespace fivespot::testserver
