#include "describe.hpp"

#include <nlohmann/json.hpp>

namespace fivespot::demo {
namespace {

using Json = nlohmann::json;

std::string text(const Json* object, const char* pointer) {
  if (object == nullptr) return "";
  const Json::json_pointer path(pointer);
  if (!object->contains(path)) return "";
  const Json& value = object->at(path);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string condition(const Json& object, const std::string& type, const char* field) {
  for (const Json& c : object.value(Json::json_pointer("/status/conditions"), Json::array())) {
    if (c.value("type", "") == type) return c.value(field, "");
  }
  return "";
}

std::string joinList(const Json& list) {
  std::string out;
  for (const Json& item : list) {
    if (!item.is_string()) continue;
    out += (out.empty() ? "" : "; ") + item.get<std::string>();
  }
  return out;
}

void describePhase(const Json* before, const Json& after, std::vector<std::string>& lines) {
  const std::string was = text(before, "/status/phase");
  const std::string now = text(&after, "/status/phase");
  if (now.empty() || now == was) return;
  std::string line = (was.empty() ? "phase " : "phase " + was + " → ") + now;
  const std::string reason = condition(after, "Ready", "reason");
  std::string message = text(&after, "/status/message");
  if (message.empty()) message = condition(after, "Ready", "message");
  if (now == "Removing") {
    const std::string why = text(&after, "/status/removalReason");
    if (!why.empty()) line += " (" + why + ")";
  } else if (!reason.empty()) {
    line += " (" + reason + ")";
  }
  if (!message.empty()) line += ": " + message;
  lines.push_back(std::move(line));
}

void describeDrain(const Json* before, const Json& after, std::vector<std::string>& lines) {
  const Json::json_pointer drain("/status/drain");
  if (!after.contains(drain) || !after.at(drain).is_object()) return;
  const Json& now = after.at(drain);
  const Json was = before != nullptr ? before->value(drain, Json::object()) : Json::object();
  const int left = now.value("podsRemaining", 0);
  const Json blocking = now.value("blockingPdbs", Json::array());
  if (was.value("podsRemaining", -1) == left && was.value("blockingPdbs", Json::array()) == blocking) return;
  std::string line = "drain: " + std::to_string(left) + (left == 1 ? " pod left" : " pods left");
  if (!blocking.empty()) line += ", eviction refused: " + joinList(blocking);
  lines.push_back(std::move(line));
}

void describeNodeRef(const Json* before, const Json& after, std::vector<std::string>& lines) {
  const std::string was = text(before, "/status/nodeRef/name");
  const std::string now = text(&after, "/status/nodeRef/name");
  if (now == was) return;
  if (!now.empty()) lines.push_back("node " + now + " is in the cluster (status.nodeRef)");
  if (now.empty() && before != nullptr) lines.push_back("node " + was + " is out of the cluster");
}

bool readyNode(const Json& node) {
  return condition(node, "Ready", "status") == "True";
}

bool podReady(const Json& pod) {
  return condition(pod, "Ready", "status") == "True";
}

}  // namespace

std::vector<std::string> describeScheduledMachine(const Json* before, const Json& after) {
  std::vector<std::string> lines;
  describePhase(before, after, lines);
  describeNodeRef(before, after, lines);
  describeDrain(before, after, lines);
  return lines;
}

std::vector<std::string> describeHostAgent(const Json* before, const Json& after) {
  std::vector<std::string> lines;
  if (before == nullptr) {
    lines.push_back("HostAgent registered (desired power " + text(&after, "/spec/desiredPower") + ")");
    return lines;
  }
  const auto changed = [&](const char* pointer) { return text(before, pointer) != text(&after, pointer); };
  // A power-off order sets desiredPower Off and a new powerOffGeneration together: one line for it.
  const bool powerOffOrdered = changed("/spec/powerOffGeneration") && text(&after, "/spec/powerOffGeneration") != "0";
  const std::string desiredPower = text(&after, "/spec/desiredPower");
  if (changed("/spec/desiredPower") && !desiredPower.empty() && !(powerOffOrdered && desiredPower == "Off"))
    lines.push_back("coordinator orders power " + desiredPower);
  if (changed("/spec/drainConfirmationGeneration") && text(&after, "/spec/drainConfirmationGeneration") != "0")
    lines.push_back("coordinator asks the agent to confirm the drain (generation " +
                    text(&after, "/spec/drainConfirmationGeneration") + ")");
  if (powerOffOrdered)
    lines.push_back(
        std::string("coordinator orders power-off") +
        (after.value(Json::json_pointer("/spec/killSwitch"), false) ? " (kill switch: no drain confirmation)" : ""));
  if (changed("/status/ready") && !text(&after, "/status/ready").empty()) {
    if (after.value(Json::json_pointer("/status/ready"), false)) {
      lines.push_back("agent reports the host ready");
    } else {
      std::string failing;
      for (const Json& check : after.value(Json::json_pointer("/status/checks"), Json::array())) {
        if (!check.value("ok", false)) failing += (failing.empty() ? "" : "; ") + check.value("reason", "");
      }
      lines.push_back("agent reports the host not ready" + (failing.empty() ? "" : ": " + failing));
    }
  }
  if (changed("/status/drainConfirmedGeneration") && text(&after, "/status/drainConfirmedGeneration") != "0")
    lines.push_back("agent confirms no workload is left on the host (generation " +
                    text(&after, "/status/drainConfirmedGeneration") + ")");
  // A running agent reports On; only the way down (PoweringOff, Off) is news on the timeline.
  const std::string power = text(&after, "/status/powerState");
  if (changed("/status/powerState") && !power.empty() && power != "On") lines.push_back("agent reports power " + power);
  return lines;
}

std::vector<std::string> describeNode(const Json* before, const Json& after) {
  std::vector<std::string> lines;
  const bool wasReady = before != nullptr && readyNode(*before);
  if (readyNode(after) && !wasReady) lines.push_back("joined, Ready");
  const bool wasCordoned = before != nullptr && before->value(Json::json_pointer("/spec/unschedulable"), false);
  const bool cordoned = after.value(Json::json_pointer("/spec/unschedulable"), false);
  if (cordoned && !wasCordoned) lines.push_back("cordoned");
  if (!cordoned && wasCordoned) lines.push_back("uncordoned");
  const Json taints = after.value(Json::json_pointer("/spec/taints"), Json::array());
  const Json oldTaints =
      before != nullptr ? before->value(Json::json_pointer("/spec/taints"), Json::array()) : Json::array();
  if (taints != oldTaints && !taints.empty()) {
    std::string list;
    for (const Json& t : taints) list += (list.empty() ? "" : ", ") + t.value("key", "") + ":" + t.value("effect", "");
    lines.push_back("taints " + list);
  }
  return lines;
}

std::vector<std::string> describePod(const Json* before, const Json& after) {
  std::vector<std::string> lines;
  const std::string node = text(&after, "/spec/nodeName");
  if (before == nullptr) lines.push_back("created on node " + node);
  const bool wasReady = before != nullptr && podReady(*before);
  if (podReady(after) && !wasReady) lines.push_back("Running and Ready on " + node);
  if (!text(&after, "/metadata/deletionTimestamp").empty() && text(before, "/metadata/deletionTimestamp").empty())
    lines.push_back("terminating");
  return lines;
}

std::string describeLogindRecord(const Json& record) {
  const std::string call = record.value("call", "");
  if (call == "PowerOff")
    return std::string("power-off: logind PowerOff(interactive=") +
           (record.value("interactive", false) ? "true" : "false") + ") received: the host shuts down";
  if (call == "Inhibit")
    return "logind: " + record.value("who", "") + " holds a '" + record.value("mode", "") + "' inhibitor lock on " +
           record.value("what", "");
  if (record.value("event", "") == "released")
    return "logind: " + record.value("who", "") + " released its inhibitor lock";
  return "logind: " + record.dump();
}

}  // namespace fivespot::demo
