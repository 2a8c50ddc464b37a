#pragma once
// The bearer token for requests: a static token, or a token file re-read whenever it changes on
// disk (kubelet rotates projected service-account tokens by swapping the file under a symlink).
#include <mutex>
#include <string>

namespace fivespot::kube::detail {

class TokenSource {
 public:
  TokenSource(std::string staticToken, std::string tokenFile);

  // The current token ("" when there is none). With a token file: re-reads the file when its
  // identity, size or modification time changed; if a re-read fails, keeps the last good token.
  // Throws ConfigError when the file has never been readable.
  std::string token();

 private:
  struct FileStamp {
    unsigned long long device = 0, inode = 0, size = 0;
    long long modifiedNs = 0;
    bool operator==(const FileStamp&) const = default;
  };

  std::string staticToken_;
  std::string tokenFile_;
  std::mutex mutex_;
  FileStamp lastStamp_;
  bool loaded_ = false;
  std::string cached_;
};

}  // namespace fivespot::kube::detail
