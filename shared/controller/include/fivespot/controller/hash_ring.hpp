#pragma once
// Consistent hashing over the live coordinator instances: each member is placed on a 64-bit ring
// at many virtual points, and a key belongs to the first point at or after its own hash. Adding
// an (N+1)th member therefore moves only about 1/(N+1) of the keys, and removing a member moves
// only that member's keys.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fivespot::controller {

// FNV-1a (64-bit) followed by a MurmurHash3 finaliser so that similar inputs ("node-1#7",
// "node-1#8") land far apart. Stable across builds and platforms, unlike std::hash.
[[nodiscard]] std::uint64_t stableHash64(std::string_view text) noexcept;

class HashRing {
 public:
  static constexpr int kDefaultVirtualNodes = 128;

  // Duplicate member ids count once. An empty ring owns nothing.
  explicit HashRing(std::vector<std::string> members = {}, int virtualNodes = kDefaultVirtualNodes);

  // The member that owns `key`, std::nullopt when the ring is empty.
  [[nodiscard]] std::optional<std::string> owner(std::string_view key) const;
  [[nodiscard]] bool isOwner(std::string_view member, std::string_view key) const;
  // Sorted, without duplicates.
  [[nodiscard]] const std::vector<std::string>& members() const noexcept { return members_; }
  [[nodiscard]] bool empty() const noexcept { return members_.empty(); }

 private:
  [[nodiscard]] const std::string* ownerOf(std::string_view key) const;

  std::vector<std::string> members_;
  // (point hash, index into members_), sorted; ties broken by member index for determinism.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> points_;
};

}  // namespace fivespot::controller
