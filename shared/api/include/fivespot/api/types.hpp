#pragma once
// The 5spot.finos.org/v1alpha1 API as C++ values. crds/*.yaml is the schema of record; a test
// round-trips every example through these types and checks both agree.
//
// Parsing/serialisation lives in scheduled_machine.hpp and host_agent.hpp; these are plain data.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/common/clock.hpp"

namespace fivespot::api {

inline constexpr const char* kGroup = "5spot.finos.org";
inline constexpr const char* kVersion = "v1alpha1";
inline constexpr const char* kApiVersion = "5spot.finos.org/v1alpha1";
inline constexpr const char* kFinalizer = "5spot.finos.org/scheduledmachine";
inline constexpr const char* kScheduledMachineLabel = "5spot.finos.org/scheduled-machine";
inline constexpr const char* kClusterNameLabel = "cluster.x-k8s.io/cluster-name";

// ---- ScheduledMachine ------------------------------------------------------------------------

struct ScheduleSpec {
  std::vector<std::string> daysOfWeek;  // "mon-fri", "sat,sun", "fri-mon"
  std::vector<std::string> hoursOfDay;  // "9-17" (whole hours, inclusive), "09:30-17:45" (end exclusive)
  std::string timezone = "UTC";         // IANA name
  bool enabled = true;
  // "2026-12-25" (a local day), "2026-12-24/2026-12-26" (local days, inclusive),
  // "2026-12-31T18:00:00Z/2027-01-01T06:00:00Z" (instants, end exclusive).
  std::vector<std::string> exclusions;
};

struct ObjectReference {  // corev1.ObjectReference subset used for refs in spec and status
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string namespace_;  // JSON "namespace"
  std::string uid;
};

struct EmbeddedResource {  // bootstrapSpec / infrastructureSpec (upstream form)
  std::string apiVersion;
  std::string kind;
  std::string specJson = "{}";  // free-form object, kept as serialised JSON text
};

struct MachineHost {  // spec.machine (seed form): the host to bring in
  std::string address;
  std::string user;
  int port = 22;
  std::vector<std::string> files;  // paths the bootstrap provider copies; carried through unchanged
};

struct MachineTemplate {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule | PreferNoSchedule | NoExecute
  bool operator==(const Taint&) const = default;
};

struct WakeOnLan {
  std::string mac;  // "aa:bb:cc:dd:ee:ff"
  std::string broadcast = "255.255.255.255";
  int port = 9;
  // The Node whose node-mode agent sends the packet on its own segment; empty: the coordinator
  // sends it (docs/power.md, "Wake-on-LAN relay").
  std::string relayNode{};
};

struct Redfish {
  std::string endpoint;                // "https://bmc.example:443"
  std::string systemId;                // e.g. "1" or "System.Embedded.1"
  std::string credentialsSecretRef;    // Secret in the ScheduledMachine's namespace, keys username/password
  std::string caSecretRef;             // optional Secret with key ca.crt
  bool insecureSkipTlsVerify = false;  // only when set explicitly
  std::optional<std::string> powerOffFallbackTimeout;  // duration; GracefulShutdown then ForceOff after it
};

struct PowerSpec {
  std::optional<WakeOnLan> wakeOnLan;
  std::optional<Redfish> redfish;
  std::optional<double> idleWatts;            // declared draw when on and idle
  std::optional<double> standbyWatts;         // declared draw when off (soft-off / standby)
  std::optional<std::string> powerOnTimeout;  // duration; default 10m
};

struct ScheduledMachineSpec {
  ScheduleSpec schedule;
  std::string clusterName;
  std::optional<MachineHost> machine;
  // Exactly one of each pair is set (validated).
  std::optional<ObjectReference> bootstrapRef;  // a template, cloned into a concrete object
  std::optional<EmbeddedResource> bootstrapSpec;
  std::optional<ObjectReference> infrastructureRef;
  std::optional<EmbeddedResource> infrastructureSpec;
  MachineTemplate machineTemplate;
  std::vector<Taint> nodeTaints;
  int priority = 50;  // 0-100
  std::string gracefulShutdownTimeout = "5m";
  std::string nodeDrainTimeout = "5m";
  bool killSwitch = false;
  std::vector<std::string> killIfCommands;
  std::optional<PowerSpec> power;
};

enum class Phase { Pending, UnScheduled, Scheduled, Active, Removing, Inactive, Error };
const char* toString(Phase phase);
std::optional<Phase> parsePhase(const std::string& text);

struct Condition {
  std::string type;
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;  // CamelCase
  std::string message;
  std::string lastTransitionTime;  // RFC 3339
  std::int64_t observedGeneration = 0;
};

struct DrainProgress {
  int podsRemaining = 0;
  std::vector<std::string> blockingPdbs;  // "<namespace>/<name>: <message>"
  std::string startedAt;                  // RFC 3339
};

struct PowerSavings {
  double hoursOff = 0;
  double energySavedWh = 0;
  std::string source;    // measured | bmc | declared
  std::string since;     // RFC 3339
  std::string offSince;  // RFC 3339 of the current off period's start, empty when on
};

// The last Redfish PowerConsumedWatts the coordinator read while the host was on: the "bmc"
// on-power figure for the next off period (docs/power.md, "Savings").
struct BmcPowerReading {
  double consumedWatts = 0;
  std::string readAt;  // RFC 3339
};

struct ScheduledMachineStatus {
  std::optional<Phase> phase;
  std::string message;
  std::vector<Condition> conditions;
  std::int64_t observedGeneration = 0;
  bool inSchedule = false;
  std::string nextTransition;  // RFC 3339, empty when none
  std::optional<ObjectReference> machineRef;
  std::optional<ObjectReference> bootstrapRef;
  std::optional<ObjectReference> infrastructureRef;
  std::optional<ObjectReference> nodeRef;
  std::string providerID;
  std::vector<Taint> appliedNodeTaints;
  std::optional<DrainProgress> drain;
  std::optional<PowerSavings> powerSavings;
  std::optional<BmcPowerReading> bmcPower;
  std::string removalReason;  // why the current removal started (WindowClosed, KillSwitch, Reclaim, ...)
};

struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resourceVersion;
  std::int64_t generation = 0;
  std::string creationTimestamp;
  std::string deletionTimestamp;
  std::vector<std::string> finalizers;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

struct ScheduledMachine {
  ObjectMeta metadata;
  ScheduledMachineSpec spec;
  ScheduledMachineStatus status;
};

// ---- HostAgent -------------------------------------------------------------------------------

enum class PowerState { On, Off };

// spec.wake: a Wake-on-LAN order for this host that the node-mode agent on relayNode carries out.
struct WakeOrder {
  std::string relayNode;
  std::string mac;
  std::string broadcast = "255.255.255.255";
  int port = 9;
  std::int64_t generation = 0;  // the commandGeneration of the order
  std::string expiresAt;        // RFC 3339: nothing is sent after it
  bool operator==(const WakeOrder&) const = default;
};

struct HostAgentSpec {  // written by the coordinator
  PowerState desiredPower = PowerState::On;
  std::int64_t drainConfirmationGeneration = 0;  // >0: confirm the node has no workload for this generation
  std::int64_t powerOffGeneration = 0;           // >0: power off once, for this order generation
  bool killSwitch = false;                       // power-off allowed without drain confirmation
  std::string nodeName;                          // the Node this host joined as, when known
  std::vector<std::string> killIfCommands;       // projected from the ScheduledMachine
  std::int64_t commandGeneration = 0;            // bumped on each new order
  std::optional<WakeOrder> wake;                 // for the relay on wake->relayNode, not for this host's agent
};

struct ReadinessCheck {
  std::string name;
  bool ok = false;
  std::string reason;
};

struct EnergyReport {
  std::string source;  // "rapl" | "unavailable"
  double joules = 0;
  double averageWatts = 0;
  std::string windowStart;  // RFC 3339
};

// A wake order of another HostAgent that this (relay) agent sent: status.relayedWakes.
struct RelayedWake {
  std::string hostAgent;  // "namespace/name" of the target
  std::int64_t generation = 0;
  std::string sentAt;  // RFC 3339
  bool operator==(const RelayedWake&) const = default;
};

struct HostAgentStatus {  // written by the agent
  std::string mode;       // host | node
  bool ready = false;
  std::vector<ReadinessCheck> checks;
  std::int64_t drainConfirmedGeneration = 0;
  std::int64_t powerOffAcknowledgedGeneration = 0;
  std::string powerState;     // On | PoweringOff | Off
  std::string lastHeartbeat;  // RFC 3339
  std::optional<EnergyReport> energy;
  std::string lastError;
  std::string reclaimRequested;  // non-empty: the matching command line that asks for emergency removal
  std::string reclaimRequestedAt;
  std::string agentVersion;
  std::vector<RelayedWake> relayedWakes;  // node mode: the wake orders this agent relayed
};

struct HostAgent {
  ObjectMeta metadata;
  HostAgentSpec spec;
  HostAgentStatus status;
};

}  // namespace fivespot::api
