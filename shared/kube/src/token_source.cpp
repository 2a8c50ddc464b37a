#include "token_source.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "fivespot/common/error.hpp"

namespace fivespot::kube::detail {
namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

TokenSource::TokenSource(std::string staticToken, std::string tokenFile)
    : staticToken_(std::move(staticToken)), tokenFile_(std::move(tokenFile)) {}

std::string TokenSource::token() {
  if (tokenFile_.empty()) return staticToken_;
  std::lock_guard lock(mutex_);
  struct stat info {};
  if (::stat(tokenFile_.c_str(), &info) != 0) {
    if (!loaded_) throw ConfigError(tokenFile_, "bearer token file cannot be read");
    return cached_;  // mid-rotation: the old token stays valid for a while
  }
  const FileStamp stamp{static_cast<unsigned long long>(info.st_dev), static_cast<unsigned long long>(info.st_ino),
                        static_cast<unsigned long long>(info.st_size),
                        static_cast<long long>(info.st_mtim.tv_sec) * 1'000'000'000LL + info.st_mtim.tv_nsec};
  if (loaded_ && stamp == lastStamp_) return cached_;
  std::ifstream in(tokenFile_, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  const std::string token = trimmed(content.str());
  if (!in || token.empty()) {
    if (!loaded_) throw ConfigError(tokenFile_, "bearer token file cannot be read or is empty");
    spdlog::warn("kube: token file {} could not be re-read; keeping the previous token", tokenFile_);
    return cached_;
  }
  if (loaded_) spdlog::info("kube: bearer token file {} changed; using the new token", tokenFile_);
  cached_ = token;
  lastStamp_ = stamp;
  loaded_ = true;
  return cached_;
}

}  // namespace fivespot::kube::detail
