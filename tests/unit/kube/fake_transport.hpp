#pragma once
// A scripted HttpTransport: answers queued responses in order and records every request, so client
// tests check exactly what goes over the wire without a server.
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "fivespot/kube/errors.hpp"
#include "fivespot/kube/http.hpp"

namespace fivespot::kube::testing {

// Lines a FakeStream hands out; an empty optional in the script means "the stream breaks here".
class FakeStream final : public HttpStream {
 public:
  FakeStream(int status, std::vector<std::string> lines) : status_(status), lines_(lines.begin(), lines.end()) {}
  [[nodiscard]] int status() const override { return status_; }
  std::optional<std::string> readLine() override {
    if (cancelled_ || lines_.empty()) return std::nullopt;
    std::string line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }
  void cancel() override { cancelled_ = true; }

 private:
  int status_;
  std::deque<std::string> lines_;
  bool cancelled_ = false;
};

class FakeTransport final : public HttpTransport {
 public:
  struct Recorded {
    HttpRequest request;
    std::chrono::milliseconds timeout;
    [[nodiscard]] std::string header(const std::string& name) const {
      for (const auto& [key, value] : request.headers) {
        if (key == name) return value;
      }
      return "";
    }
  };

  void respond(int status, std::string body, std::map<std::string, std::string> headers = {}) {
    responses_.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void respondStream(int status, std::vector<std::string> lines) { streams_.emplace_back(status, std::move(lines)); }

  HttpResponse send(const HttpRequest& request, std::chrono::milliseconds timeout) override {
    std::lock_guard lock(mutex_);
    requests.push_back({request, timeout});
    if (responses_.empty()) throw std::logic_error("FakeTransport: no scripted response for " + request.target);
    HttpResponse response = std::move(responses_.front());
    responses_.pop_front();
    return response;
  }

  std::unique_ptr<HttpStream> openStream(const HttpRequest& request, std::chrono::milliseconds idleTimeout) override {
    std::lock_guard lock(mutex_);
    requests.push_back({request, idleTimeout});
    if (streams_.empty()) throw std::logic_error("FakeTransport: no scripted stream for " + request.target);
    auto [status, lines] = std::move(streams_.front());
    streams_.pop_front();
    return std::make_unique<FakeStream>(status, std::move(lines));
  }

  [[nodiscard]] std::size_t pending() const { return responses_.size() + streams_.size(); }

  std::vector<Recorded> requests;

 private:
  std::mutex mutex_;
  std::deque<HttpResponse> responses_;
  std::deque<std::pair<int, std::vector<std::string>>> streams_;
};

}  // namespace fivespot::kube::testing
