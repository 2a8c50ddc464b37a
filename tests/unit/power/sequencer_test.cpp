#include "fivespot/power/sequencer.hpp"

#include <gtest/gtest.h>

#include "fivespot/common/time_format.hpp"
#include "fivespot/kube/errors.hpp"

namespace fivespot::power {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kStart = parseRfc3339("2026-11-24T07:00:00Z");

TEST(PowerOn, FirstDecisionSendsPowerOn) {
  const PowerOnDecision decision = decidePowerOn({}, {}, {}, kStart);
  EXPECT_EQ(decision.action, PowerOnAction::SendPowerOn);
  EXPECT_EQ(decision.reason, kReasonPoweringOn);
  EXPECT_EQ(decision.requeueAt, kStart + seconds(30));
}

TEST(PowerOn, WaitsBetweenAttemptsThenRetries) {
  const PowerOnProgress progress = recordPowerOnAttempt({}, kStart);
  const PowerOnDecision waiting = decidePowerOn({}, progress, {}, kStart + seconds(10));
  EXPECT_EQ(waiting.action, PowerOnAction::Wait);
  EXPECT_EQ(waiting.requeueAt, kStart + seconds(30));
  EXPECT_EQ(decidePowerOn({}, progress, {}, kStart + seconds(30)).action, PowerOnAction::SendPowerOn);
}

TEST(PowerOn, AgentReadyOrBmcOnMeansPoweredOn) {
  const PowerOnProgress progress = recordPowerOnAttempt({}, kStart);
  PowerOnObservation agentUp;
  agentUp.agentReady = true;
  EXPECT_EQ(decidePowerOn({}, progress, agentUp, kStart + seconds(40)).action, PowerOnAction::PoweredOn);
  PowerOnObservation bmcOn;
  bmcOn.bmcPowerState = SystemPowerState::On;
  const PowerOnDecision decision = decidePowerOn({}, progress, bmcOn, kStart + seconds(40));
  EXPECT_EQ(decision.action, PowerOnAction::PoweredOn);
  EXPECT_EQ(decision.reason, kReasonPoweredOn);
}

TEST(PowerOn, DoesNotResendWhileTheBmcReportsPoweringOn) {
  const PowerOnProgress progress = recordPowerOnAttempt({}, kStart);
  PowerOnObservation observed;
  observed.bmcPowerState = SystemPowerState::PoweringOn;
  EXPECT_EQ(decidePowerOn({}, progress, observed, kStart + minutes(2)).action, PowerOnAction::Wait);
}

TEST(PowerOn, TimesOutWithTheLastErrorInTheMessage) {
  PowerOnPolicy policy;
  policy.timeout = minutes(10);
  PowerOnProgress progress = recordPowerOnAttempt({}, kStart);
  progress = recordPowerOnAttempt(progress, kStart + seconds(30), AttemptFailure{"BMC unreachable: timeout", true});
  const PowerOnDecision before = decidePowerOn(policy, progress, {}, kStart + minutes(9) + seconds(59));
  EXPECT_NE(before.action, PowerOnAction::Failed);
  ASSERT_TRUE(before.requeueAt);
  EXPECT_LE(*before.requeueAt, kStart + minutes(10));
  const PowerOnDecision after = decidePowerOn(policy, progress, {}, kStart + minutes(10));
  EXPECT_EQ(after.action, PowerOnAction::Failed);
  EXPECT_EQ(after.reason, kReasonPowerOnTimeout);
  EXPECT_NE(after.message.find("10m"), std::string::npos);
  EXPECT_NE(after.message.find("2 attempts"), std::string::npos);
  EXPECT_NE(after.message.find("BMC unreachable: timeout"), std::string::npos);
}

TEST(PowerOn, RejectedCredentialsFailAtOnce) {
  const RedfishCredentialsRejected rejected("POST https://bmc/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
                                            "https://bmc");
  const AttemptFailure failure = classifyFailure(rejected);
  EXPECT_FALSE(failure.retryable);
  const PowerOnProgress progress = recordPowerOnAttempt({}, kStart, failure);
  const PowerOnDecision decision = decidePowerOn({}, progress, {}, kStart + seconds(1));
  EXPECT_EQ(decision.action, PowerOnAction::Failed);
  EXPECT_EQ(decision.reason, kReasonPowerOnRejected);
  EXPECT_NE(decision.message.find("credentials rejected by BMC https://bmc"), std::string::npos);
}

TEST(PowerOn, ClassifiesTransientAndInvalidFailures) {
  EXPECT_TRUE(classifyFailure(kube::TransportError("GET x", "refused")).retryable);
  EXPECT_FALSE(classifyFailure(ValidationError("spec.power.wakeOnLan.mac", "zz", "a MAC")).retryable);
  EXPECT_TRUE(classifyFailure(std::runtime_error("odd")).retryable);
}

TEST(PowerOn, ASuccessfulRetryClearsTheLastFailure) {
  PowerOnProgress progress = recordPowerOnAttempt({}, kStart, AttemptFailure{"refused", true});
  progress = recordPowerOnAttempt(progress, kStart + seconds(30));
  EXPECT_FALSE(progress.lastFailure);
  EXPECT_EQ(progress.attempts, 2);
  EXPECT_EQ(progress.startedAt, kStart);
}

PowerOffObservation drainedWithBmc(std::optional<SystemPowerState> state) {
  PowerOffObservation observed;
  observed.drainConfirmed = true;
  observed.bmcConfigured = true;
  observed.bmcPowerState = state;
  return observed;
}

TEST(PowerOff, NeverActsBeforeTheDrainIsConfirmed) {
  PowerOffObservation observed = drainedWithBmc(SystemPowerState::On);
  observed.drainConfirmed = false;
  // Even long after an order, with the BMC reporting On, nothing is sent.
  PowerOffProgress progress;
  progress.agentOrderedAt = kStart;
  for (const TimePoint now : {kStart, kStart + minutes(30), kStart + std::chrono::hours(24)}) {
    const PowerOffDecision decision = decidePowerOff({}, progress, observed, now);
    EXPECT_EQ(decision.action, PowerOffAction::WaitForDrain);
    EXPECT_EQ(decision.reason, kReasonWaitingForDrain);
  }
}

TEST(PowerOff, OrdersTheAgentFirst) {
  const PowerOffDecision decision = decidePowerOff({}, {}, drainedWithBmc(SystemPowerState::On), kStart);
  EXPECT_EQ(decision.action, PowerOffAction::OrderAgentPowerOff);
}

TEST(PowerOff, GracefulShutdownThenForceOffAfterTheTimeout) {
  PowerOffPolicy policy;
  policy.fallbackTimeout = minutes(5);
  const auto on = drainedWithBmc(SystemPowerState::On);
  PowerOffProgress progress = recordPowerOffAction({}, PowerOffAction::OrderAgentPowerOff, kStart);

  const PowerOffDecision agentTime = decidePowerOff(policy, progress, on, kStart + minutes(4));
  EXPECT_EQ(agentTime.action, PowerOffAction::Wait);
  EXPECT_EQ(agentTime.requeueAt, kStart + minutes(5));

  const PowerOffDecision graceful = decidePowerOff(policy, progress, on, kStart + minutes(5));
  ASSERT_EQ(graceful.action, PowerOffAction::SendGracefulShutdown);
  progress = recordPowerOffAction(progress, graceful.action, kStart + minutes(5));

  EXPECT_EQ(decidePowerOff(policy, progress, on, kStart + minutes(9)).action, PowerOffAction::Wait);
  const PowerOffDecision force = decidePowerOff(policy, progress, on, kStart + minutes(10));
  ASSERT_EQ(force.action, PowerOffAction::SendForceOff);
  progress = recordPowerOffAction(progress, force.action, kStart + minutes(10));

  EXPECT_EQ(decidePowerOff(policy, progress, drainedWithBmc(SystemPowerState::Off), kStart + minutes(11)).action,
            PowerOffAction::PoweredOff);
  const PowerOffDecision stuck = decidePowerOff(policy, progress, on, kStart + minutes(15));
  EXPECT_EQ(stuck.action, PowerOffAction::Stuck);
  EXPECT_EQ(stuck.reason, kReasonPowerOffStuck);
}

TEST(PowerOff, ForceOffOnlyWhenTheBmcSaysStillOn) {
  PowerOffProgress progress = recordPowerOffAction({}, PowerOffAction::OrderAgentPowerOff, kStart);
  progress = recordPowerOffAction(progress, PowerOffAction::SendGracefulShutdown, kStart + minutes(5));
  for (const auto state :
       {std::optional<SystemPowerState>{SystemPowerState::PoweringOff},
        std::optional<SystemPowerState>{SystemPowerState::Unknown}, std::optional<SystemPowerState>{}}) {
    EXPECT_EQ(decidePowerOff({}, progress, drainedWithBmc(state), kStart + minutes(20)).action, PowerOffAction::Wait);
  }
}

TEST(PowerOff, AgentPowerOffWithinTheTimeoutNeedsNoFallback) {
  const PowerOffProgress progress = recordPowerOffAction({}, PowerOffAction::OrderAgentPowerOff, kStart);
  EXPECT_EQ(decidePowerOff({}, progress, drainedWithBmc(SystemPowerState::Off), kStart + minutes(1)).action,
            PowerOffAction::PoweredOff);
}

TEST(PowerOff, WithoutABmcTheAgentIsTheOnlyWay) {
  PowerOffObservation observed;
  observed.drainConfirmed = true;
  const PowerOffProgress progress = recordPowerOffAction({}, PowerOffAction::OrderAgentPowerOff, kStart);
  EXPECT_EQ(decidePowerOff({}, progress, observed, kStart + minutes(1)).action, PowerOffAction::Wait);
  const PowerOffDecision stuck = decidePowerOff({}, progress, observed, kStart + minutes(6));
  EXPECT_EQ(stuck.action, PowerOffAction::Stuck);
  EXPECT_NE(stuck.message.find("no Redfish BMC"), std::string::npos);
  observed.agentReportsOff = true;
  EXPECT_EQ(decidePowerOff({}, progress, observed, kStart + minutes(6)).action, PowerOffAction::PoweredOff);
}

}  // namespace
}  // namespace fivespot::power
