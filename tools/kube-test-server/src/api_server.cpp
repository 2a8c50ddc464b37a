#include "fivespot/testserver/api_server.hpp"

#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "api_server_impl.hpp"
#include "fivespot/testserver/rbac.hpp"

namespace fivespot::testserver {
namespace {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream in(path);
  for (std::string part; std::getline(in, part, '/');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

bool isMember(const Identity& who, const std::string& group) {
  return std::find(who.groups.begin(), who.groups.end(), group) != who.groups.end();
}

std::string verbFor(const ApiRequest& request, bool named) {
  const std::string& m = request.method;
  if (m == "GET" || m == "HEAD") {
    if (named) return "get";
    const auto w = request.query.find("watch");
    return w != request.query.end() && (w->second == "true" || w->second == "1") ? "watch" : "list";
  }
  if (m == "POST") return "create";
  if (m == "PUT") return "update";
  if (m == "PATCH") return "patch";
  if (m == "DELETE") return named ? "delete" : "deletecollection";
  throw ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

ApiResponse textResponse(const std::string& text) {
  ApiResponse response;
  response.contentType = "text/plain; charset=utf-8";
  response.body = text;
  return response;
}

ApiError forbidden(const Identity& who, const ResourceRequest& rr) {
  const std::string resource = rr.subresource.empty() ? rr.info.resource : rr.info.resource + "/" + rr.subresource;
  const std::string subject = rr.groupResource().qualified() + (rr.name.empty() ? "" : " \"" + rr.name + "\"");
  const std::string scope = rr.ns.empty() ? "at the cluster scope" : "in the namespace \"" + rr.ns + "\"";
  return ApiError(403, "Forbidden",
                  subject + " is forbidden: User \"" + who.user + "\" cannot " + rr.verb + " resource \"" + resource +
                      "\" in API group \"" + rr.info.group + "\" " + scope,
                  {{"name", rr.name}, {"group", rr.info.group}, {"kind", rr.info.resource}});
}

}  // namespace

bool ResourceRequest::statusSplit() const {
  const VersionInfo* v = info.version(version);
  return v != nullptr && v->statusSubresource;
}

nlohmann::json parseBody(const std::string& body) {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw badRequest(std::string("the request body is not valid JSON: ") + e.what());
  }
}

ApiResponse jsonResponse(int status, const nlohmann::json& body) {
  ApiResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

nlohmann::json withTypeMeta(nlohmann::json object, const ResourceInfo& info, const std::string& version) {
  object["apiVersion"] = info.apiVersion(version);
  object["kind"] = info.kind;
  return object;
}

std::string metadataString(const nlohmann::json& object, const char* field) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  const auto value = meta->find(field);
  return value != meta->end() && value->is_string() ? value->get<std::string>() : std::string();
}

ApiServer::Impl::Impl(ApiServerOptions opts)
    : options(std::move(opts)), store(options.watchCacheSize, options.dataFile) {}

void ApiServer::Impl::start() {
  store.load();
  auto tx = store.begin();
  for (const auto& crd : tx.list("apiextensions.k8s.io/customresourcedefinitions", ""))
    registry.put(resourceFromCrd(crd));
  const auto namespaces = *registry.findById("/namespaces");
  for (const char* name : {"default", "kube-system"}) {
    if (tx.get("/namespaces", "", name)) continue;
    ResourceRequest rr{"create", "", name, "", "v1", namespaces};
    createObject(tx, rr, {{"metadata", {{"name", name}}}});
  }
  tx.commit();
}

void ApiServer::Impl::installCrd(const nlohmann::json& crd) {
  const auto crds = *registry.findById("apiextensions.k8s.io/customresourcedefinitions");
  const std::string name = metadataString(crd, "name");
  ResourceRequest rr{"create", "", name, "", "v1", crds};
  auto tx = store.begin();
  if (auto existing = tx.get(crds.id(), "", name)) {
    nlohmann::json incoming = crd;
    incoming["metadata"]["resourceVersion"] = metadataString(*existing, "resourceVersion");
    updateObject(tx, rr, *existing, std::move(incoming));
  } else {
    createObject(tx, rr, crd);
  }
  tx.commit();
}

ApiResponse ApiServer::Impl::handle(const ApiRequest& request) {
  try {
    if (const auto delay = faultInjector.delay(); delay.count() > 0) std::this_thread::sleep_for(delay);
    const Identity who = authenticate(request);
    return route(request, who);
  } catch (const ApiError& e) {
    return jsonResponse(e.code(), e.toStatus());
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", request.method, request.path, e.what());
    return jsonResponse(500,
                        ApiError(500, "InternalError", std::string("Internal error occurred: ") + e.what()).toStatus());
  }
}

Identity ApiServer::Impl::authenticate(const ApiRequest& request) const {
  static const std::string kBearer = "Bearer ";
  if (request.authorization.rfind(kBearer, 0) == 0) {
    auto identity = tokenAuthenticator.authenticate(request.authorization.substr(kBearer.size()), options.clock->now());
    if (!identity) throw unauthorized();
    identity->groups.push_back("system:authenticated");
    return *identity;
  }
  if (request.clientCertificate) {
    Identity identity = *request.clientCertificate;
    identity.groups.push_back("system:authenticated");
    return identity;
  }
  throw unauthorized();
}

ApiResponse ApiServer::Impl::route(const ApiRequest& request, const Identity& who) {
  if (auto response = nonResource(request, who)) return std::move(*response);
  const ResourceRequest rr = resolve(request);
  authorize(who, rr);
  const std::string resource = rr.subresource.empty() ? rr.info.resource : rr.info.resource + "/" + rr.subresource;
  if (const auto code = faultInjector.takeFailure(rr.verb, resource)) {
    throw ApiError(*code, reasonForCode(*code), "injected fault: " + rr.verb + " " + resource);
  }
  return dispatch(request, rr);
}

std::optional<ApiResponse> ApiServer::Impl::nonResource(const ApiRequest& request, const Identity& who) {
  const auto parts = splitPath(request.path);
  const std::string& path = request.path;
  if (path == "/healthz" || path == "/readyz" || path == "/livez") return textResponse("ok");
  if (path == "/version") {
    return jsonResponse(200, {{"major", "1"},
                              {"minor", "32"},
                              {"gitVersion", "v1.32.0-fivespot-test"},
                              {"gitCommit", ""},
                              {"gitTreeState", "clean"},
                              {"buildDate", "2026-01-01T00:00:00Z"},
                              {"goVersion", "go1.23"},
                              {"compiler", "gc"},
                              {"platform", "linux/amd64"}});
  }
  if (!parts.empty() && parts[0] == "fault") return fault(request, who);
  if (!parts.empty() && parts[0] == "openapi") return openApi(parts);
  if (parts.size() == 1 && parts[0] == "api") return jsonResponse(200, registry.coreVersions());
  if (parts.size() == 1 && parts[0] == "apis") return jsonResponse(200, registry.groupList());
  const bool core = !parts.empty() && parts[0] == "api";
  if ((core && parts.size() == 2) || (!core && parts.size() == 3 && parts[0] == "apis")) {
    const auto doc = core ? registry.resourceList("", parts[1]) : registry.resourceList(parts[1], parts[2]);
    if (!doc) throw ApiError(404, "NotFound", "the server could not find the requested resource");
    return jsonResponse(200, *doc);
  }
  if (parts.size() == 2 && parts[0] == "apis") {
    const auto doc = registry.group(parts[1]);
    if (!doc) throw ApiError(404, "NotFound", "the server could not find the requested resource");
    return jsonResponse(200, *doc);
  }
  return std::nullopt;
}

// kubectl validates manifests against /openapi/v3 before sending them. Each group-version document
// declares every kind as an object preserving unknown fields: kubectl's client-side validation then
// accepts any manifest, and the server's own rules (and CRD schemas' defaults) still apply.
std::optional<ApiResponse> ApiServer::Impl::openApi(const std::vector<std::string>& parts) const {
  if (parts.size() == 2 && parts[1] == "v2") {
    // kubectl's client-side validation reads /openapi/v2 as protobuf and skips kinds it does not
    // find; an otherwise empty document {swagger: "2.0"} (field 1) therefore validates everything.
    ApiResponse response;
    response.contentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
    response.body = std::string(
        "\x0a\x03"
        "2.0",
        5);
    return response;
  }
  if (parts.size() < 2 || parts[1] != "v3") return std::nullopt;
  if (parts.size() == 2) {
    nlohmann::json paths = nlohmann::json::object();
    for (const auto& r : registry.all()) {
      for (const auto& v : r.versions) {
        if (!v.served) continue;
        const std::string path = r.group.empty() ? "api/" + v.name : "apis/" + r.group + "/" + v.name;
        paths[path] = {{"serverRelativeURL", "/openapi/v3/" + path}};
      }
    }
    return jsonResponse(200, {{"paths", paths}});
  }
  const bool core = parts[2] == "api";
  const std::string group = core ? "" : (parts.size() > 3 ? parts[3] : "");
  const std::string version = core ? (parts.size() > 3 ? parts[3] : "") : (parts.size() > 4 ? parts[4] : "");
  nlohmann::json schemas = nlohmann::json::object();
  for (const auto& r : registry.all()) {
    if (r.group != group || r.version(version) == nullptr) continue;
    const std::string name = (group.empty() ? "io.k8s.api.core" : group) + "." + version + "." + r.kind;
    schemas[name] = {{"type", "object"},
                     {"x-kubernetes-preserve-unknown-fields", true},
                     {"x-kubernetes-group-version-kind", {{{"group", group}, {"version", version}, {"kind", r.kind}}}}};
  }
  if (schemas.empty()) throw ApiError(404, "NotFound", "the server could not find the requested resource");
  return jsonResponse(200, {{"openapi", "3.0.0"},
                            {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
                            {"paths", nlohmann::json::object()},
                            {"components", {{"schemas", schemas}}}});
}

ResourceRequest ApiServer::Impl::resolve(const ApiRequest& request) const {
  auto parts = splitPath(request.path);
  static const ApiError kNoRoute(404, "NotFound", "the server could not find the requested resource");
  std::string group;
  std::string version;
  if (parts.size() >= 3 && parts[0] == "api") {
    version = parts[1];
    parts.erase(parts.begin(), parts.begin() + 2);
  } else if (parts.size() >= 4 && parts[0] == "apis") {
    group = parts[1];
    version = parts[2];
    parts.erase(parts.begin(), parts.begin() + 3);
  } else {
    throw kNoRoute;
  }
  ResourceRequest rr;
  rr.version = version;
  // Like kube-apiserver: /namespaces/<ns>/<resource>... unless <x> is a namespace subresource.
  if (parts.size() >= 3 && parts[0] == "namespaces" && parts[2] != "status" && parts[2] != "finalize") {
    rr.ns = parts[1];
    parts.erase(parts.begin(), parts.begin() + 2);
  }
  if (parts.empty() || parts.size() > 3) throw kNoRoute;
  auto info = registry.find(group, version, parts[0]);
  if (!info) throw kNoRoute;
  rr.info = std::move(*info);
  if (parts.size() >= 2) rr.name = parts[1];
  if (parts.size() == 3) rr.subresource = parts[2];
  if (!rr.info.namespaced && !rr.ns.empty()) throw kNoRoute;
  rr.verb = verbFor(request, !rr.name.empty());
  return rr;
}

void ApiServer::Impl::authorize(const Identity& who, const ResourceRequest& rr) {
  const Attributes attributes{rr.verb, rr.info.group, rr.info.resource, rr.subresource, rr.name, rr.ns};
  if (!allowed(who, attributes)) throw forbidden(who, rr);
}

// Without RBAC the allow list decides (by default everyone). With RBAC, like kube-apiserver's
// authorizer chain: system:masters, then the allow list when one was given, then the stored RBAC
// objects, read afresh so that a new binding takes effect on the next request.
bool ApiServer::Impl::allowed(const Identity& who, const Attributes& what) {
  if (!rbacEnabled) return authorizer.allowed(who, what);
  if (isMember(who, "system:masters")) return true;
  if (allowListSet && authorizer.allowed(who, what)) return true;
  RbacPolicy policy;
  {
    auto tx = store.begin();
    policy.roles = tx.list("rbac.authorization.k8s.io/roles", "");
    policy.roleBindings = tx.list("rbac.authorization.k8s.io/rolebindings", "");
    policy.clusterRoles = tx.list("rbac.authorization.k8s.io/clusterroles", "");
    policy.clusterRoleBindings = tx.list("rbac.authorization.k8s.io/clusterrolebindings", "");
  }
  return rbacAllows(policy, who, what);
}

ApiResponse ApiServer::Impl::fault(const ApiRequest& request, const Identity& who) {
  if (who.user != "admin" && !isMember(who, "system:masters")) {
    throw ApiError(403, "Forbidden", "fault injection is only for the admin user");
  }
  const auto parts = splitPath(request.path);
  const std::string action = parts.size() >= 2 ? parts[1] : "";
  if (request.method == "DELETE" && action.empty()) {
    faultInjector.clear();
  } else if (request.method != "POST") {
    throw ApiError(405, "MethodNotAllowed", "fault injection takes POST (or DELETE /fault to clear)");
  } else if (action == "fail") {
    const auto body = parseBody(request.body);
    faultInjector.failNext(
        {body.value("verb", ""), body.value("resource", ""), body.value("count", 1), body.value("code", 500)});
  } else if (action == "delay") {
    faultInjector.setDelay(std::chrono::milliseconds(parseBody(request.body).value("milliseconds", 0)));
  } else if (action == "drop-watches") {
    store.dropWatches();
  } else if (action == "compact") {
    store.compact();
  } else {
    throw ApiError(404, "NotFound", "unknown fault \"" + action + "\": use fail, delay, drop-watches or compact");
  }
  spdlog::info("fault injection: {} {} {}", request.method, request.path, request.body);
  return jsonResponse(200, {{"kind", "Status"},
                            {"apiVersion", "v1"},
                            {"metadata", nlohmann::json::object()},
                            {"status", "Success"},
                            {"code", 200}});
}

ApiServer::ApiServer(ApiServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
ApiServer::~ApiServer() = default;
void ApiServer::start() {
  impl_->start();
}
void ApiServer::installCrd(const nlohmann::json& crd) {
  impl_->installCrd(crd);
}
void ApiServer::setAuthorizer(Authorizer authorizer) {
  impl_->authorizer = std::move(authorizer);
  impl_->allowListSet = true;
}
void ApiServer::enableRbac() {
  impl_->rbacEnabled = true;
}
TokenAuthenticator& ApiServer::tokens() {
  return impl_->tokenAuthenticator;
}
FaultInjector& ApiServer::faults() {
  return impl_->faultInjector;
}
ApiResponse ApiServer::handle(const ApiRequest& request) {
  return impl_->handle(request);
}
void ApiServer::shutdown() {
  impl_->store.close();
}

}  // namespace fivespot::testserver
