#pragma once
// `kubectl-5spot kill-switch NAME on|off [-n NS]`: sets spec.killSwitch with a JSON merge patch and
// says what the coordinator will do about it, before doing it.
#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::kube {
class Client;
}

namespace fivespot::cli {

enum class KillSwitchSetting { On, Off };

// "on"/"off" (also "true"/"false"). Throws ValidationError naming the argument otherwise.
KillSwitchSetting parseKillSwitchSetting(const std::string& text);

// Pure: the merge patch {"spec":{"killSwitch":<bool>}}.
nlohmann::json killSwitchPatch(KillSwitchSetting setting);

// Pure: one sentence, for a person, about what follows from setting the kill switch on `machine`
// at `now` (its phase, and for "off" its schedule). Says so when nothing changes.
std::string describeKillSwitchEffect(const api::ScheduledMachine& machine, KillSwitchSetting setting, TimePoint now);

// Reads the ScheduledMachine, prints the effect to `out`, and patches it unless the switch already
// has that value. Throws kube::ApiError (404 when it does not exist, 403 without patch rights).
int runKillSwitch(kube::Client& client, const std::string& ns, const std::string& name, KillSwitchSetting setting,
                  TimePoint now, std::ostream& out);

void addKillSwitchCommand(CLI::App& app);

}  // namespace fivespot::cli
