// Fuzzes watch-stream decoding: the input is the body of a watch response, served line by line
// (the last line possibly truncated) to the client's stream watch. Every event must come out as
// an event or as a typed fivespot::Error (TransportError for a broken line); nothing else may
// escape, and the watch must stop at the end of the stream.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "fivespot/common/error.hpp"
#include "watch.hpp"  // shared/kube/src: the stream decoder

namespace {

class BufferStream final : public fivespot::kube::HttpStream {
 public:
  explicit BufferStream(std::string body) : body_(std::move(body)) {}
  [[nodiscard]] int status() const override { return 200; }
  std::optional<std::string> readLine() override {
    if (position_ >= body_.size()) return std::nullopt;
    const auto end = body_.find('\n', position_);
    const auto stop = end == std::string::npos ? body_.size() : end;
    std::string line = body_.substr(position_, stop - position_);
    position_ = stop + 1;
    return line;
  }
  void cancel() override { position_ = body_.size(); }

 private:
  std::string body_;
  std::size_t position_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto watch = fivespot::kube::detail::makeStreamWatch(std::make_unique<BufferStream>(body), "GET /fuzz?watch=true");
  std::size_t events = 0;
  try {
    while (auto event = watch->next()) {
      if (++events > size + 1) std::abort();  // more events than lines: the decoder loops
    }
  } catch (const fivespot::Error&) {
    // a broken stream, reported as a typed error
  }
  return 0;
}
