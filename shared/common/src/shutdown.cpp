#include "fivespot/common/shutdown.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace fivespot {

struct ShutdownSignal::State {
  std::atomic<int> signal{0};
  sigset_t set{};
  std::jthread waiter;
};

ShutdownSignal::ShutdownSignal() : state_(new State) {
  sigemptyset(&state_->set);
  sigaddset(&state_->set, SIGINT);
  sigaddset(&state_->set, SIGTERM);
  // SIGUSR2 only wakes the waiter on destruction; blocked before the thread starts so that it can
  // never take the default (terminating) action.
  sigset_t blocked = state_->set;
  sigaddset(&blocked, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  state_->waiter = std::jthread([this] {
    int received = 0;
    sigset_t waitSet = state_->set;
    sigaddset(&waitSet, SIGUSR2);
    sigwait(&waitSet, &received);
    if (received != SIGUSR2) state_->signal = received;
    source_.request_stop();
  });
}

ShutdownSignal::~ShutdownSignal() {
  if (state_->waiter.joinable()) {
    pthread_kill(state_->waiter.native_handle(), SIGUSR2);
    state_->waiter.join();
  }
  delete state_;
}

int ShutdownSignal::signalNumber() const noexcept {
  return state_->signal.load();
}

bool waitFor(std::stop_token token, std::chrono::nanoseconds d) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  cv.wait_for(lock, token, d, [] { return false; });
  return !token.stop_requested();
}

}  // namespace fivespot
