// The VT-d register page a driver programs (VT-d spec chapter 11): offsets, RO/RW/RW1C/WO
// masks, 4- and 8-byte accesses, and the GCMD/GSTS command protocol (GCMD_REG) with the state it latches.
#pragma once
#include <cstdint>
#include <vector>

#include "model/core/fault_recorder.hpp"
#include "model/core/unit_config.hpp"
#include "model/spec/caps.hpp"
#include "model/spec/registers.hpp"

namespace vtd::core {

// Lets the invalidation engine and the caches react to register writes without the register file knowing
// them.
class register_listener {
 public:
  virtual ~register_listener() = default;
  // Software wrote CCMD, IVA, IOTLB_REG, IQT, IQA, ICS or FSTS (offset of the register's first byte; value
  // after masks).
  virtual void on_command_write(uint32_t offset, uint64_t value) {
    (void)offset;
    (void)value;
  }
  // A GCMD write took effect; `acted` holds the GCMD bits that acted (TE/QIE/IRE/CFI on change,
  // SRTP/SIRTP/WBF).
  virtual void on_global_command(uint32_t acted) { (void)acted; }
};

class register_file {
 public:
  // `caps`: the unit's decoded capabilities (must outlive the register file).
  register_file(const unit_config& cfg, const spec::caps& caps, fault_recorder& faults);

  // Software access. size is 4 or 8 and the offset must be size-aligned (else: read 0 / write refused).
  // Unimplemented offsets read 0 and ignore writes.
  uint64_t read(uint32_t offset, unsigned size) const;
  bool write(uint32_t offset, uint64_t value, unsigned size);
  uint32_t read32(uint32_t offset) const { return uint32_t(read(offset, 4)); }
  uint64_t read64(uint32_t offset) const { return read(offset, 8); }
  bool write32(uint32_t offset, uint32_t value) { return write(offset, value, 4); }
  bool write64(uint32_t offset, uint64_t value) { return write(offset, value, 8); }

  // Hardware-side updates by the invalidation engine (bypass software masks; no listener call):
  // CCMD (clear ICC, set CAIG), IOTLB_REG (clear IVT, set IAIG), IQH, IQERCD.
  uint64_t hw_value(uint32_t offset) const;
  void hw_set(uint32_t offset, uint64_t value);
  // ICS.IWC with the IECTL event logic (an already-set IWC is not a new event).
  void signal_wait_completion();
  uint64_t completion_events_sent() const { return m_iec_events; }

  void add_listener(register_listener* l) { m_listeners.push_back(l); }
  void remove_listener(register_listener* l);

  // Latched state (typed accessors used by the hardware).
  bool translation_enabled() const { return m_tes; }
  bool root_table_set() const { return m_rtps; }
  uint64_t root_table() const { return m_rta; }
  spec::reg::ttm ttm() const { return m_ttm; }
  bool ir_enabled() const { return m_ires; }
  bool irta_set() const { return m_irtps; }
  uint64_t irta_base() const { return m_irta_base; }
  unsigned irta_size_field() const { return m_irta_s; }
  uint32_t irta_entries() const { return uint32_t{1} << (m_irta_s + 1); }
  bool eime() const { return m_eime; }
  // What software wrote to RTADDR / IRTA before the latching SRTP / SIRTP, every bit included, also the RsvdZ
  // and unimplemented ones the register drops (RTADDR 9:0 and RTA 63:HAW; IRTA 10:4, base 63:HAW, EIME
  // without ECAP.EIM). Not hardware state: it lets a validator (vtdsim check) report the value the driver
  // programmed.
  uint64_t rtaddr_as_written() const { return m_rtaddr_written; }
  uint64_t irta_as_written() const { return m_irta_written; }
  bool compat_format_allowed() const { return m_cfis; }  // GSTS.CFIS
  bool qi_enabled() const { return m_qies; }
  uint32_t gsts() const;
  uint64_t write_buffer_flushes() const { return m_wbf_count; }

  uint32_t iva_offset() const { return m_iro; }
  uint32_t iotlb_offset() const { return m_iro + 8; }
  uint32_t frcd_offset(unsigned n) const { return m_fro + 16 * n; }

  const unit_config& config() const { return m_cfg; }

 private:
  // 64-bit registers kept as plain storage with their software-visible masks.
  enum slot64 : unsigned { RTADDR, CCMD, IQH, IQT, IQA, IQERCD, IRTA, IVA, IOTLB, kSlots };
  struct reg_desc {
    uint64_t rw;   // bits software may write
    uint64_t w1c;  // RW1C bits
  };
  int slot_of(uint32_t qword_offset) const;
  uint64_t read_qword(uint32_t qword_offset) const;
  void write_qword(uint32_t qword_offset, uint64_t value, uint64_t enables);
  uint32_t read_dword(uint32_t offset) const;
  void write_dword(uint32_t offset, uint32_t value);
  void write_gcmd(uint32_t value);
  void notify_command(uint32_t offset, uint64_t value);

  unit_config m_cfg;
  const spec::caps& m_caps;
  fault_recorder& m_faults;
  uint32_t m_iro, m_fro;
  uint64_t m_regs[kSlots] = {};
  uint64_t m_written[kSlots] = {};  // software's values before the masks (see rtaddr_as_written)
  reg_desc m_desc[kSlots] = {};
  uint32_t m_ics = 0;
  bool m_iectl_im = true, m_iectl_ip = false;
  uint32_t m_iedata = 0, m_ieaddr = 0, m_ieuaddr = 0;
  uint64_t m_iec_events = 0;

  // GSTS state and what SRTP / SIRTP latched.
  bool m_tes = false, m_rtps = false, m_qies = false, m_ires = false, m_irtps = false, m_cfis = false;
  uint64_t m_rta = 0;
  spec::reg::ttm m_ttm = spec::reg::ttm::legacy;
  uint64_t m_irta_base = 0;
  unsigned m_irta_s = 0;
  bool m_eime = false;
  uint64_t m_rtaddr_written = 0, m_irta_written = 0;
  uint64_t m_wbf_count = 0;
  std::vector<register_listener*> m_listeners;
};

}  // namespace vtd::core
