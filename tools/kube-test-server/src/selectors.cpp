#include "fivespot/testserver/selectors.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "fivespot/testserver/api_error.hpp"

namespace fivespot::testserver {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// Splits on commas that are not inside parentheses ("a in (x,y),b" -> "a in (x,y)", "b").
std::vector<std::string> splitTopLevel(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty() || !parts.empty()) parts.push_back(trim(current));
  return parts;
}

ApiError selectorError(const std::string& text) {
  return badRequest("unable to parse requirement: invalid label selector \"" + text + "\"");
}

std::vector<std::string> parseValueSet(const std::string& text, const std::string& whole) {
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) throw selectorError(whole);
  std::vector<std::string> values;
  std::string inner = text.substr(open + 1, close - open - 1);
  size_t start = 0;
  while (start <= inner.size()) {
    const auto comma = inner.find(',', start);
    values.push_back(trim(inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

LabelSelector::Requirement parseRequirement(const std::string& part) {
  using Op = LabelSelector::Op;
  if (part.empty()) throw selectorError(part);
  if (part[0] == '!') return {trim(part.substr(1)), Op::DoesNotExist, {}};
  for (const auto& [word, op] : {std::pair{" notin ", Op::NotIn}, std::pair{" in ", Op::In}}) {
    const auto at = part.find(word);
    if (at != std::string::npos) return {trim(part.substr(0, at)), op, parseValueSet(part.substr(at), part)};
  }
  for (const auto& [token, op] :
       {std::pair{"!=", Op::NotEquals}, std::pair{"==", Op::Equals}, std::pair{"=", Op::Equals}}) {
    const auto at = part.find(token);
    if (at != std::string::npos) {
      return {trim(part.substr(0, at)), op, {trim(part.substr(at + std::string(token).size()))}};
    }
  }
  if (part.find_first_of(" ()") != std::string::npos) throw selectorError(part);
  return {part, Op::Exists, {}};
}

}  // namespace

LabelSelector LabelSelector::parse(const std::string& text) {
  LabelSelector selector;
  for (const auto& part : splitTopLevel(text)) {
    auto requirement = parseRequirement(part);
    if (requirement.key.empty()) throw selectorError(text);
    selector.requirements_.push_back(std::move(requirement));
  }
  return selector;
}

LabelSelector LabelSelector::fromJson(const nlohmann::json& selector) {
  LabelSelector result;
  if (!selector.is_object()) {
    result.matchesNothing_ = true;
    return result;
  }
  // items() views its json: keep the value alive for the whole loop.
  const nlohmann::json matchLabels = selector.value("matchLabels", nlohmann::json::object());
  for (const auto& [key, value] : matchLabels.items())
    result.requirements_.push_back({key, Op::Equals, {value.get<std::string>()}});
  for (const auto& expression : selector.value("matchExpressions", nlohmann::json::array())) {
    const std::string op = expression.value("operator", "");
    Requirement requirement{expression.value("key", ""), Op::Exists,
                            expression.value("values", std::vector<std::string>())};
    if (op == "In")
      requirement.op = Op::In;
    else if (op == "NotIn")
      requirement.op = Op::NotIn;
    else if (op == "Exists")
      requirement.op = Op::Exists;
    else if (op == "DoesNotExist")
      requirement.op = Op::DoesNotExist;
    else
      throw badRequest("\"" + op + "\" is not a valid label selector operator");
    result.requirements_.push_back(std::move(requirement));
  }
  return result;
}

bool LabelSelector::matches(const nlohmann::json& labels) const {
  if (matchesNothing_) return false;
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const Requirement& r) {
    const bool has = labels.is_object() && labels.contains(r.key) && labels[r.key].is_string();
    const std::string value = has ? labels[r.key].get<std::string>() : std::string();
    const bool inSet = has && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    switch (r.op) {
      case Op::Equals:
        return inSet;
      case Op::NotEquals:
        return !inSet;  // a missing label satisfies "!=" like in Kubernetes
      case Op::In:
        return inSet;
      case Op::NotIn:
        return !inSet;
      case Op::Exists:
        return has;
      case Op::DoesNotExist:
        return !has;
    }
    return false;
  });
}

FieldSelector FieldSelector::parse(const std::string& text) {
  static const std::vector<std::string> kFields = {"metadata.name", "metadata.namespace", "spec.nodeName",
                                                   "status.phase"};
  FieldSelector selector;
  for (const auto& part : splitTopLevel(text)) {
    Requirement requirement{};
    size_t at = part.find("!=");
    size_t width = 2;
    requirement.equals = at == std::string::npos;
    if (requirement.equals) {
      at = part.find("==");
      if (at == std::string::npos) {
        at = part.find('=');
        width = 1;
      }
    }
    if (at == std::string::npos) throw badRequest("invalid field selector: \"" + part + "\"");
    requirement.field = trim(part.substr(0, at));
    requirement.value = trim(part.substr(at + width));
    if (std::find(kFields.begin(), kFields.end(), requirement.field) == kFields.end()) {
      throw badRequest("field label not supported: " + requirement.field);
    }
    selector.requirements_.push_back(std::move(requirement));
  }
  return selector;
}

bool FieldSelector::matches(const nlohmann::json& object) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const Requirement& r) {
    const auto pointer = nlohmann::json::json_pointer("/" + r.field.substr(0, r.field.find('.')) + "/" +
                                                      r.field.substr(r.field.find('.') + 1));
    const std::string value =
        object.contains(pointer) && object[pointer].is_string() ? object[pointer].get<std::string>() : std::string();
    return (value == r.value) == r.equals;
  });
}

}  // namespace fivespot::testserver
