#include "source_tree.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

#include "fivespot/common/yaml_json.hpp"

namespace fivespot::manifests {
namespace fs = std::filesystem;

namespace {

bool isYaml(const fs::path& path) {
  return path.extension() == ".yaml" || path.extension() == ".yml";
}

bool isBuildTree(const fs::path& relative) {
  const auto first = relative.begin()->string();
  return first == ".git" || first == "build" || first.rfind("build-", 0) == 0;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

std::vector<std::string> yamlFilesUnder(const fs::path& root, const std::vector<std::string>& dirs) {
  std::vector<std::string> files;
  for (const auto& dir : dirs) {
    if (!fs::is_directory(root / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      if (entry.is_regular_file() && isYaml(entry.path())) {
        files.push_back(fs::relative(entry.path(), root).generic_string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<Manifest> loadManifests(const fs::path& root, const std::vector<std::string>& files) {
  std::vector<Manifest> manifests;
  for (const auto& file : files) {
    const auto documents = yamlDocumentsToJson(readFile((root / file).string()), file);
    for (std::size_t i = 0; i < documents.size(); ++i) manifests.push_back({file, i, documents[i]});
  }
  return manifests;
}

bool isKustomization(const nlohmann::json& object) {
  const auto kind = object.value("kind", "");
  return kind == "Kustomization" || kind == "Component";
}

const Manifest* findManifest(const std::vector<Manifest>& manifests, const std::string& kind, const std::string& name) {
  for (const auto& m : manifests) {
    if (m.object.value("kind", "") == kind && m.object.contains("metadata") &&
        m.object["metadata"].value("name", "") == name) {
      return &m;
    }
  }
  return nullptr;
}

std::vector<std::string> kustomizationEntries(const nlohmann::json& kustomization) {
  std::vector<std::string> entries;
  for (const char* key : {"resources", "components"}) {
    for (const auto& entry : kustomization.value(key, nlohmann::json::array()))
      entries.push_back(entry.get<std::string>());
  }
  for (const auto& patch : kustomization.value("patches", nlohmann::json::array())) {
    if (patch.contains("path")) entries.push_back(patch["path"].get<std::string>());
  }
  return entries;
}

std::vector<Instruction> parseDockerfile(const std::string& text) {
  std::vector<Instruction> instructions;
  std::istringstream in(text);
  std::string line;
  std::string logical;
  while (std::getline(in, line)) {
    const auto trimmed = trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;  // comments may sit inside continuations
    if (trimmed.back() == '\\') {
      logical += trim(trimmed.substr(0, trimmed.size() - 1)) + " ";
      continue;
    }
    logical += trimmed;
    const auto space = logical.find_first_of(" \t");
    instructions.push_back(
        {upper(logical.substr(0, space)), space == std::string::npos ? "" : trim(logical.substr(space + 1))});
    logical.clear();
  }
  return instructions;
}

std::vector<std::string> aptInstalledPackages(const std::string& runArguments) {
  std::vector<std::string> packages;
  static const std::regex install(R"(apt-get\s+install\s+([^&|;]*))");
  for (std::sregex_iterator it(runArguments.begin(), runArguments.end(), install), end; it != end; ++it) {
    for (const auto& word : words((*it)[1].str())) {
      if (word.front() != '-') packages.push_back(word);
    }
  }
  return packages;
}

std::set<std::string> cmakeExecutables(const fs::path& root) {
  std::set<std::string> names;
  static const std::regex addExecutable(R"(add_executable\(\s*([A-Za-z0-9_.+-]+))");
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    const auto relative = fs::relative(it->path(), root);
    if (it->is_directory() && isBuildTree(relative)) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->path().filename() != "CMakeLists.txt") continue;
    const auto text = readFile(it->path().string());
    for (std::sregex_iterator m(text.begin(), text.end(), addExecutable), end; m != end; ++m)
      names.insert((*m)[1].str());
  }
  return names;
}

std::vector<std::string> words(const std::string& text) {
  std::string cleaned = text;
  for (char& c : cleaned) {
    if (c == '[' || c == ']' || c == ',' || c == '"') c = ' ';
  }
  std::vector<std::string> result;
  std::istringstream in(cleaned);
  for (std::string word; in >> word;) result.push_back(word);
  return result;
}

}  // namespace fivespot::manifests
