// The tool's version, for --version and for the "tool_version" field of JSON outputs (reproducibility).
#pragma once
#include <string>

namespace vtdsim::app {

// "0.1.0 (commit 1a2b3c4d5e6f)"; the commit carries "-dirty" when the tree had uncommitted changes.
std::string tool_version();

}  // namespace vtdsim::app
