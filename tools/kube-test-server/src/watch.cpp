// list and watch: selectors, limit/continue, watch from a resourceVersion with bookmarks and 410
// Expired, and the Table form kubectl asks for.
#include <deque>
#include <functional>
#include <iomanip>
#include <regex>
#include <sstream>

#include "api_server_impl.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/testserver/disruption.hpp"
#include "fivespot/testserver/selectors.hpp"

namespace fivespot::testserver {
namespace {

std::string queryValue(const ApiRequest& request, const std::string& key) {
  const auto it = request.query.find(key);
  return it == request.query.end() ? std::string() : it->second;
}

std::uint64_t parseVersion(const std::string& text) {
  try {
    std::size_t used = 0;
    const auto value = std::stoull(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw badRequest("invalid resource version \"" + text + "\"");
}

// Continue tokens are opaque to clients: hex-encoded {"rv", "ns", "name"} of the last item served.
std::string encodeContinue(std::uint64_t rv, const nlohmann::json& last) {
  const std::string text =
      nlohmann::json{{"rv", rv}, {"ns", metadataString(last, "namespace")}, {"name", metadataString(last, "name")}}
          .dump();
  std::ostringstream out;
  for (unsigned char c : text) out << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(c);
  return out.str();
}

nlohmann::json decodeContinue(const std::string& token) {
  std::string text;
  try {
    if (token.size() % 2 != 0) throw std::invalid_argument("odd length");
    for (std::size_t i = 0; i < token.size(); i += 2)
      text += static_cast<char>(std::stoi(token.substr(i, 2), nullptr, 16));
    auto decoded = nlohmann::json::parse(text);
    if (!decoded.is_object() || !decoded.contains("rv")) throw std::invalid_argument("no rv");
    return decoded;
  } catch (const std::exception&) {
    throw badRequest("continue key is not valid: illegal base64 data");
  }
}

std::string humanDuration(std::chrono::seconds age) {
  const long long s = age.count();
  if (s < 0) return "0s";
  const long long m = s / 60, h = s / 3600, d = h / 24;
  if (s < 120) return std::to_string(s) + "s";
  if (m < 10) return std::to_string(m) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
  if (m < 180) return std::to_string(m) + "m";
  if (h < 8) return std::to_string(h) + "h" + (m % 60 ? std::to_string(m % 60) + "m" : "");
  if (h < 48) return std::to_string(h) + "h";
  if (h < 192) return std::to_string(d) + "d" + (h % 24 ? std::to_string(h % 24) + "h" : "");
  return std::to_string(d) + "d";
}

std::string age(const nlohmann::json& timestamp, TimePoint now) {
  if (!timestamp.is_string()) return "<unknown>";
  const auto created = tryParseRfc3339(timestamp.get<std::string>());
  if (!created) return "<unknown>";
  return humanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *created));
}

// The JSONPath subset CRD printer columns use: .a.b, [n] and [?(@.key=="value")].
nlohmann::json evaluateJsonPath(const nlohmann::json& root, const std::string& path) {
  static const std::regex segment(R"(\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_-]+)==["']([^"']*)["']\)\])");
  nlohmann::json current = root;
  for (auto it = std::sregex_iterator(path.begin(), path.end(), segment); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    if (m[1].matched) {
      if (!current.is_object() || !current.contains(m[1].str())) return nullptr;
      current = current[m[1].str()];
    } else if (m[2].matched) {
      const auto index = std::stoul(m[2].str());
      if (!current.is_array() || index >= current.size()) return nullptr;
      current = current[index];
    } else {
      if (!current.is_array()) return nullptr;
      nlohmann::json found;
      for (const auto& item : current)
        if (item.is_object() && item.value(m[3].str(), nlohmann::json()) == m[4].str()) {
          found = item;
          break;
        }
      current = found;
    }
  }
  return current;
}

std::string cellText(const nlohmann::json& value) {
  if (value.is_null()) return "";
  return value.is_string() ? value.get<std::string>() : value.dump();
}

nlohmann::json column(const std::string& name, const std::string& type, int priority = 0,
                      const std::string& format = "") {
  return {{"name", name}, {"type", type}, {"format", format}, {"description", name}, {"priority", priority}};
}

std::string podReady(const nlohmann::json& pod) {
  const auto statuses = pod.value("/status/containerStatuses"_json_pointer, nlohmann::json::array());
  int ready = 0;
  for (const auto& s : statuses) ready += s.value("ready", false) ? 1 : 0;
  const auto containers = pod.value("/spec/containers"_json_pointer, nlohmann::json::array());
  return std::to_string(ready) + "/" + std::to_string(containers.size());
}

int podRestarts(const nlohmann::json& pod) {
  int restarts = 0;
  for (const auto& s : pod.value("/status/containerStatuses"_json_pointer, nlohmann::json::array()))
    restarts += s.value("restartCount", 0);
  return restarts;
}

std::string nodeStatus(const nlohmann::json& node) {
  std::string status = "Unknown";
  for (const auto& c : node.value("/status/conditions"_json_pointer, nlohmann::json::array()))
    if (c.value("type", "") == "Ready") status = c.value("status", "") == "True" ? "Ready" : "NotReady";
  if (node.value("/spec/unschedulable"_json_pointer, false)) status += ",SchedulingDisabled";
  return status;
}

std::string nodeRoles(const nlohmann::json& node) {
  std::string roles;
  static const std::string prefix = "node-role.kubernetes.io/";
  const nlohmann::json labels = node.value("/metadata/labels"_json_pointer, nlohmann::json::object());
  for (const auto& [key, value] : labels.items()) {
    if (key.rfind(prefix, 0) == 0) roles += (roles.empty() ? "" : ",") + key.substr(prefix.size());
  }
  return roles.empty() ? "<none>" : roles;
}

struct TableShape {
  nlohmann::json columns = nlohmann::json::array();
  std::function<nlohmann::json(const nlohmann::json&, TimePoint)> cells;
};

TableShape customShape(const VersionInfo* version) {
  TableShape shape;
  shape.columns.push_back(column("Name", "string", 0, "name"));
  const nlohmann::json printer =
      version != nullptr && version->printerColumns.is_array() ? version->printerColumns : nlohmann::json::array();
  for (const auto& c : printer)
    shape.columns.push_back(column(c.value("name", ""), c.value("type", "string"), c.value("priority", 0)));
  const bool defaultAge = printer.empty();
  if (defaultAge) shape.columns.push_back(column("Age", "date"));
  shape.cells = [printer, defaultAge](const nlohmann::json& o, TimePoint now) {
    nlohmann::json cells = {metadataString(o, "name")};
    for (const auto& c : printer) {
      const auto value = evaluateJsonPath(o, c.value("jsonPath", ""));
      cells.push_back(c.value("type", "") == "date" ? nlohmann::json(age(value, now))
                                                    : nlohmann::json(cellText(value)));
    }
    if (defaultAge) cells.push_back(age(o.value("/metadata/creationTimestamp"_json_pointer, nlohmann::json()), now));
    return cells;
  };
  return shape;
}

TableShape shapeFor(const ResourceInfo& info, const std::string& version) {
  if (info.custom) return customShape(info.version(version));
  TableShape shape;
  const auto created = [](const nlohmann::json& o, TimePoint now) {
    return age(o.value("/metadata/creationTimestamp"_json_pointer, nlohmann::json()), now);
  };
  const std::string id = info.id();
  if (id == "/pods") {
    shape.columns = {column("Name", "string", 0, "name"), column("Ready", "string"), column("Status", "string"),
                     column("Restarts", "string"),        column("Age", "string"),   column("IP", "string", 1),
                     column("Node", "string", 1)};
    shape.cells = [created](const nlohmann::json& o, TimePoint now) {
      const std::string status =
          isTerminating(o) ? "Terminating" : o.value("/status/phase"_json_pointer, std::string());
      return nlohmann::json{metadataString(o, "name"),
                            podReady(o),
                            status,
                            std::to_string(podRestarts(o)),
                            created(o, now),
                            o.value("/status/podIP"_json_pointer, std::string("<none>")),
                            o.value("/spec/nodeName"_json_pointer, std::string("<none>"))};
    };
  } else if (id == "/nodes") {
    shape.columns = {column("Name", "string", 0, "name"), column("Status", "string"), column("Roles", "string"),
                     column("Age", "string"), column("Version", "string")};
    shape.cells = [created](const nlohmann::json& o, TimePoint now) {
      return nlohmann::json{metadataString(o, "name"), nodeStatus(o), nodeRoles(o), created(o, now),
                            o.value("/status/nodeInfo/kubeletVersion"_json_pointer, std::string())};
    };
  } else if (id == "/namespaces") {
    shape.columns = {column("Name", "string", 0, "name"), column("Status", "string"), column("Age", "string")};
    shape.cells = [created](const nlohmann::json& o, TimePoint now) {
      return nlohmann::json{metadataString(o, "name"), o.value("/status/phase"_json_pointer, std::string()),
                            created(o, now)};
    };
  } else if (id == "policy/poddisruptionbudgets") {
    shape.columns = {column("Name", "string", 0, "name"), column("Min Available", "string"),
                     column("Max Unavailable", "string"), column("Allowed Disruptions", "integer"),
                     column("Age", "string")};
    shape.cells = [created](const nlohmann::json& o, TimePoint now) {
      const auto spec = o.value("spec", nlohmann::json::object());
      return nlohmann::json{metadataString(o, "name"),
                            spec.contains("minAvailable") ? cellText(spec["minAvailable"]) : "N/A",
                            spec.contains("maxUnavailable") ? cellText(spec["maxUnavailable"]) : "N/A",
                            o.value("/status/disruptionsAllowed"_json_pointer, 0), created(o, now)};
    };
  } else {
    shape.columns = {column("Name", "string", 0, "name"), column("Age", "string")};
    shape.cells = [created](const nlohmann::json& o, TimePoint now) {
      return nlohmann::json{metadataString(o, "name"), created(o, now)};
    };
  }
  return shape;
}

nlohmann::json rowObject(const nlohmann::json& object, const ResourceInfo& info, const std::string& version,
                         const std::string& includeObject) {
  if (includeObject == "None") return nullptr;
  if (includeObject == "Object") return withTypeMeta(object, info, version);
  return {{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", object["metadata"]}};
}

class WatchStream final : public ResponseStream {
 public:
  struct Settings {
    ResourceInfo info;
    std::string version;
    std::string ns;
    LabelSelector labels;
    FieldSelector fields;
    bool bookmarks = false;
    bool table = false;
    std::string includeObject;
    std::chrono::steady_clock::duration timeout;
    std::chrono::milliseconds bookmarkInterval;
  };

  WatchStream(Store& store, const Clock& clock, Settings settings, std::uint64_t from, std::deque<std::string> initial)
      : store_(store),
        clock_(clock),
        settings_(std::move(settings)),
        lastVersion_(from),
        dropGeneration_(store.dropGeneration()),
        deadline_(std::chrono::steady_clock::now() + settings_.timeout),
        nextBookmark_(std::chrono::steady_clock::now() + settings_.bookmarkInterval),
        pending_(std::move(initial)) {}

  Chunk next() override {
    for (;;) {
      if (!pending_.empty()) {
        Chunk chunk{Chunk::Kind::Data, std::move(pending_.front())};
        pending_.pop_front();
        return chunk;
      }
      if (finished_ || std::chrono::steady_clock::now() >= deadline_) return {};
      const auto until = settings_.bookmarks ? std::min(deadline_, nextBookmark_) : deadline_;
      auto result = store_.waitForEvents(lastVersion_, dropGeneration_, until);
      if (result.closed) return {};
      if (result.dropped) return {Chunk::Kind::Drop, {}};
      if (result.expired) {
        expire();
        continue;
      }
      for (const auto& event : result.events) translate(event);
      lastVersion_ = std::max(lastVersion_, result.resourceVersion);
      if (settings_.bookmarks && std::chrono::steady_clock::now() >= nextBookmark_) {
        nextBookmark_ = std::chrono::steady_clock::now() + settings_.bookmarkInterval;
        emit("BOOKMARK", {{"kind", settings_.info.kind},
                          {"apiVersion", settings_.info.apiVersion(settings_.version)},
                          {"metadata", {{"resourceVersion", std::to_string(lastVersion_)}}}});
      }
    }
  }

 private:
  void expire() {
    const auto status = expired("too old resource version: " + std::to_string(lastVersion_) + " (" +
                                std::to_string(store_.oldestWatchableVersion() + 1) + ")")
                            .toStatus();
    pending_.push_back(nlohmann::json{{"type", "ERROR"}, {"object", status}}.dump() + "\n");
    finished_ = true;
  }

  bool selected(const nlohmann::json& object) const {
    if (!object.is_object()) return false;
    if (!settings_.ns.empty() && metadataString(object, "namespace") != settings_.ns) return false;
    return settings_.labels.matches(object.value("/metadata/labels"_json_pointer, nlohmann::json())) &&
           settings_.fields.matches(object);
  }

  // Objects moving into or out of the selection appear as ADDED or DELETED, like the watch cache does.
  void translate(const StoredEvent& event) {
    if (event.resourceId != settings_.info.id()) return;
    const bool now = selected(event.object);
    const bool before = event.type == "MODIFIED" && selected(event.previous);
    std::string type = event.type;
    if (event.type == "MODIFIED") {
      if (!now && !before) return;
      if (now && !before) type = "ADDED";
      if (!now && before) type = "DELETED";
    } else if (!now) {
      return;
    }
    emit(type, event.object);
  }

  void emit(const std::string& type, const nlohmann::json& object) {
    nlohmann::json payload;
    if (settings_.table && type != "BOOKMARK") {
      payload = toTable(settings_.info, settings_.version, {object}, settings_.includeObject, clock_.now());
    } else {
      payload = type == "BOOKMARK" ? object : withTypeMeta(object, settings_.info, settings_.version);
    }
    pending_.push_back(nlohmann::json{{"type", type}, {"object", payload}}.dump() + "\n");
  }

  Store& store_;
  const Clock& clock_;
  Settings settings_;
  std::uint64_t lastVersion_;
  std::uint64_t dropGeneration_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point nextBookmark_;
  std::deque<std::string> pending_;
  bool finished_ = false;
};

}  // namespace

bool wantsTable(const std::string& accept) {
  return accept.find("as=Table") != std::string::npos;
}

nlohmann::json toTable(const ResourceInfo& info, const std::string& version, const std::vector<nlohmann::json>& objects,
                       const std::string& includeObject, TimePoint now) {
  const TableShape shape = shapeFor(info, version);
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& object : objects)
    rows.push_back({{"cells", shape.cells(object, now)}, {"object", rowObject(object, info, version, includeObject)}});
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", nlohmann::json::object()},
          {"columnDefinitions", shape.columns},
          {"rows", rows}};
}

ApiResponse ApiServer::Impl::list(const ApiRequest& request, const ResourceRequest& rr) {
  const auto labels = LabelSelector::parse(queryValue(request, "labelSelector"));
  const auto fields = FieldSelector::parse(queryValue(request, "fieldSelector"));
  const std::string limitText = queryValue(request, "limit");
  const std::uint64_t limit = limitText.empty() ? 0 : parseVersion(limitText);
  const std::string token = queryValue(request, "continue");

  auto tx = store.begin();
  std::uint64_t listVersion = tx.currentResourceVersion();
  std::pair<std::string, std::string> after;
  if (!token.empty()) {
    const auto decoded = decodeContinue(token);
    listVersion = decoded["rv"].get<std::uint64_t>();
    if (listVersion < tx.oldestWatchableVersion()) {
      throw expired(
          "The provided continue parameter is too old to display a consistent list result. You can start a "
          "new list without the continue parameter.");
    }
    after = {decoded.value("ns", ""), decoded.value("name", "")};
  }
  std::vector<nlohmann::json> items;
  std::string nextToken;
  for (auto& object : tx.list(rr.info.id(), rr.ns)) {
    if (!token.empty() && std::make_pair(metadataString(object, "namespace"), metadataString(object, "name")) <= after)
      continue;
    if (!labels.matches(object.value("/metadata/labels"_json_pointer, nlohmann::json())) || !fields.matches(object))
      continue;
    if (limit > 0 && items.size() == limit) {
      nextToken = encodeContinue(listVersion, items.back());
      break;
    }
    items.push_back(std::move(object));
  }
  nlohmann::json metadata = {{"resourceVersion", std::to_string(listVersion)}};
  if (!nextToken.empty()) metadata["continue"] = nextToken;
  if (wantsTable(request.accept)) {
    auto table = toTable(rr.info, rr.version, items, queryValue(request, "includeObject"), options.clock->now());
    table["metadata"] = metadata;
    return jsonResponse(200, table);
  }
  nlohmann::json list = {{"kind", rr.info.listKind},
                         {"apiVersion", rr.info.apiVersion(rr.version)},
                         {"metadata", metadata},
                         {"items", nlohmann::json::array()}};
  for (auto& item : items) list["items"].push_back(withTypeMeta(std::move(item), rr.info, rr.version));
  return jsonResponse(200, list);
}

ApiResponse ApiServer::Impl::watch(const ApiRequest& request, const ResourceRequest& rr) {
  WatchStream::Settings settings{rr.info,
                                 rr.version,
                                 rr.ns,
                                 LabelSelector::parse(queryValue(request, "labelSelector")),
                                 FieldSelector::parse(queryValue(request, "fieldSelector")),
                                 queryValue(request, "allowWatchBookmarks") == "true",
                                 wantsTable(request.accept),
                                 queryValue(request, "includeObject"),
                                 std::chrono::seconds(1800),
                                 options.bookmarkInterval};
  if (const auto timeout = queryValue(request, "timeoutSeconds"); !timeout.empty()) {
    settings.timeout = std::chrono::seconds(parseVersion(timeout));
  }
  const std::string from = queryValue(request, "resourceVersion");
  std::deque<std::string> initial;
  std::uint64_t start = 0;
  if (from.empty() || from == "0") {
    // No version: the current state as ADDED events, then changes after it.
    auto tx = store.begin();
    start = tx.currentResourceVersion();
    for (const auto& object : tx.list(rr.info.id(), rr.ns)) {
      if (!settings.labels.matches(object.value("/metadata/labels"_json_pointer, nlohmann::json())) ||
          !settings.fields.matches(object))
        continue;
      const auto payload = settings.table
                               ? toTable(rr.info, rr.version, {object}, settings.includeObject, options.clock->now())
                               : withTypeMeta(object, rr.info, rr.version);
      initial.push_back(nlohmann::json{{"type", "ADDED"}, {"object", payload}}.dump() + "\n");
    }
  } else {
    start = parseVersion(from);
  }
  ApiResponse response;
  response.stream =
      std::make_unique<WatchStream>(store, *options.clock, std::move(settings), start, std::move(initial));
  return response;
}

}  // namespace fivespot::testserver
