# Every dependency comes from a Debian 12 package; nothing is downloaded at build time.
# Target names are documented in the team handbook (reference/toolchain.md).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS system)
find_package(OpenSSL 3 REQUIRED)
find_package(cpprestsdk 2.10 CONFIG REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(spdlog 1.10 CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)   # Debian ships no version file: no version argument.
find_package(civetweb CONFIG REQUIRED)
find_package(date 3.0 CONFIG REQUIRED)
find_package(yaml-cpp 0.7 CONFIG REQUIRED)
find_package(CLI11 2.1 CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

if(TARGET yaml-cpp::yaml-cpp)
  set(FIVESPOT_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(FIVESPOT_YAML_TARGET yaml-cpp)
endif()

if(FIVESPOT_BUILD_TESTS)
  find_package(GTest 1.12 CONFIG REQUIRED)
  include(GoogleTest)
endif()
if(FIVESPOT_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
