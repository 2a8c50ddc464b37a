#include "fivespot/common/cli.hpp"

#include <cstdlib>

#include "fivespot/common/version.hpp"

namespace fivespot::cli {

void addLoggingFlags(CLI::App& app, LoggingFlags& flags) {
  if (const char* upstream = std::getenv("RUST_LOG_FORMAT"); upstream != nullptr && *upstream != '\0') {
    flags.format = upstream;  // upstream's variable; LOG_FORMAT and the flag still win
  }
  app.add_option("--log-level", flags.level, "Log level: trace, debug, info, warn, error")
      ->envname("LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--log-format", flags.format, "Log format: text or json")
      ->envname("LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}, CLI::ignore_case))
      ->capture_default_str();
  app.add_flag("-v,--verbose", flags.verbosity, "More verbose logging (repeat for trace)");
}

void addVersionFlag(CLI::App& app, const std::string& program) {
  app.set_version_flag("--version", program + " " + kVersion + " (" + kGitRevision + ")");
}

logging::Options toLoggingOptions(const LoggingFlags& flags, const std::string& component) {
  logging::Options options;
  options.level = flags.level;
  options.format = logging::parseFormat(flags.format);
  options.verbosity = flags.verbosity;
  options.component = component;
  return options;
}

}  // namespace fivespot::cli
