#pragma once
// Decoding of a watch stream: one JSON event per line (pure parsing separated from the stream).
#include <memory>
#include <string>

#include "fivespot/kube/client.hpp"

namespace fivespot::kube::detail {

// One line of a watch response as an event. Throws TransportError (naming `request`) when the line
// is not a complete {type, object} event: a truncated or garbled line means the stream broke.
WatchEvent parseWatchLine(const std::string& line, const std::string& request);

// A Watch reading events from an already opened 200 stream.
std::unique_ptr<Watch> makeStreamWatch(std::unique_ptr<HttpStream> stream, std::string request);

}  // namespace fivespot::kube::detail
