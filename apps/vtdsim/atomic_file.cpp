// Atomic output files (see header).
#include "apps/vtdsim/atomic_file.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace vtdsim::app {

atomic_file::atomic_file(std::string path) : m_path(std::move(path)), m_tmp(m_path + ".tmp") {
  m_file = std::fopen(m_tmp.c_str(), "wb");
  if (!m_file) throw std::runtime_error(fmt::format("{}: cannot create", m_tmp));
}

atomic_file::~atomic_file() {
  if (m_file) {
    std::fclose(m_file);
    std::remove(m_tmp.c_str());
  }
}

void atomic_file::write(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), m_file) != text.size())
    throw std::runtime_error(fmt::format("{}: write failed", m_tmp));
}

void atomic_file::commit() {
  if (!m_file) return;
  const bool ok = std::fflush(m_file) == 0 && !std::ferror(m_file);
  std::fclose(m_file);
  m_file = nullptr;
  if (!ok || std::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    std::remove(m_tmp.c_str());
    throw std::runtime_error(fmt::format("{}: could not be written", m_path));
  }
}

}  // namespace vtdsim::app
