#pragma once
// Wires the coordinator together and runs it until shutdown: startup checks, informers, the
// reconcile workers, leader election / sharding, metrics and health endpoints.
#include "fivespot/common/shutdown.hpp"
#include "options.hpp"

namespace fivespot::coordinator {

// Returns the process exit code. Throws ConfigError (bad flags, kubeconfig, missing CRDs or CAPI)
// and kube errors from the startup checks.
int run(const Options& options, ShutdownSignal& shutdown);

}  // namespace fivespot::coordinator
