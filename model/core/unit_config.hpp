// Static configuration of one remapping unit: the capability registers it reports (VT-d spec 11.4.1-11.4.3)
// and the platform's host address width (ACPI DMAR "Host Address Width" + 1).
#pragma once
#include <cstdint>

#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"

namespace vtd::core {

struct unit_config {
  uint32_t ver = 0x10;
  uint64_t cap = 0;
  uint64_t ecap = 0;
  unsigned haw = 46;
  // Spec 7.2.1 lets hardware drop a fault whose SID matches a pending FRCD (QEMU does). Off by default so
  // that every reportable fault is visible in the FRCDs.
  bool compress_same_sid_faults = false;

  static unit_config from_preset(const spec::capability_preset& p) {
    unit_config c;
    c.ver = p.ver;
    c.cap = p.cap;
    c.ecap = p.ecap;
    c.haw = p.haw;
    return c;
  }
  spec::reg::cap_reg cap_fields() const { return {cap}; }
  spec::reg::ecap_reg ecap_fields() const { return {ecap}; }
};

}  // namespace vtd::core
