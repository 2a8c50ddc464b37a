#include "temp_dir.hpp"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>

namespace fivespot::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "fivespot-agent-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& relative, const std::string& content) const {
  const auto file = path_ / relative;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + file.string());
  return file;
}

}  // namespace fivespot::testing
