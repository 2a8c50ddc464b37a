#include "config.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"

namespace fivespot::agent {
namespace {

using nlohmann::json;

// Reads typed fields of one YAML mapping and names "<file>: <path>" in every error.
class FieldReader {
 public:
  FieldReader(const json& object, std::string origin, std::string path)
      : object_(object), origin_(std::move(origin)), path_(std::move(path)) {
    if (!object_.is_object()) fail(path_.empty() ? "(document)" : path_, "must be a mapping");
  }

  [[nodiscard]] std::string fieldPath(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  [[nodiscard]] const json* find(const std::string& key) const {
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  void rejectUnknown(std::initializer_list<const char*> known) const {
    for (const auto& [key, value] : object_.items()) {
      bool isKnown = false;
      for (const char* name : known) isKnown = isKnown || key == name;
      if (!isKnown) fail(fieldPath(key), "is not a known field");
    }
  }

  void readString(const std::string& key, std::string& target) const {
    if (const json* value = find(key)) {
      if (!value->is_string()) fail(fieldPath(key), "must be a string, got " + value->dump());
      target = value->get<std::string>();
    }
  }

  void readBool(const std::string& key, bool& target) const {
    if (const json* value = find(key)) {
      if (!value->is_boolean()) fail(fieldPath(key), "must be true or false, got " + value->dump());
      target = value->get<bool>();
    }
  }

  template <typename Integer>
  void readInteger(const std::string& key, Integer& target, std::int64_t minimum, std::int64_t maximum) const {
    if (const json* value = find(key)) {
      if (!value->is_number_integer()) fail(fieldPath(key), "must be an integer, got " + value->dump());
      const auto number = value->get<std::int64_t>();
      if (number < minimum || number > maximum) {
        fail(fieldPath(key), "must be between " + std::to_string(minimum) + " and " + std::to_string(maximum) +
                                 ", got " + std::to_string(number));
      }
      target = static_cast<Integer>(number);
    }
  }

  void readSeconds(const std::string& key, std::chrono::seconds& target, std::int64_t minimum,
                   std::int64_t maximum) const {
    std::int64_t seconds = target.count();
    readInteger(key, seconds, minimum, maximum);
    target = std::chrono::seconds(seconds);
  }

  void readStringList(const std::string& key, std::vector<std::string>& target) const {
    if (const json* value = find(key)) {
      if (!value->is_array()) fail(fieldPath(key), "must be a list of strings");
      target.clear();
      for (std::size_t i = 0; i < value->size(); ++i) {
        const json& item = (*value)[i];
        if (!item.is_string() || item.get<std::string>().empty()) {
          fail(fieldPath(key) + "[" + std::to_string(i) + "]", "must be a non-empty string");
        }
        target.push_back(item.get<std::string>());
      }
    }
  }

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw ConfigError(origin_ + ": " + field, field + " " + message);
  }

 private:
  const json& object_;
  std::string origin_;
  std::string path_;
};

CommandCheckConfig parseCommandCheck(const json& item, const std::string& origin, const std::string& path) {
  const FieldReader reader(item, origin, path);
  reader.rejectUnknown({"name", "command", "timeoutSeconds"});
  CommandCheckConfig check;
  reader.readString("name", check.name);
  if (check.name.empty()) reader.fail(reader.fieldPath("name"), "is required");
  reader.readStringList("command", check.argv);
  if (check.argv.empty()) reader.fail(reader.fieldPath("command"), "is required (a list: program and arguments)");
  if (!check.argv.front().starts_with('/')) {
    reader.fail(reader.fieldPath("command") + "[0]", "must be an absolute path, got " + check.argv.front());
  }
  reader.readSeconds("timeoutSeconds", check.timeout, 1, 3600);
  return check;
}

ChecksConfig parseChecks(const json& object, const std::string& origin) {
  const FieldReader reader(object, origin, "checks");
  reader.rejectUnknown({"clockSynchronized", "diskPath", "minFreeDiskBytes", "containerRuntimeSockets", "commands"});
  ChecksConfig checks;
  reader.readBool("clockSynchronized", checks.clockSynchronized);
  reader.readString("diskPath", checks.diskPath);
  reader.readInteger("minFreeDiskBytes", checks.minFreeDiskBytes, 0, std::numeric_limits<std::int64_t>::max());
  reader.readStringList("containerRuntimeSockets", checks.containerRuntimeSockets);
  if (const json* commands = reader.find("commands")) {
    if (!commands->is_array()) reader.fail("checks.commands", "must be a list");
    for (std::size_t i = 0; i < commands->size(); ++i) {
      const std::string path = "checks.commands[" + std::to_string(i) + "]";
      checks.commands.push_back(parseCommandCheck((*commands)[i], origin, path));
      for (std::size_t j = 0; j + 1 < checks.commands.size(); ++j) {
        if (checks.commands[j].name == checks.commands.back().name) reader.fail(path + ".name", "is a duplicate");
      }
    }
  }
  if (checks.minFreeDiskBytes > 0 && !checks.diskPath.starts_with('/')) {
    reader.fail("checks.diskPath", "must be an absolute path, got " + checks.diskPath);
  }
  return checks;
}

void requireAbsolute(const std::string& value, const std::string& field, const std::string& origin) {
  if (!value.starts_with('/'))
    throw ConfigError(origin + ": " + field, field + " must be an absolute path, got " + value);
}

}  // namespace

const char* toString(Mode mode) {
  return mode == Mode::Node ? "node" : "host";
}

Mode parseMode(const std::string& text, const std::string& context) {
  if (text == "host") return Mode::Host;
  if (text == "node") return Mode::Node;
  throw ConfigError(context, "mode must be host or node, got " + text);
}

AgentConfig parseAgentConfig(const json& document, const std::string& origin) {
  AgentConfig config;
  if (document.is_null()) return config;  // an empty file: defaults
  const FieldReader reader(document, origin, "");
  reader.rejectUnknown({"scheduledMachine", "kubeconfig", "mode", "nodeName", "heartbeatIntervalSeconds",
                        "reclaimScanIntervalSeconds", "maxBackoffSeconds", "checks", "energy", "procRoot", "cgroupRoot",
                        "maxProcessesPerScan", "healthAddress", "metricsAddress"});
  if (const json* machine = reader.find("scheduledMachine")) {
    const FieldReader machineReader(*machine, origin, "scheduledMachine");
    machineReader.rejectUnknown({"namespace", "name"});
    machineReader.readString("namespace", config.scheduledMachineNamespace);
    machineReader.readString("name", config.scheduledMachineName);
  }
  reader.readString("kubeconfig", config.kubeconfig);
  std::string mode = toString(config.mode);
  reader.readString("mode", mode);
  config.mode = parseMode(mode, origin + ": mode");
  reader.readString("nodeName", config.nodeName);
  reader.readSeconds("heartbeatIntervalSeconds", config.heartbeatInterval, 1, 3600);
  reader.readSeconds("reclaimScanIntervalSeconds", config.reclaimScanInterval, 1, 3600);
  reader.readSeconds("maxBackoffSeconds", config.maxBackoff, 1, 3600);
  if (const json* checks = reader.find("checks")) config.checks = parseChecks(*checks, origin);
  if (const json* energy = reader.find("energy")) {
    const FieldReader energyReader(*energy, origin, "energy");
    energyReader.rejectUnknown({"raplRoot"});
    energyReader.readString("raplRoot", config.raplRoot);
  }
  reader.readString("procRoot", config.procRoot);
  reader.readString("cgroupRoot", config.cgroupRoot);
  reader.readInteger("maxProcessesPerScan", config.maxProcessesPerScan, 1, 4'194'304);
  reader.readString("healthAddress", config.healthAddress);
  reader.readString("metricsAddress", config.metricsAddress);
  requireAbsolute(config.raplRoot, "energy.raplRoot", origin);
  requireAbsolute(config.procRoot, "procRoot", origin);
  requireAbsolute(config.cgroupRoot, "cgroupRoot", origin);
  return config;
}

void applyOverrides(AgentConfig& config, const ConfigOverrides& overrides) {
  if (overrides.mode) config.mode = *overrides.mode;
  if (overrides.nodeName && !overrides.nodeName->empty()) config.nodeName = *overrides.nodeName;
  if (overrides.procRoot && !overrides.procRoot->empty()) config.procRoot = *overrides.procRoot;
  if (overrides.kubeconfig && !overrides.kubeconfig->empty()) config.kubeconfig = *overrides.kubeconfig;
  if (overrides.healthAddress && !overrides.healthAddress->empty()) config.healthAddress = *overrides.healthAddress;
  if (overrides.healthPort) {
    const std::string& address = config.healthAddress;
    const auto colon = address.rfind(':');
    const std::string host = colon == std::string::npos ? "127.0.0.1" : address.substr(0, colon);
    config.healthAddress = host + ":" + std::to_string(*overrides.healthPort);
  }
  config.once = config.once || overrides.once;
}

void validateAgentConfig(const AgentConfig& config, const std::string& origin) {
  if (config.mode == Mode::Host) {
    if (config.scheduledMachineNamespace.empty() || config.scheduledMachineName.empty()) {
      throw ConfigError(origin + ": scheduledMachine",
                        "host mode needs scheduledMachine.namespace and scheduledMachine.name");
    }
  } else if (config.nodeName.empty()) {
    throw ConfigError(origin + ": nodeName", "node mode needs the node name (NODE_NAME from the downward API)");
  }
  requireAbsolute(config.procRoot, "procRoot", origin);
  if (config.healthAddress.find(':') == std::string::npos) {
    throw ConfigError(origin + ": healthAddress", "healthAddress must be host:port, got " + config.healthAddress);
  }
}

AgentConfig loadAgentConfig(const std::string& path, const ConfigOverrides& overrides, bool required) {
  AgentConfig config;
  if (std::filesystem::exists(path)) {
    json document;
    try {
      document = yamlToJson(readFile(path), path);
    } catch (const ValidationError& e) {
      throw ConfigError(path, std::string("not valid YAML: ") + e.what());
    }
    config = parseAgentConfig(document, path);
  } else if (required) {
    throw ConfigError(path, "configuration file not found");
  } else {
    spdlog::info("no configuration file at {}; using defaults, flags and environment", path);
  }
  applyOverrides(config, overrides);
  validateAgentConfig(config, path);
  return config;
}

}  // namespace fivespot::agent
