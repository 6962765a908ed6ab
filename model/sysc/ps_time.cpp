// Picosecond conversions (see header).
#include "model/sysc/ps_time.hpp"

namespace vtd::sysc {

bool time_resolution_is_ps() {
  // One tick (the resolution) equals one picosecond exactly: at 1 fs a picosecond is 1000 ticks, at 10 ps
  // it rounds to none.
  return sc_core::sc_get_time_resolution() == sc_core::sc_time(1.0, sc_core::SC_PS);
}

timing::picoseconds to_ps_any(const sc_core::sc_time& t) {
  return static_cast<timing::picoseconds>(t.to_seconds() * 1e12 + 0.5);
}

sc_core::sc_time from_ps_any(timing::picoseconds ps) {
  return sc_core::sc_time(static_cast<double>(ps), sc_core::SC_PS);
}

}  // namespace vtd::sysc
