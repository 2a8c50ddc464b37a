#pragma once
// Read-only views of the repository's deployable artefacts (manifests, kustomizations,
// Dockerfiles, CMake targets) for the manifest tests. Paths are relative to the source root.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace fivespot::manifests {

struct Manifest {
  std::string file;       // relative to the source root, e.g. "deploy/coordinator/deployment.yaml"
  std::size_t index = 0;  // document index inside the file
  nlohmann::json object;
};

// Every *.yaml / *.yml below root/<dir> for each dir (recursively, sorted), relative to root.
std::vector<std::string> yamlFilesUnder(const std::filesystem::path& root, const std::vector<std::string>& dirs);

// Every document of every file. Throws what yamlDocumentsToJson throws (ValidationError naming the file).
std::vector<Manifest> loadManifests(const std::filesystem::path& root, const std::vector<std::string>& files);

bool isKustomization(const nlohmann::json& object);

// The first manifest of `kind` named `name`, or nullptr.
const Manifest* findManifest(const std::vector<Manifest>& manifests, const std::string& kind, const std::string& name);

// Entries of a kustomization's resources, components and patches (paths, relative to its directory).
std::vector<std::string> kustomizationEntries(const nlohmann::json& kustomization);

// One Dockerfile instruction per logical line (continuations joined, comments dropped).
struct Instruction {
  std::string keyword;  // upper case: FROM, RUN, COPY, ...
  std::string arguments;
};
std::vector<Instruction> parseDockerfile(const std::string& text);

// Packages named by "apt-get install" in a RUN instruction (options such as -y dropped).
std::vector<std::string> aptInstalledPackages(const std::string& runArguments);

// Names of every add_executable() in the CMakeLists.txt files below root (build trees skipped).
std::set<std::string> cmakeExecutables(const std::filesystem::path& root);

// Whitespace-separated words, with ["a", "b"] JSON-array form (ENTRYPOINT) unwrapped.
std::vector<std::string> words(const std::string& text);

}  // namespace fivespot::manifests
