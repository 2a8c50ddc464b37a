#pragma once
// The drain's I/O: Eviction API calls for many pods in parallel on a bounded number of threads.
// Each eviction carries the pod's UID as a precondition, so a pod recreated under the same name is
// never evicted by mistake (and counts as gone). 429 means a PodDisruptionBudget refuses it for now:
// the caller reports the PDB and retries on its next drain poll (never deleting behind its back).
#include <cstddef>
#include <string>
#include <vector>

#include "fivespot/coordinator/drain.hpp"
#include "fivespot/kube/client.hpp"

namespace fivespot::coordinator {

struct EvictionRound {
  std::size_t evicted = 0;
  std::size_t gone = 0;     // 404, or the UID precondition failed (a new pod with that name)
  std::size_t blocked = 0;  // 429
  // "<namespace>/<pdb>: <server message>", one entry per blocking PDB, sorted.
  std::vector<std::string> blockingPdbs;
};

// Whether a LabelSelector (matchLabels + matchExpressions) selects `labels`. An empty selector
// selects everything; a null/absent one nothing (PDB semantics of policy/v1).
bool selectorMatches(const kube::Json& selector, const kube::Json& labels);

class Evictor {
 public:
  Evictor(kube::Client& client, int parallelism);
  // Evicts `pods` (their objects in `podObjects` give the labels to name blocking PDBs). Throws the
  // first unexpected error after every eviction of the round has finished.
  EvictionRound evict(const std::vector<PodRef>& pods, const std::vector<kube::Json>& podObjects);
  // Kill switch with --kill-switch-force-delete: plain deletes, PDBs ignored. Returns pods deleted.
  std::size_t forceDelete(const std::vector<PodRef>& pods);

 private:
  enum class Result { Evicted, Gone, Blocked };
  Result evictOne(const PodRef& pod, std::string& blockedMessage);
  std::vector<std::string> describeBlocking(const std::vector<std::pair<PodRef, std::string>>& blocked,
                                            const std::vector<kube::Json>& podObjects);

  kube::Client& client_;
  const int parallelism_;
};

}  // namespace fivespot::coordinator
