#include "drain.hpp"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

namespace fivespot::agent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kMirrorAnnotation = "kubernetes.io/config.mirror";
constexpr std::size_t kMaxListed = 10;

std::string stringAt(const json& object, const json::json_pointer& pointer) {
  if (!object.contains(pointer)) return "";
  const json& value = object.at(pointer);
  return value.is_string() ? value.get<std::string>() : "";
}

bool isControlledByDaemonSet(const json& pod) {
  const json::json_pointer owners("/metadata/ownerReferences");
  if (!pod.contains(owners) || !pod.at(owners).is_array()) return false;
  return std::any_of(pod.at(owners).begin(), pod.at(owners).end(), [](const json& owner) {
    return owner.value("kind", "") == "DaemonSet" && owner.value("controller", false);
  });
}

bool isMirrorPod(const json& pod) {
  const json::json_pointer annotations("/metadata/annotations");
  return pod.contains(annotations) && pod.at(annotations).is_object() &&
         pod.at(annotations).contains(kMirrorAnnotation);
}

bool isFinished(const json& pod) {
  const std::string phase = stringAt(pod, json::json_pointer("/status/phase"));
  return phase == "Succeeded" || phase == "Failed";
}

bool isPodCgroupName(const std::string& name) {
  static const std::regex pattern(R"((pod[0-9a-f_-]{8,})|(kubepods(-[a-z]+)?-pod[0-9a-f_]{8,}\.slice))");
  return std::regex_match(name, pattern);
}

}  // namespace

std::string DrainVerdict::summary() const {
  if (confirmed) return "no workload left";
  std::string text = std::to_string(remaining.size()) + " left: ";
  for (std::size_t i = 0; i < remaining.size() && i < kMaxListed; ++i) text += (i == 0 ? "" : ", ") + remaining[i];
  if (remaining.size() > kMaxListed) text += ", ...";
  return text;
}

bool podMayRemain(const json& pod) {
  return isFinished(pod) || isMirrorPod(pod) || isControlledByDaemonSet(pod);
}

DrainVerdict evaluateNodePods(const std::vector<json>& pods, const std::string& nodeName) {
  DrainVerdict verdict;
  for (const auto& pod : pods) {
    if (stringAt(pod, json::json_pointer("/spec/nodeName")) != nodeName) continue;
    if (podMayRemain(pod)) continue;
    verdict.remaining.push_back(stringAt(pod, json::json_pointer("/metadata/namespace")) + "/" +
                                stringAt(pod, json::json_pointer("/metadata/name")));
  }
  std::sort(verdict.remaining.begin(), verdict.remaining.end());
  verdict.confirmed = verdict.remaining.empty();
  return verdict;
}

std::vector<std::string> findPodCgroups(const std::string& cgroupRoot) {
  std::vector<std::string> found;
  std::error_code error;
  // kubepods hierarchies sit at the root (v2 and cgroupfs driver) or under a controller (v1).
  std::vector<fs::path> hierarchies;
  for (fs::directory_iterator it(cgroupRoot, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with("kubepods")) hierarchies.push_back(it->path());
    const fs::path v1 = it->path() / "kubepods.slice";
    const fs::path v1cgroupfs = it->path() / "kubepods";
    if (fs::is_directory(v1, error)) hierarchies.push_back(v1);
    if (fs::is_directory(v1cgroupfs, error)) hierarchies.push_back(v1cgroupfs);
  }
  for (const auto& hierarchy : hierarchies) {
    // Pods sit directly under kubepods (Guaranteed) or one level down under burstable/besteffort.
    for (fs::recursive_directory_iterator it(hierarchy, error), end; !error && it != end; it.increment(error)) {
      if (it->is_directory(error) && isPodCgroupName(it->path().filename().string())) {
        found.push_back(it->path().string());
        it.disable_recursion_pending();
      } else if (it.depth() >= 1) {
        it.disable_recursion_pending();
      }
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

DrainVerdict evaluateHostPodCgroups(const std::vector<std::string>& podCgroups) {
  return DrainVerdict{podCgroups.empty(), podCgroups};
}

}  // namespace fivespot::agent
