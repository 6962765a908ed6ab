// The register page as a TLM-2.0 target (see header).
#include "model/sysc/register_target.hpp"

#include <algorithm>

namespace vtd::sysc {

namespace {

uint64_t load_le(const unsigned char* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

void store_le(unsigned char* p, unsigned n, uint64_t v) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// The page holds every register the unit implements: FRCD_REG[CAP.NFR-1] and IOTLB_REG may lie past 4 KiB.
uint64_t register_page_size(const core::register_file& regs) {
  const unsigned nfr = regs.config().cap_fields().nfr();
  const uint64_t end = std::max<uint64_t>({0x1000, regs.frcd_offset(nfr), regs.iotlb_offset() + 8u});
  return (end + 0xFFF) & ~uint64_t{0xFFF};
}

}  // namespace

register_target::register_target(sc_core::sc_module_name name, core::register_file& regs,
                                 sc_core::sc_time latency)
    : sc_module(name),
      socket("socket"),
      m_regs(regs),
      m_latency(latency),
      m_page_size(register_page_size(regs)) {
  socket.register_b_transport(this, &register_target::b_transport);
  socket.register_transport_dbg(this, &register_target::transport_dbg);
}

tlm::tlm_response_status register_target::check(const tlm::tlm_generic_payload& gp) const {
  const unsigned len = gp.get_data_length();
  if (len != 4 && len != 8) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (gp.get_streaming_width() < len) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (gp.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  const uint64_t offset = gp.get_address();
  if (offset % len != 0 || offset >= m_page_size) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  return tlm::TLM_OK_RESPONSE;
}

void register_target::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  ++m_accesses;
  delay += m_latency;
  gp.set_dmi_allowed(false);
  const tlm::tlm_response_status status = check(gp);
  gp.set_response_status(status);
  if (status != tlm::TLM_OK_RESPONSE) return;
  const auto offset = static_cast<uint32_t>(gp.get_address());
  const unsigned len = gp.get_data_length();
  m_busy = true;
  switch (gp.get_command()) {
    case tlm::TLM_READ_COMMAND:
      store_le(gp.get_data_ptr(), len, m_regs.read(offset, len));
      break;
    case tlm::TLM_WRITE_COMMAND:
      // The register file applies the masks and runs what the write starts (through core::iommu's listener:
      // CCMD_REG / IOTLB_REG invalidation, IQT_REG queue processing, GCMD_REG commands).
      m_regs.write(offset, load_le(gp.get_data_ptr(), len), len);
      break;
    case tlm::TLM_IGNORE_COMMAND:
      break;
  }
  m_busy = false;
  if (after_access) after_access(delay);
}

unsigned register_target::transport_dbg(tlm::tlm_generic_payload& gp) {
  tlm::tlm_response_status status = check(gp);
  if (status == tlm::TLM_OK_RESPONSE && gp.is_write()) status = tlm::TLM_COMMAND_ERROR_RESPONSE;
  gp.set_response_status(status);
  if (status != tlm::TLM_OK_RESPONSE || !gp.is_read()) return 0;
  const unsigned len = gp.get_data_length();
  store_le(gp.get_data_ptr(), len, m_regs.read(static_cast<uint32_t>(gp.get_address()), len));
  return len;
}

}  // namespace vtd::sysc
