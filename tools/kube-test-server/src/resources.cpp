// Object semantics as kube-apiserver implements them: create/update/patch/delete rules, status
// split, generation, finalizers, graceful pod deletion, CRD registration, Eviction and TokenRequest.
#include <algorithm>
#include <random>
#include <regex>

#include "api_server_impl.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/testserver/disruption.hpp"
#include "fivespot/testserver/patch.hpp"
#include "fivespot/testserver/schema_defaults.hpp"
#include "fivespot/testserver/selectors.hpp"

namespace fivespot::testserver {
namespace {

const char* const kCrdId = "apiextensions.k8s.io/customresourcedefinitions";

std::string randomHex(std::size_t length) {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += digits[engine() % 16];
  return out;
}

std::string newUid() {
  std::string hex = randomHex(32);
  hex[12] = '4';  // version 4
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

std::string randomSuffix() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  static const char* alphabet = "bcdfghjklmnpqrstvwxz2456789";  // the alphabet of k8s utilrand.String
  std::string out;
  for (int i = 0; i < 5; ++i) out += alphabet[engine() % 27];
  return out;
}

ApiResponse successStatus(int code) {
  return jsonResponse(code, {{"kind", "Status"},
                             {"apiVersion", "v1"},
                             {"metadata", nlohmann::json::object()},
                             {"status", "Success"},
                             {"code", code}});
}

// The object without the parts whose changes do not bump metadata.generation.
nlohmann::json generationRelevant(nlohmann::json object) {
  object.erase("metadata");
  object.erase("status");
  return object;
}

std::vector<std::string> finalizers(const nlohmann::json& object) {
  return object.value("/metadata/finalizers"_json_pointer, std::vector<std::string>());
}

DeleteOptionsView deleteOptions(const ApiRequest& request, const nlohmann::json& body) {
  DeleteOptionsView view;
  if (body.is_object()) {
    if (body.contains("gracePeriodSeconds") && body["gracePeriodSeconds"].is_number_integer())
      view.gracePeriodSeconds = body["gracePeriodSeconds"].get<long long>();
    view.preconditionUid = body.value("/preconditions/uid"_json_pointer, std::string());
    view.preconditionResourceVersion = body.value("/preconditions/resourceVersion"_json_pointer, std::string());
  }
  if (const auto q = request.query.find("gracePeriodSeconds"); q != request.query.end()) {
    try {
      view.gracePeriodSeconds = std::stoll(q->second);
    } catch (const std::exception&) {
      throw badRequest("invalid gracePeriodSeconds \"" + q->second + "\"");
    }
  }
  return view;
}

void validateName(const ResourceRequest& rr, const std::string& name) {
  static const std::regex subdomain(R"(^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)");
  if (name.size() > 253 || !std::regex_match(name, subdomain)) {
    throw invalid(rr.info.kind, rr.info.group, name, "metadata.name", "FieldValueInvalid",
                  "Invalid value: \"" + name +
                      "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                      "'.', and must start and end with an alphanumeric character");
  }
}

}  // namespace

ApiResponse ApiServer::Impl::dispatch(const ApiRequest& request, const ResourceRequest& rr) {
  const std::string& sub = rr.subresource;
  if (sub == "eviction" && rr.info.id() == "/pods" && rr.verb == "create") return evict(request, rr);
  if (sub == "token" && rr.info.id() == "/serviceaccounts" && rr.verb == "create") return requestToken(request, rr);
  if (!sub.empty() && !(sub == "status" && rr.statusSplit())) {
    throw ApiError(404, "NotFound", "the server could not find the requested resource");
  }
  if (rr.verb == "get") return get(rr);
  if (rr.verb == "list") return list(request, rr);
  if (rr.verb == "watch") return watch(request, rr);
  if (!sub.empty() && rr.verb != "update" && rr.verb != "patch") throw methodNotAllowed(rr.verb, rr.groupResource());
  if (rr.verb == "create") return create(request, rr);
  if (rr.verb == "update") return update(request, rr);
  if (rr.verb == "patch") return patch(request, rr);
  if (rr.verb == "delete") return remove(request, rr);
  return removeCollection(request, rr);
}

ApiResponse ApiServer::Impl::get(const ResourceRequest& rr) {
  auto tx = store.begin();
  const auto object = tx.get(rr.info.id(), rr.ns, rr.name);
  if (!object) throw notFound(rr.groupResource(), rr.name);
  return jsonResponse(200, withTypeMeta(*object, rr.info, rr.version));
}

void ApiServer::Impl::requireNamespace(Store::Transaction& tx, const ResourceRequest& rr) const {
  if (rr.info.namespaced && !tx.get("/namespaces", "", rr.ns)) throw notFound({"", "namespaces"}, rr.ns);
}

ApiResponse ApiServer::Impl::create(const ApiRequest& request, const ResourceRequest& rr) {
  nlohmann::json object = parseBody(request.body);
  if (!object.is_object()) throw badRequest("the request body must be an object");
  auto tx = store.begin();
  auto created = createObject(tx, rr, std::move(object));
  tx.commit();
  return jsonResponse(201, withTypeMeta(std::move(created), rr.info, rr.version));
}

nlohmann::json ApiServer::Impl::createObject(Store::Transaction& tx, const ResourceRequest& rr, nlohmann::json object) {
  auto& meta = object["metadata"];
  if (!meta.is_object()) meta = nlohmann::json::object();
  if (rr.info.namespaced) {
    const std::string bodyNs = meta.value("namespace", "");
    if (!bodyNs.empty() && bodyNs != rr.ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = rr.ns;
  } else {
    meta.erase("namespace");
  }
  std::string name = meta.value("name", "");
  if (name.empty() && !meta.value("generateName", "").empty()) name = meta.value("generateName", "") + randomSuffix();
  if (name.empty()) {
    throw invalid(rr.info.kind, rr.info.group, "", "metadata.name", "FieldValueRequired",
                  "Required value: name or generateName is required");
  }
  validateName(rr, name);
  requireNamespace(tx, rr);
  if (tx.get(rr.info.id(), rr.ns, name)) throw alreadyExists(rr.groupResource(), name);
  meta["name"] = name;
  meta["uid"] = newUid();
  meta["creationTimestamp"] = formatRfc3339(options.clock->now());
  meta["generation"] = 1;
  for (const char* field : {"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"})
    meta.erase(field);
  object = withTypeMeta(std::move(object), rr.info, rr.info.storageVersion().name);

  const std::string id = rr.info.id();
  if (rr.info.custom && rr.statusSplit()) object.erase("status");
  if (id == "/pods") {
    // The pod strategy resets status and defaults what kubelets and evictions depend on.
    object["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
    if (!object["spec"].contains("terminationGracePeriodSeconds")) object["spec"]["terminationGracePeriodSeconds"] = 30;
  } else if (id == "/namespaces") {
    object["status"] = {{"phase", "Active"}};
  } else if (id == "policy/poddisruptionbudgets") {
    object["status"] = {{"disruptionsAllowed", 0}, {"currentHealthy", 0}, {"desiredHealthy", 0}, {"expectedPods", 0}};
  } else if (id == kCrdId) {
    const ResourceInfo defined = resourceFromCrd(object);
    object["status"] = {{"acceptedNames", object["spec"]["names"]},
                        {"storedVersions", {defined.storageVersion().name}},
                        {"conditions",
                         {{{"type", "NamesAccepted"},
                           {"status", "True"},
                           {"reason", "NoConflicts"},
                           {"lastTransitionTime", meta["creationTimestamp"]}},
                          {{"type", "Established"},
                           {"status", "True"},
                           {"reason", "InitialNamesAccepted"},
                           {"lastTransitionTime", meta["creationTimestamp"]}}}}};
  }
  if (const VersionInfo* v = rr.info.version(rr.version); rr.info.custom && v != nullptr)
    applySchemaDefaults(object, v->schema);
  auto stored = tx.create(id, std::move(object));
  afterWrite(tx, rr.info, stored, false);
  return stored;
}

ApiResponse ApiServer::Impl::update(const ApiRequest& request, const ResourceRequest& rr) {
  nlohmann::json incoming = parseBody(request.body);
  if (!incoming.is_object()) throw badRequest("the request body must be an object");
  const std::string bodyName = metadataString(incoming, "name");
  if (!bodyName.empty() && bodyName != rr.name) {
    throw badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + rr.name + ")");
  }
  auto tx = store.begin();
  const auto existing = tx.get(rr.info.id(), rr.ns, rr.name);
  if (!existing) throw notFound(rr.groupResource(), rr.name);
  const std::string rv = metadataString(incoming, "resourceVersion");
  if (!rv.empty() && rv != metadataString(*existing, "resourceVersion"))
    throw staleResourceVersion(rr.groupResource(), rr.name);
  auto stored = updateObject(tx, rr, *existing, std::move(incoming));
  tx.commit();
  return jsonResponse(200, withTypeMeta(std::move(stored), rr.info, rr.version));
}

ApiResponse ApiServer::Impl::patch(const ApiRequest& request, const ResourceRequest& rr) {
  const PatchKind kind = patchKindFromContentType(request.contentType);
  if (kind == PatchKind::StrategicMerge && rr.info.custom) {
    throw ApiError(415, "UnsupportedMediaType",
                   "the body of the request was in an unknown format - accepted media types include: "
                   "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  }
  if (kind == PatchKind::Apply) {
    const auto manager = request.query.find("fieldManager");
    if (manager == request.query.end() || manager->second.empty()) {
      throw invalid("PatchOptions", "meta.k8s.io", "", "fieldManager", "FieldValueRequired",
                    "Required value: is required for apply patch");
    }
  }
  auto tx = store.begin();
  const auto existing = tx.get(rr.info.id(), rr.ns, rr.name);
  if (!existing) {
    if (kind != PatchKind::Apply || !rr.subresource.empty()) throw notFound(rr.groupResource(), rr.name);
    nlohmann::json object = applyPatch(kind, nullptr, request.body);
    object["metadata"]["name"] = rr.name;
    auto created = createObject(tx, rr, std::move(object));
    tx.commit();
    return jsonResponse(201, withTypeMeta(std::move(created), rr.info, rr.version));
  }
  nlohmann::json patched = applyPatch(kind, withTypeMeta(*existing, rr.info, rr.version), request.body);
  if (!patched.is_object()) throw badRequest("the patch does not result in an object");
  const std::string rv = metadataString(patched, "resourceVersion");
  if (!rv.empty() && rv != metadataString(*existing, "resourceVersion"))
    throw staleResourceVersion(rr.groupResource(), rr.name);
  if (metadataString(patched, "name") != rr.name) throw badRequest("metadata.name cannot be changed by a patch");
  auto stored = updateObject(tx, rr, *existing, std::move(patched));
  tx.commit();
  return jsonResponse(200, withTypeMeta(std::move(stored), rr.info, rr.version));
}

nlohmann::json ApiServer::Impl::updateObject(Store::Transaction& tx, const ResourceRequest& rr,
                                             const nlohmann::json& existing, nlohmann::json incoming) {
  nlohmann::json result;
  if (rr.subresource == "status") {
    // A status write changes nothing but status.
    result = existing;
    if (incoming.contains("status")) {
      result["status"] = incoming["status"];
    } else {
      result.erase("status");
    }
  } else {
    result = std::move(incoming);
    if (rr.statusSplit()) {
      if (existing.contains("status")) {
        result["status"] = existing["status"];
      } else {
        result.erase("status");
      }
    }
    if (!result["metadata"].is_object()) result["metadata"] = nlohmann::json::object();
    for (const char* field : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                              "deletionGracePeriodSeconds", "generation", "generateName"}) {
      if (existing["metadata"].contains(field)) {
        result["metadata"][field] = existing["metadata"][field];
      } else {
        result["metadata"].erase(field);
      }
    }
  }
  result = withTypeMeta(std::move(result), rr.info, rr.info.storageVersion().name);
  if (const VersionInfo* v = rr.info.version(rr.version); rr.info.custom && v != nullptr)
    applySchemaDefaults(result, v->schema);

  if (isTerminating(existing)) {
    const auto before = finalizers(existing);
    for (const auto& f : finalizers(result)) {
      if (std::find(before.begin(), before.end(), f) == before.end()) {
        throw invalid(rr.info.kind, rr.info.group, rr.name, "metadata.finalizers", "FieldValueForbidden",
                      "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers "
                      "[\"" +
                          f + "\"]");
      }
    }
  }
  // Without a status subresource, status is ordinary content for generation purposes.
  const bool specChanged = rr.statusSplit() ? generationRelevant(result) != generationRelevant(existing) : [&] {
    auto a = result;
    auto b = existing;
    a.erase("metadata");
    b.erase("metadata");
    return a != b;
  }();
  if (specChanged) result["metadata"]["generation"] = existing["metadata"].value("generation", 0) + 1;
  if (rr.info.id() == kCrdId) resourceFromCrd(result);  // validates before anything is written

  result["metadata"]["resourceVersion"] = existing["metadata"]["resourceVersion"];
  if (result == existing) return existing;  // like the real server, a no-op write is not a write
  if (isTerminating(result) && finalizers(result).empty() &&
      result.value("/metadata/deletionGracePeriodSeconds"_json_pointer, 0LL) == 0) {
    auto last = tx.remove(rr.info.id(), std::move(result));
    afterWrite(tx, rr.info, last, true);
    return last;
  }
  auto stored = tx.update(rr.info.id(), std::move(result));
  afterWrite(tx, rr.info, stored, false);
  return stored;
}

ApiResponse ApiServer::Impl::remove(const ApiRequest& request, const ResourceRequest& rr) {
  const nlohmann::json body = request.body.empty() ? nlohmann::json() : parseBody(request.body);
  const DeleteOptionsView deletion = deleteOptions(request, body);
  auto tx = store.begin();
  const auto existing = tx.get(rr.info.id(), rr.ns, rr.name);
  if (!existing) throw notFound(rr.groupResource(), rr.name);
  auto result = deleteObject(tx, rr.info, *existing, deletion);
  tx.commit();
  return jsonResponse(200, withTypeMeta(std::move(result), rr.info, rr.version));
}

ApiResponse ApiServer::Impl::removeCollection(const ApiRequest& request, const ResourceRequest& rr) {
  const nlohmann::json body = request.body.empty() ? nlohmann::json() : parseBody(request.body);
  const DeleteOptionsView deletion = deleteOptions(request, body);
  const auto labels =
      LabelSelector::parse(request.query.count("labelSelector") ? request.query.at("labelSelector") : "");
  const auto fields =
      FieldSelector::parse(request.query.count("fieldSelector") ? request.query.at("fieldSelector") : "");
  auto tx = store.begin();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& object : tx.list(rr.info.id(), rr.ns)) {
    if (!labels.matches(object.value("/metadata/labels"_json_pointer, nlohmann::json())) || !fields.matches(object))
      continue;
    items.push_back(withTypeMeta(deleteObject(tx, rr.info, object, deletion), rr.info, rr.version));
  }
  tx.commit();
  return jsonResponse(200, {{"kind", rr.info.listKind},
                            {"apiVersion", rr.info.apiVersion(rr.version)},
                            {"metadata", {{"resourceVersion", std::to_string(store.resourceVersion())}}},
                            {"items", items}});
}

nlohmann::json ApiServer::Impl::deleteObject(Store::Transaction& tx, const ResourceInfo& info,
                                             const nlohmann::json& existing, const DeleteOptionsView& deletion) {
  const GroupResource gr{info.group, info.resource};
  const std::string name = metadataString(existing, "name");
  const std::string uid = metadataString(existing, "uid");
  const std::string rv = metadataString(existing, "resourceVersion");
  if (!deletion.preconditionUid.empty() && deletion.preconditionUid != uid) {
    throw conflict(
        gr, name,
        "Precondition failed: UID in precondition: " + deletion.preconditionUid + ", UID in object meta: " + uid);
  }
  if (!deletion.preconditionResourceVersion.empty() && deletion.preconditionResourceVersion != rv) {
    throw conflict(gr, name,
                   "Precondition failed: ResourceVersion in precondition: " + deletion.preconditionResourceVersion +
                       ", ResourceVersion in object meta: " + rv);
  }
  long long grace = 0;
  if (info.id() == "/pods") {
    // Graceful deletion: a pod on a node stays (terminating) until its kubelet confirms with grace 0.
    grace =
        deletion.gracePeriodSeconds.value_or(existing.value("/spec/terminationGracePeriodSeconds"_json_pointer, 30LL));
    const std::string phase = existing.value("/status/phase"_json_pointer, std::string());
    if (existing.value("/spec/nodeName"_json_pointer, std::string()).empty() || phase == "Succeeded" ||
        phase == "Failed")
      grace = 0;
    if (grace < 0) grace = 1;
  }
  if (grace == 0 && finalizers(existing).empty()) {
    auto last = tx.remove(info.id(), existing);
    afterWrite(tx, info, last, true);
    return last;
  }
  nlohmann::json updated = existing;
  auto& meta = updated["metadata"];
  if (isTerminating(existing)) {
    // A second delete may only shorten the grace period.
    if (meta.value("deletionGracePeriodSeconds", 0LL) <= grace) return existing;
  } else {
    meta["generation"] = meta.value("generation", 0) + 1;
  }
  meta["deletionTimestamp"] = formatRfc3339(options.clock->now() + std::chrono::seconds(grace));
  meta["deletionGracePeriodSeconds"] = grace;
  auto stored = tx.update(info.id(), std::move(updated));
  afterWrite(tx, info, stored, false);
  return stored;
}

void ApiServer::Impl::afterWrite(Store::Transaction& tx, const ResourceInfo& info, const nlohmann::json& object,
                                 bool deleted) {
  if (info.id() == kCrdId) {
    const ResourceInfo defined = resourceFromCrd(object);
    if (!deleted) {
      registry.put(defined);
      return;
    }
    // Deleting a CRD deletes its custom resources (finalizers on them are not waited for).
    for (auto& resource : tx.list(defined.id(), "")) tx.remove(defined.id(), std::move(resource));
    registry.remove(defined.id());
  } else if (info.id() == "/namespaces" && deleted) {
    // The namespace controller's job, done at once: everything in the namespace is deleted.
    const std::string ns = metadataString(object, "name");
    for (const auto& type : registry.all()) {
      if (!type.namespaced) continue;
      for (const auto& resource : tx.list(type.id(), ns)) {
        DeleteOptionsView immediately;
        immediately.gracePeriodSeconds = 0;
        deleteObject(tx, type, resource, immediately);
      }
    }
  }
}

ApiResponse ApiServer::Impl::evict(const ApiRequest& request, const ResourceRequest& rr) {
  const nlohmann::json eviction = request.body.empty() ? nlohmann::json::object() : parseBody(request.body);
  const DeleteOptionsView deletion = deleteOptions(ApiRequest{}, eviction.value("deleteOptions", nlohmann::json()));
  const ResourceInfo pods = rr.info;
  const ResourceInfo pdbs = *registry.findById("policy/poddisruptionbudgets");
  auto tx = store.begin();
  const auto pod = tx.get("/pods", rr.ns, rr.name);
  if (!pod) throw notFound({"", "pods"}, rr.name);
  if (isTerminating(*pod)) return successStatus(201);
  const std::string phase = pod->value("/status/phase"_json_pointer, std::string());
  const auto evictWithoutBudget = [&] {
    deleteObject(tx, pods, *pod, deletion);
    tx.commit();
    return successStatus(201);
  };
  // Pods that are not running cannot be disrupted further; the real server skips the PDB check.
  if (phase == "Succeeded" || phase == "Failed" || phase == "Pending") return evictWithoutBudget();

  const nlohmann::json podLabels = pod->value("/metadata/labels"_json_pointer, nlohmann::json::object());
  std::vector<nlohmann::json> matching;
  for (const auto& pdb : tx.list(pdbs.id(), rr.ns))
    if (LabelSelector::fromJson(pdb.value("/spec/selector"_json_pointer, nlohmann::json())).matches(podLabels))
      matching.push_back(pdb);
  if (matching.empty()) return evictWithoutBudget();
  if (matching.size() > 1) {
    throw ApiError(500, "InternalError",
                   "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  }
  nlohmann::json pdb = matching.front();
  const auto selector = LabelSelector::fromJson(pdb["spec"]["selector"]);
  std::vector<nlohmann::json> covered;
  for (const auto& p : tx.list("/pods", rr.ns))
    if (selector.matches(p.value("/metadata/labels"_json_pointer, nlohmann::json::object()))) covered.push_back(p);
  const DisruptionStatus budget = computeDisruption(pdb, covered);
  const bool unhealthyPodMayGo =
      !isPodReady(*pod) &&
      (pdb.value("/spec/unhealthyPodEvictionPolicy"_json_pointer, std::string()) == "AlwaysAllow" ||
       (budget.currentHealthy >= budget.desiredHealthy && budget.desiredHealthy > 0));
  if (unhealthyPodMayGo) return evictWithoutBudget();
  pdb["status"]["currentHealthy"] = budget.currentHealthy;
  pdb["status"]["desiredHealthy"] = budget.desiredHealthy;
  pdb["status"]["expectedPods"] = budget.expectedPods;
  pdb["status"]["observedGeneration"] = pdb["metadata"].value("generation", 1);
  const std::string pdbName = metadataString(pdb, "name");
  if (budget.disruptionsAllowed <= 0) {
    pdb["status"]["disruptionsAllowed"] = 0;
    if (pdb != matching.front()) tx.update(pdbs.id(), pdb);
    tx.commit();
    throw ApiError(
        429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
        {{"causes",
          {{{"reason", "DisruptionBudget"},
            {"message", "The disruption budget " + pdbName + " needs " + std::to_string(budget.desiredHealthy) +
                            " healthy pods and has " + std::to_string(budget.currentHealthy) + " currently"}}}}});
  }
  pdb["status"]["disruptionsAllowed"] = budget.disruptionsAllowed - 1;
  pdb["status"]["disruptedPods"][rr.name] = formatRfc3339(options.clock->now());
  tx.update(pdbs.id(), pdb);
  deleteObject(tx, pods, *pod, deletion);
  tx.commit();
  return successStatus(201);
}

ApiResponse ApiServer::Impl::requestToken(const ApiRequest& request, const ResourceRequest& rr) {
  const nlohmann::json body = request.body.empty() ? nlohmann::json::object() : parseBody(request.body);
  std::string uid;
  {
    auto tx = store.begin();
    const auto account = tx.get("/serviceaccounts", rr.ns, rr.name);
    if (!account) throw notFound({"", "serviceaccounts"}, rr.name);
    uid = metadataString(*account, "uid");
  }
  const long long seconds = body.value("/spec/expirationSeconds"_json_pointer, 3600LL);
  if (seconds < 600) {
    throw invalid("TokenRequest", "authentication.k8s.io", "", "spec.expirationSeconds", "FieldValueInvalid",
                  "Invalid value: " + std::to_string(seconds) + ": may not specify a duration less than 10 minutes");
  }
  const TimePoint expires = options.clock->now() + std::chrono::seconds(seconds);
  const std::string token = randomHex(48);
  tokenAuthenticator.add(token,
                         Identity{"system:serviceaccount:" + rr.ns + ":" + rr.name,
                                  uid,
                                  {"system:serviceaccounts", "system:serviceaccounts:" + rr.ns}},
                         expires);
  return jsonResponse(201, {{"kind", "TokenRequest"},
                            {"apiVersion", "authentication.k8s.io/v1"},
                            {"metadata", {{"name", rr.name}, {"namespace", rr.ns}, {"creationTimestamp", nullptr}}},
                            {"spec",
                             {{"audiences", body.value("/spec/audiences"_json_pointer, nlohmann::json::array())},
                              {"expirationSeconds", seconds},
                              {"boundObjectRef", nullptr}}},
                            {"status", {{"token", token}, {"expirationTimestamp", formatRfc3339(expires)}}}});
}

}  // namespace fivespot::testserver
