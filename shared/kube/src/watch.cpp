#include "watch.hpp"

#include <atomic>

namespace fivespot::kube::detail {
namespace {

std::optional<WatchEvent::Type> eventType(const std::string& name) {
  if (name == "ADDED") return WatchEvent::Type::Added;
  if (name == "MODIFIED") return WatchEvent::Type::Modified;
  if (name == "DELETED") return WatchEvent::Type::Deleted;
  if (name == "BOOKMARK") return WatchEvent::Type::Bookmark;
  if (name == "ERROR") return WatchEvent::Type::Error;
  return std::nullopt;
}

std::string excerpt(const std::string& line) {
  constexpr std::size_t kMax = 120;
  return line.size() <= kMax ? line : line.substr(0, kMax) + "...";
}

class StreamWatch final : public Watch {
 public:
  StreamWatch(std::unique_ptr<HttpStream> stream, std::string request)
      : stream_(std::move(stream)), request_(std::move(request)) {}

  std::optional<WatchEvent> next() override {
    while (!cancelled_) {
      auto line = stream_->readLine();
      if (!line || cancelled_) return std::nullopt;
      if (line->find_first_not_of(" \t\r") == std::string::npos) continue;  // keep-alive blank line
      return parseWatchLine(*line, request_);
    }
    return std::nullopt;
  }

  void cancel() override {
    cancelled_ = true;
    stream_->cancel();
  }

 private:
  std::unique_ptr<HttpStream> stream_;
  std::string request_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

WatchEvent parseWatchLine(const std::string& line, const std::string& request) {
  const Json event = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object())
    throw TransportError(request, "watch stream broke: malformed event \"" + excerpt(line) + "\"");
  const auto type = event.find("type");
  const auto object = event.find("object");
  if (type == event.end() || !type->is_string() || object == event.end() || !object->is_object()) {
    throw TransportError(request, "watch event lacks type or object: \"" + excerpt(line) + "\"");
  }
  const auto decoded = eventType(type->get<std::string>());
  if (!decoded) throw TransportError(request, "unknown watch event type \"" + type->get<std::string>() + "\"");
  return WatchEvent{*decoded, *object};
}

std::unique_ptr<Watch> makeStreamWatch(std::unique_ptr<HttpStream> stream, std::string request) {
  return std::make_unique<StreamWatch>(std::move(stream), std::move(request));
}

}  // namespace fivespot::kube::detail
