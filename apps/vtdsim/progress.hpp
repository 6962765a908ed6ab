// Progress on a terminal: one self-overwriting line on stderr, at most a few times per second; silent when
// stderr is not a terminal (logs and pipes stay clean).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace vtdsim::app {

class progress_line {
 public:
  // `unit` names what is counted ("records", "points"); progress shows percent and an ETA when the total
  // is known, the rate otherwise.
  explicit progress_line(std::string label, bool enabled = true, std::string unit = "records");
  ~progress_line();
  void update(uint64_t done, uint64_t total = 0);  // total 0: unknown
  // When only the fraction of the input read so far is known (a compressed or text trace): percent and ETA
  // from it (fraction < 0: unknown, the rate alone).
  void update_fraction(uint64_t done, double fraction);
  // The same, with a note appended (e.g. "2 failed").
  void update(uint64_t done, uint64_t total, const std::string& note);
  void finish();

 private:
  // fraction: 0..1 through the work, or -1 when unknown (then the rate and the elapsed time).
  void show(uint64_t done, uint64_t total, double fraction, const std::string& note);

  std::string m_label, m_unit;
  bool m_enabled;
  bool m_shown = false;
  std::chrono::steady_clock::time_point m_start, m_last;
};

}  // namespace vtdsim::app
