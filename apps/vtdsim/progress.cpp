// Terminal progress line (see header).
#include "apps/vtdsim/progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>

namespace vtdsim::app {

namespace {
std::string duration_text(double seconds) {
  const auto s = uint64_t(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}
}  // namespace

progress_line::progress_line(std::string label, bool enabled, std::string unit)
    : m_label(std::move(label)),
      m_unit(std::move(unit)),
      m_enabled(enabled && isatty(STDERR_FILENO)),
      m_start(std::chrono::steady_clock::now()),
      m_last(m_start) {}

progress_line::~progress_line() {
  finish();
}

void progress_line::update(uint64_t done, uint64_t total) {
  update(done, total, std::string());
}

void progress_line::update(uint64_t done, uint64_t total, const std::string& note) {
  show(done, total, total ? double(std::min(done, total)) / double(total) : -1, note);
}

void progress_line::update_fraction(uint64_t done, double fraction) {
  show(done, 0, fraction > 0 ? std::min(fraction, 1.0) : -1, std::string());
}

void progress_line::show(uint64_t done, uint64_t total, double fraction, const std::string& note) {
  if (!m_enabled) return;
  auto now = std::chrono::steady_clock::now();
  if (now - m_last < std::chrono::milliseconds(200) && fraction < 1) return;  // the last update always shows
  m_last = now;
  const double secs = std::chrono::duration<double>(now - m_start).count();
  const double rate = secs > 0 ? double(done) / secs : 0;
  const std::string rate_text =
      rate >= 1e5 ? fmt::format("{:.2f} M/s", rate / 1e6) : fmt::format("{:.1f}/s", rate);
  const std::string count =
      total ? fmt::format("{} / {} {}", done, total, m_unit) : fmt::format("{} {}", done, m_unit);
  std::string text;
  if (fraction >= 0) {
    const std::string eta =
        fraction > 0 && fraction < 1 ? duration_text(secs * (1 - fraction) / fraction) : std::string("-");
    text = fmt::format("{}: {:5.1f}%  {}  {}  ETA {}", m_label, 100.0 * fraction, count, rate_text, eta);
  } else {
    text = fmt::format("{}: {}  {}  {} elapsed", m_label, count, rate_text, duration_text(secs));
  }
  if (!note.empty()) text += "  " + note;
  fmt::print(stderr, "\r{}\033[K", text);
  m_shown = true;
}

void progress_line::finish() {
  if (m_shown) fmt::print(stderr, "\r\033[K");
  m_shown = false;
}

}  // namespace vtdsim::app
