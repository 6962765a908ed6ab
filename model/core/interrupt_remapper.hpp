// Interrupt remapping and posting (VT-d spec 5.1.x, 5.2, 9.10-9.12, Table 15):
// compatibility-format handling, remappable-format decode, IRTE fetch and validation, source-id checks, and
// posting into a posted-interrupt descriptor.
#pragma once
#include <cstdint>

#include "model/core/fault_recorder.hpp"
#include "model/core/register_file.hpp"
#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/translation_hooks.hpp"
#include "model/core/unit_config.hpp"
#include "model/core/walk_record.hpp"
#include "model/memory/physical_memory.hpp"
#include "model/spec/caps.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/msi.hpp"

namespace vtd::core {

// Posted-interrupt descriptor (VT-d spec "Posted Interrupt Descriptor"), 64 bytes: QW0-3 PIR, QW4 = bits
// 319:256 (ON, SN, NV, NDST).
struct posted_descriptor {
  uint64_t qw[8] = {};

  bool pir(unsigned vector) const { return (qw[vector / 64] >> (vector % 64)) & 1; }
  bool on() const { return qw[4] & 1; }                        // ON (256)
  bool sn() const { return (qw[4] >> 1) & 1; }                 // SN (257)
  uint8_t nv() const { return uint8_t(qw[4] >> 16); }          // NV (279:272)
  uint32_t ndst_raw() const { return uint32_t(qw[4] >> 32); }  // NDST (319:288)
  // Reserved: 271:258, 287:280, 511:320; in xAPIC mode also NDST 295:288 and 319:304 (APIC id in 303:296).
  bool has_reserved(bool eime) const {
    uint64_t m4 = spec::field_mask(15, 2) | spec::field_mask(31, 24);
    if (!eime) m4 |= spec::field_mask(39, 32) | spec::field_mask(63, 48);
    return (qw[4] & m4) || qw[5] || qw[6] || qw[7];
  }
  uint32_t ndst(bool eime) const { return eime ? ndst_raw() : (ndst_raw() >> 8) & 0xFF; }

  static posted_descriptor make(uint8_t nv, uint32_t ndst, bool eime, bool on = false, bool sn = false) {
    posted_descriptor d;
    uint64_t dst = eime ? ndst : uint64_t(ndst & 0xFF) << 8;
    d.qw[4] = (on ? 1u : 0u) | (sn ? 2u : 0u) | (uint64_t(nv) << 16) | (dst << 32);
    return d;
  }
  static constexpr uint64_t size_bytes = 64;
};

class interrupt_remapper {
 public:
  interrupt_remapper(const spec::caps& caps, const register_file& regs, physical_memory& mem,
                     fault_recorder& faults);

  void set_hooks(translation_hooks* hooks) { m_hooks = hooks; }
  interrupt_result remap(const interrupt_request& req, walk_record* rec);

  // Source-id validation of an IRTE against a requester id (IRTE SVT/SQ/SID). SVT=11 is reserved and
  // handled by the caller as 24h.
  static bool source_id_valid(const spec::irte& e, uint16_t requester);

 private:
  interrupt_result fail(const interrupt_request& req, spec::fault_reason r, uint32_t index, bool fpd);
  interrupt_result passthrough(const spec::msi_request& msi) const;
  interrupt_result post(const interrupt_request& req, const spec::irte& e, uint32_t index, walk_record* rec);

  const register_file& m_regs;
  physical_memory& m_mem;
  fault_recorder& m_faults;
  translation_hooks* m_hooks = nullptr;
  const spec::caps& m_caps;
};

}  // namespace vtd::core
