// CLI output files (see header).
#include "apps/vtdsim/atomic_file.hpp"

namespace vtdsim::app {

atomic_file::atomic_file(std::string path) : m_file(std::move(path)) {}

}  // namespace vtdsim::app
