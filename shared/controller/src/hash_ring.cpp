#include "fivespot/controller/hash_ring.hpp"

#include <algorithm>
#include <stdexcept>

namespace fivespot::controller {

std::uint64_t stableHash64(std::string_view text) noexcept {
  constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
  constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
  std::uint64_t hash = kFnvOffset;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnvPrime;
  }
  // MurmurHash3 fmix64: FNV-1a alone leaves inputs that differ in their last byte close together.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return hash;
}

HashRing::HashRing(std::vector<std::string> members, int virtualNodes) : members_(std::move(members)) {
  if (virtualNodes < 1) throw std::invalid_argument("HashRing: virtualNodes must be at least 1");
  std::sort(members_.begin(), members_.end());
  members_.erase(std::unique(members_.begin(), members_.end()), members_.end());
  points_.reserve(members_.size() * static_cast<std::size_t>(virtualNodes));
  for (std::uint32_t index = 0; index < members_.size(); ++index) {
    for (int replica = 0; replica < virtualNodes; ++replica) {
      points_.emplace_back(stableHash64(members_[index] + "#" + std::to_string(replica)), index);
    }
  }
  std::sort(points_.begin(), points_.end());
}

const std::string* HashRing::ownerOf(std::string_view key) const {
  if (points_.empty()) return nullptr;
  const std::uint64_t hash = stableHash64(key);
  auto point = std::lower_bound(points_.begin(), points_.end(), std::make_pair(hash, std::uint32_t{0}));
  if (point == points_.end()) point = points_.begin();  // wrap around the ring
  return &members_[point->second];
}

std::optional<std::string> HashRing::owner(std::string_view key) const {
  const std::string* member = ownerOf(key);
  if (member == nullptr) return std::nullopt;
  return *member;
}

bool HashRing::isOwner(std::string_view member, std::string_view key) const {
  const std::string* owner = ownerOf(key);
  return owner != nullptr && *owner == member;
}

}  // namespace fivespot::controller
