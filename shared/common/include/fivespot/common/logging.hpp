#pragma once
// Process-wide logging on spdlog: human text for terminals, one JSON object per line for collectors.
#include <string>

namespace fivespot::logging {

enum class Format { Text, Json };

struct Options {
  Format format = Format::Text;
  // "trace", "debug", "info", "warn", "error"; each -v lowers it by one step from info.
  std::string level = "info";
  int verbosity = 0;
  std::string component;  // logger name, e.g. "coordinator"
};

// Throws ConfigError for an unknown level or format name.
Format parseFormat(const std::string& name);
void init(const Options& options);

}  // namespace fivespot::logging
