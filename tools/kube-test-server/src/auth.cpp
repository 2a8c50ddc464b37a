#include "fivespot/testserver/auth.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fivespot/common/error.hpp"

namespace fivespot::testserver {
namespace {

// One CSV record with double-quoted fields, as in kube-apiserver's static token file.
std::vector<std::string> parseCsvLine(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<std::string> splitGroups(const std::string& text) {
  std::vector<std::string> groups;
  std::stringstream in(text);
  for (std::string group; std::getline(in, group, ',');)
    if (!group.empty()) groups.push_back(group);
  return groups;
}

bool listMatches(const std::vector<std::string>& allowed, const std::string& value) {
  return std::find(allowed.begin(), allowed.end(), "*") != allowed.end() ||
         std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::vector<std::string> strings(const nlohmann::json& rule, const char* field, const std::string& origin) {
  if (!rule.contains(field)) return {};
  try {
    return rule[field].get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    throw ConfigError(origin, std::string(field) + " must be a list of strings");
  }
}

}  // namespace

void TokenAuthenticator::loadCsv(const std::string& text, const std::string& origin) {
  std::stringstream in(text);
  int lineNumber = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineNumber;
    if (line.empty() || line[0] == '#') continue;
    const auto fields = parseCsvLine(line);
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty()) {
      throw ConfigError(origin + ":" + std::to_string(lineNumber), "expected token,user,uid[,\"group1,group2\"]");
    }
    add(fields[0],
        Identity{fields[1], fields[2], fields.size() > 3 ? splitGroups(fields[3]) : std::vector<std::string>{}});
  }
}

void TokenAuthenticator::add(const std::string& token, Identity identity, std::optional<TimePoint> expires) {
  std::lock_guard lock(mutex_);
  tokens_[token] = Entry{std::move(identity), expires};
}

std::optional<Identity> TokenAuthenticator::authenticate(const std::string& token, TimePoint now) const {
  std::lock_guard lock(mutex_);
  const auto it = tokens_.find(token);
  if (it == tokens_.end() || (it->second.expires && *it->second.expires <= now)) return std::nullopt;
  return it->second.identity;
}

Authorizer Authorizer::fromJson(const nlohmann::json& document, const std::string& origin) {
  Authorizer authorizer;
  authorizer.allowAll_ = false;
  if (!document.is_object() || !document.contains("rules") || !document["rules"].is_array()) {
    throw ConfigError(origin, "expected an object with a \"rules\" list");
  }
  for (const auto& rule : document["rules"]) {
    Rule parsed;
    parsed.user = rule.value("user", "");
    parsed.group = rule.value("group", "");
    if (parsed.user.empty() == parsed.group.empty())
      throw ConfigError(origin, "each rule names exactly one user or group");
    parsed.verbs = strings(rule, "verbs", origin);
    parsed.groups = strings(rule, "groups", origin);
    parsed.resources = strings(rule, "resources", origin);
    parsed.subresources = strings(rule, "subresources", origin);
    parsed.hasSubresources = rule.contains("subresources");
    parsed.resourceNames = strings(rule, "resourceNames", origin);
    parsed.namespaces = strings(rule, "namespaces", origin);
    authorizer.rules_.push_back(std::move(parsed));
  }
  return authorizer;
}

bool Authorizer::ruleMatches(const Rule& rule, const Identity& who, const Attributes& what) {
  const bool subject = rule.user.empty()
                           ? std::find(who.groups.begin(), who.groups.end(), rule.group) != who.groups.end()
                           : rule.user == who.user;
  if (!subject || !listMatches(rule.verbs, what.verb) || !listMatches(rule.groups, what.group)) return false;
  bool resourceOk = false;
  if (rule.hasSubresources) {
    resourceOk = listMatches(rule.resources, what.resource) && listMatches(rule.subresources, what.subresource);
  } else {
    const std::string full = what.subresource.empty() ? what.resource : what.resource + "/" + what.subresource;
    resourceOk = listMatches(rule.resources, full) ||
                 (!what.subresource.empty() && listMatches(rule.resources, what.resource + "/*"));
  }
  if (!resourceOk) return false;
  // Like RBAC, resourceNames cannot restrict list/watch/create of unnamed requests.
  if (!rule.resourceNames.empty() && !listMatches(rule.resourceNames, what.name)) return false;
  return rule.namespaces.empty() || listMatches(rule.namespaces, what.ns);
}

bool Authorizer::allowed(const Identity& who, const Attributes& what) const {
  if (allowAll_) return true;
  if (std::find(who.groups.begin(), who.groups.end(), "system:masters") != who.groups.end()) return true;
  return std::any_of(rules_.begin(), rules_.end(), [&](const Rule& r) { return ruleMatches(r, who, what); });
}

}  // namespace fivespot::testserver
