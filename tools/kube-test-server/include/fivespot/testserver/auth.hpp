#pragma once
// Authentication (static bearer tokens, issued service-account tokens) and an RBAC-like allow list.
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/common/clock.hpp"
#include "fivespot/testserver/types.hpp"

namespace fivespot::testserver {

class TokenAuthenticator {
 public:
  // kube-apiserver's --token-auth-file format: token,user,uid,"group1,group2" per line.
  // Throws ConfigError naming the line.
  void loadCsv(const std::string& text, const std::string& origin);
  void add(const std::string& token, Identity identity, std::optional<TimePoint> expires = std::nullopt);
  [[nodiscard]] std::optional<Identity> authenticate(const std::string& token, TimePoint now) const;

 private:
  struct Entry {
    Identity identity;
    std::optional<TimePoint> expires;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> tokens_;
};

// What a request wants to do, in RBAC's terms.
struct Attributes {
  std::string verb;  // get, list, watch, create, update, patch, delete, deletecollection
  std::string group;
  std::string resource;
  std::string subresource;
  std::string name;
  std::string ns;
};

// Allow list loaded from --authz-file (JSON or YAML):
//   rules:
//   - user: alice            # or group: some-group
//     verbs: [get, patch]      # "*" matches any
//     groups: ["5spot.finos.org"]
//     resources: ["hostagents/status"]   # "res", "res/sub", "*" or "res/*"
//     subresources: ["status"]           # optional alternative to "res/sub"; "" = the main resource
//     resourceNames: ["host-1"]          # optional
//     namespaces: ["default"]            # optional
// Members of system:masters may do anything, like in a real cluster.
class Authorizer {
 public:
  Authorizer() = default;  // allows every authenticated user
  static Authorizer fromJson(const nlohmann::json& document, const std::string& origin);  // throws ConfigError
  [[nodiscard]] bool allowed(const Identity& who, const Attributes& what) const;

 private:
  struct Rule {
    std::string user;
    std::string group;
    std::vector<std::string> verbs, groups, resources, subresources, resourceNames, namespaces;
    bool hasSubresources = false;
  };
  [[nodiscard]] static bool ruleMatches(const Rule& rule, const Identity& who, const Attributes& what);
  bool allowAll_ = true;
  std::vector<Rule> rules_;
};

}  // namespace fivespot::testserver
