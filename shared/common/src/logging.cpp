#include "fivespot/common/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"

namespace fivespot::logging {
namespace {

// One JSON object per line; message text escaped properly (a pattern string cannot do that).
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::json line;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch());
    line["ts"] = static_cast<double>(micros.count()) / 1e6;
    line["level"] =
        std::string(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size());
    if (msg.logger_name.size() > 0) line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    line["thread"] = msg.thread_id;
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  [[nodiscard]] std::unique_ptr<formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

spdlog::level::level_enum parseLevel(const std::string& name) {
  const auto level = spdlog::level::from_str(name);
  if (level == spdlog::level::off && name != "off") {
    throw ConfigError("--log-level", "unknown log level \"" + name + "\"; expected trace, debug, info, warn or error");
  }
  return level;
}

}  // namespace

Format parseFormat(const std::string& name) {
  if (name == "text") return Format::Text;
  if (name == "json") return Format::Json;
  throw ConfigError("--log-format", "unknown log format \"" + name + "\"; expected text or json");
}

void init(const Options& options) {
  auto level = parseLevel(options.level);
  level = static_cast<spdlog::level::level_enum>(std::max(0, static_cast<int>(level) - options.verbosity));
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(options.component, sink);
  if (options.format == Format::Json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace fivespot::logging
