#include "fivespot/controller/wait.hpp"

#include "fivespot/common/shutdown.hpp"

namespace fivespot::controller {

Waiter realTimeWaiter() {
  return [](std::stop_token token, Duration delay) { return waitFor(std::move(token), delay); };
}

}  // namespace fivespot::controller
