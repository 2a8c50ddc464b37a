#include "secret_data.hpp"

#include <array>

#include "fivespot/common/error.hpp"

namespace fivespot::coordinator {
namespace {

constexpr std::array<int, 256> decodeTable() {
  std::array<int, 256> table{};
  for (int& entry : table) entry = -1;
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  return table;
}

}  // namespace

std::string decodeBase64(std::string_view text, const std::string& field) {
  static constexpr auto kTable = decodeTable();
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned int buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = kTable[static_cast<unsigned char>(c)];
    if (value < 0) throw ValidationError(field, std::string(1, c), "base64 data");
    buffer = (buffer << 6) | static_cast<unsigned int>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::optional<std::string> secretValue(const kube::Json& secret, const std::string& key, const std::string& origin) {
  const kube::Json data = secret.value("data", kube::Json::object());
  if (const auto it = data.find(key); it != data.end() && it->is_string()) {
    return decodeBase64(it->get<std::string>(), "Secret " + origin + " data." + key);
  }
  const kube::Json stringData = secret.value("stringData", kube::Json::object());
  if (const auto it = stringData.find(key); it != stringData.end() && it->is_string()) return it->get<std::string>();
  return std::nullopt;
}

}  // namespace fivespot::coordinator
