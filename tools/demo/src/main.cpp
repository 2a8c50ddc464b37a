// fivespot-demo: the live demo of 5-Spot on an embedded test cluster (tools/demo.sh runs it).
// Demo tooling only: the product never links this.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <iostream>

#include "demo.hpp"
#include "fivespot/common/cli.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/logging.hpp"

namespace {

std::atomic<bool> interrupted{false};

// A handler rather than fivespot::ShutdownSignal: that one blocks SIGINT/SIGTERM, and a blocked
// mask is inherited across exec, so the demo's children could then not be stopped with SIGTERM.
void onSignal(int) {
  interrupted.store(true);
}

void installSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fivespot;
  CLI::App app{"Runs the live demo of 5-Spot against an embedded Kubernetes API test server", "fivespot-demo"};
  cli::addVersionFlag(app, "fivespot-demo");
  demo::DemoOptions options;
  bool shortMode = false;
  app.add_option("--bin-dir", options.binDir, "directory of the built programs")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--source-dir", options.sourceDir, "the repository (crds/, examples/demo/, tests/dbus/)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--work-dir", options.workDir, "state, logs, agent configs and the report (default: a new temp dir)");
  app.add_flag("--short", shortMode, "one-minute windows (about 90 s): the end-to-end test mode")
      ->envname("FIVESPOT_DEMO_SHORT");
  CLI11_PARSE(app, argc, argv);
  options.mode = shortMode ? demo::Mode::Short : demo::Mode::Full;
  // The timeline is the output; the demo's own log lines (informer retries) go to stderr, warnings only.
  logging::Options logOptions;
  logOptions.level = "warn";
  logOptions.component = "demo";
  logging::init(logOptions);
  installSignalHandlers();
  try {
    if (options.workDir.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "fivespot-demo.XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr) throw ConfigError("--work-dir", "cannot create a temporary directory");
      options.workDir = pattern;
    }
    std::filesystem::create_directories(options.workDir);
    std::cout << "5-Spot demo (" << (shortMode ? "short" : "full") << "): work directory " << options.workDir << "\n"
              << std::endl;
    return demo::runDemo(options, interrupted);
  } catch (const std::exception& e) {
    std::cerr << "fivespot-demo: " << e.what() << std::endl;
    return interrupted ? 130 : 1;
  }
}
