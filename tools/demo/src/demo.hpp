#pragma once
// The live demo: a Kubernetes API test server with the CAPI/kubelet simulator, two
// fivespot-coordinator replicas with leader election, three fivespot-agent processes in host mode
// (each with its own dbus-daemon and fake logind), a Wake-on-LAN loopback listener, and the three
// demo ScheduledMachines of examples/demo/ whose windows open and close during the run.
#include <atomic>
#include <string>

#include "plan.hpp"

namespace fivespot::demo {

struct DemoOptions {
  std::string binDir;     // where kube-test-server, fivespot-* and kubectl-5spot are
  std::string sourceDir;  // the repository: crds/, examples/demo/, tests/dbus/fake_login1.py
  std::string workDir;    // created; state, logs, agent configs and the report go here
  Mode mode = Mode::Full;
};

// Runs the demo to the end and returns the exit code: 0 when every machine went through its
// expected phases (and was woken and powered off), 1 otherwise, 130 when `interrupted` was set.
// Every process it started is stopped before it returns.
int runDemo(const DemoOptions& options, const std::atomic<bool>& interrupted);

}  // namespace fivespot::demo
