#pragma once
// How the background loops wait between rounds: injected so that tests can drive the loops
// without real time passing.
#include <functional>
#include <stop_token>

#include "fivespot/common/clock.hpp"

namespace fivespot::controller {

// Waits for the duration or until the token is stopped; returns false when stopped.
using Waiter = std::function<bool(std::stop_token, Duration)>;

// The production waiter: fivespot::waitFor on the real clock.
[[nodiscard]] Waiter realTimeWaiter();

}  // namespace fivespot::controller
