#pragma once
// Flags every binary shares (logging, version), so that each program parses them the same way.
#include <CLI/CLI.hpp>
#include <string>

#include "fivespot/common/logging.hpp"

namespace fivespot::cli {

struct LoggingFlags {
  std::string level = "info";
  std::string format = "text";
  int verbosity = 0;
};

// Adds --log-level, --log-format (env LOG_FORMAT, or upstream's RUST_LOG_FORMAT) and -v/--verbose.
void addLoggingFlags(CLI::App& app, LoggingFlags& flags);
// Adds --version printing "<program> <version> (<git revision>)".
void addVersionFlag(CLI::App& app, const std::string& program);
logging::Options toLoggingOptions(const LoggingFlags& flags, const std::string& component);

}  // namespace fivespot::cli
