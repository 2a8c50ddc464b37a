#include "kill_switch_command.hpp"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/kube/client.hpp"
#include "fivespot/schedule/schedule.hpp"
#include "kube_flags.hpp"
#include "status_command.hpp"

namespace fivespot::cli {
namespace {

// Phases in which the host is, or is being brought, into a cluster: the kill switch removes it.
bool isInOrJoiningCluster(const std::optional<api::Phase>& phase) {
  return phase == api::Phase::Scheduled || phase == api::Phase::Active || phase == api::Phase::Removing;
}

std::string phaseText(const std::optional<api::Phase>& phase) {
  return phase ? std::string("phase ") + api::toString(*phase) : std::string("no phase yet");
}

std::string describeOn(const api::ScheduledMachine& machine) {
  const std::string& name = machine.metadata.name;
  if (!isInOrJoiningCluster(machine.status.phase)) {
    return name + " is not in a cluster (" + phaseText(machine.status.phase) +
           "); the kill switch keeps it out (phase Inactive) until it is turned off";
  }
  return "removing " + name +
         " now: no grace period; pods are still evicted respecting PodDisruptionBudgets (for up to "
         "nodeDrainTimeout " +
         machine.spec.nodeDrainTimeout +
         "), then its Machine is deleted and the host powered off; it stays out until the kill switch is turned off";
}

std::string describeOff(const api::ScheduledMachine& machine, TimePoint now) {
  const std::string& name = machine.metadata.name;
  const std::string prefix = name + " returns to its schedule";
  try {
    const auto schedule = schedule::Schedule::compile(machine.spec.schedule);
    if (!schedule.enabled()) return prefix + ", which is disabled (spec.schedule.enabled: false): it stays out";
    const auto next = schedule.nextTransition(now);
    if (schedule.inWindow(now)) {
      return prefix + ": its window is open, so it is added to the cluster now" +
             (next ? " (the window closes " + relativeTime(*next, now) + ", " + formatRfc3339(*next) + ")" : "");
    }
    if (!next) return prefix + ", whose window never opens: it stays out";
    return prefix + ": it is added when its next window opens, " + relativeTime(*next, now) + " (" +
           formatRfc3339(*next) + ")";
  } catch (const ValidationError& e) {
    return prefix + ", but the schedule is invalid (" + e.what() + "): the coordinator reports it in phase Error";
  }
}

}  // namespace

KillSwitchSetting parseKillSwitchSetting(const std::string& text) {
  if (text == "on" || text == "true") return KillSwitchSetting::On;
  if (text == "off" || text == "false") return KillSwitchSetting::Off;
  throw ValidationError("kill-switch", text, "on or off");
}

nlohmann::json killSwitchPatch(KillSwitchSetting setting) {
  return {{"spec", {{"killSwitch", setting == KillSwitchSetting::On}}}};
}

std::string describeKillSwitchEffect(const api::ScheduledMachine& machine, KillSwitchSetting setting, TimePoint now) {
  const bool on = setting == KillSwitchSetting::On;
  if (machine.spec.killSwitch == on) {
    return "the kill switch of " + machine.metadata.name + " is already " + (on ? "on" : "off") + "; nothing changes";
  }
  return on ? describeOn(machine) : describeOff(machine, now);
}

int runKillSwitch(kube::Client& client, const std::string& ns, const std::string& name, KillSwitchSetting setting,
                  TimePoint now, std::ostream& out) {
  const auto& type = kube::resources::scheduledMachines();
  const api::ScheduledMachine machine = api::parseScheduledMachine(client.get(type, ns, name));
  out << describeKillSwitchEffect(machine, setting, now) << "\n";
  if (machine.spec.killSwitch == (setting == KillSwitchSetting::On)) return kExitOk;
  client.patch(type, ns, name, kube::PatchType::Merge, killSwitchPatch(setting));
  out << "scheduledmachine/" << name
      << " patched (spec.killSwitch: " << (setting == KillSwitchSetting::On ? "true" : "false") << ")\n";
  return kExitOk;
}

void addKillSwitchCommand(CLI::App& app) {
  struct Flags {
    KubeFlags kube;
    std::string name;
    std::string setting;
  };
  auto flags = std::make_shared<Flags>();
  auto* command = app.add_subcommand(
      "kill-switch", "Remove a ScheduledMachine from its cluster at once (on), or return it to its schedule (off)");
  command->add_option("NAME", flags->name, "the ScheduledMachine")->required();
  command->add_option("SETTING", flags->setting, "on or off")->required();
  addKubeFlags(*command, flags->kube, NamespaceFlags::Single);
  command->callback([flags] {
    runClusterCommand([&] {
      const KillSwitchSetting setting = parseKillSwitchSetting(flags->setting);
      const KubeTarget target = resolveKubeTarget(flags->kube);
      const auto client = makeClient(target);
      return runKillSwitch(*client, target.namespace_, flags->name, setting, SystemClock::instance().now(), std::cout);
    });
  });
}

}  // namespace fivespot::cli
