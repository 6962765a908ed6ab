// Picoseconds on the shell's per-request path, sc_time only where SystemC needs one. The timing model
// (model/timing) counts in integer picoseconds; a TLM transaction's delay and the kernel's time are sc_time,
// an integer number of ticks of the kernel's time resolution. At SystemC's default resolution (1 ps, the one
// the timed replay runs at) a tick is a picosecond and the conversion is the integer itself; building an
// sc_time from a double (sc_time(v, SC_PS)) and reading one back in seconds (to_seconds) cost ~70 and ~40
// instructions a request, a quarter of the shell's cost per DMA. At another resolution (a platform that
// called sc_set_time_resolution) the conversions go through seconds as they always did.
#pragma once
#include <systemc>

#include "model/timing/timing_params.hpp"

namespace vtd::sysc {

// True when the kernel's time resolution is 1 ps (an sc_time tick is a picosecond). Reading the resolution
// fixes it, as building any non-zero sc_time does: call it once elaboration is over (start_of_simulation).
bool time_resolution_is_ps();

// The conversions for any time resolution: through seconds, rounded to the nearest picosecond (to_ps_any),
// and from a picosecond count in double (from_ps_any, rounded to the nearest tick). At 1 ps they equal the
// exact ones below for every time up to 2^50 ps (about 19 simulated minutes; tests/sysc/ps_time_test.cpp),
// beyond which the double loses picoseconds.
timing::picoseconds to_ps_any(const sc_core::sc_time& t);
sc_core::sc_time from_ps_any(timing::picoseconds ps);

// Converts with the integer when the resolution is 1 ps, through seconds otherwise (and until settle() has
// looked at the resolution).
class ps_converter {
 public:
  // Looks at the kernel's time resolution; call when it is final (start_of_simulation).
  void settle() {
    m_exact = time_resolution_is_ps();
    m_tick = sc_core::sc_time::from_value(1);
  }
  bool exact() const { return m_exact; }

  timing::picoseconds to_ps(const sc_core::sc_time& t) const { return m_exact ? t.value() : to_ps_any(t); }
  // sc_time's own scaling, inline: one tick times the count, rounded (sc_time::operator*=), which is what
  // sc_time(double(ps), SC_PS) computes at 1 ps (the same product plus one half, truncated): equal to it for
  // every value, and to the count itself below 2^52. sc_time::from_value would be exact beyond, but it is
  // a library call.
  sc_core::sc_time from_ps(timing::picoseconds ps) const {
    return m_exact ? m_tick * static_cast<double>(ps) : from_ps_any(ps);
  }
  // Kernel ticks <-> picoseconds, for a time kept as ticks (request_initiator's local time).
  uint64_t ticks(timing::picoseconds ps) const { return m_exact ? ps : from_ps_any(ps).value(); }
  timing::picoseconds ps_of_ticks(uint64_t ticks) const {
    return m_exact ? ticks : to_ps_any(sc_core::sc_time::from_value(ticks));
  }
  // An sc_time of `ticks` ticks (exact below 2^52 ticks at 1 ps, as from_ps).
  sc_core::sc_time time_of_ticks(uint64_t ticks) const {
    return m_exact ? m_tick * static_cast<double>(ticks) : sc_core::sc_time::from_value(ticks);
  }

 private:
  bool m_exact = false;
  sc_core::sc_time m_tick;  // one tick of the resolution (settle())
};

}  // namespace vtd::sysc
