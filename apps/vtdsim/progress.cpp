// Terminal progress line (see header).
#include "apps/vtdsim/progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

namespace vtdsim::app {

progress_line::progress_line(std::string label, bool enabled)
    : m_label(std::move(label)),
      m_enabled(enabled && isatty(STDERR_FILENO)),
      m_start(std::chrono::steady_clock::now()),
      m_last(m_start) {}

progress_line::~progress_line() {
  finish();
}

void progress_line::update(uint64_t done, uint64_t total) {
  if (!m_enabled) return;
  auto now = std::chrono::steady_clock::now();
  if (now - m_last < std::chrono::milliseconds(200)) return;
  m_last = now;
  double secs = std::chrono::duration<double>(now - m_start).count();
  double rate = secs > 0 ? double(done) / secs : 0;
  if (total)
    fmt::print(stderr, "\r{}: {:5.1f}%  {:>12} / {} records  {:6.2f} M/s ", m_label,
               100.0 * double(done) / double(total), done, total, rate / 1e6);
  else
    fmt::print(stderr, "\r{}: {:>12} records  {:6.2f} M/s ", m_label, done, rate / 1e6);
  m_shown = true;
}

void progress_line::finish() {
  if (m_shown) fmt::print(stderr, "\r\033[K");
  m_shown = false;
}

}  // namespace vtdsim::app
