// Trace record helpers: names and reserved-bit masks (from the table of kinds) and factories
// (docs/trace-format.md, "Records").
#include "traces/record.hpp"

#include "traces/record_kinds.hpp"

namespace vtd::traces {

namespace {
constexpr std::uint8_t q(bool queued) {
  return queued ? flag::queued : 0;
}
}  // namespace

bool valid_kind(std::uint8_t k) {
  return known_kind(static_cast<record_kind>(k));
}
std::uint8_t allowed_flags(record_kind k) {
  return checks_for(static_cast<std::uint8_t>(k)).allowed_flags;
}
std::string_view kind_name(record_kind k) {
  return kind_of(k).name;
}

record make_dma(std::uint64_t t, std::uint16_t sid, dma_op op, std::uint64_t addr, std::uint32_t len,
                address_type at) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::dma;
  r.id = sid;
  r.addr = addr;
  r.length = len;
  r.flags =
      static_cast<std::uint8_t>(static_cast<unsigned>(op) | (static_cast<unsigned>(at) << flag::at_shift));
  return r;
}
record make_dma_pasid(std::uint64_t t, std::uint16_t sid, std::uint32_t pasid, dma_op op, std::uint64_t addr,
                      std::uint32_t len, address_type at) {
  record r = make_dma(t, sid, op, addr, len, at);
  r.flags |= flag::has_pasid;
  r.value = pasid & 0xfffffu;  // PASID is 20 bits
  return r;
}
record make_msi(std::uint64_t t, std::uint16_t sid, std::uint64_t addr, std::uint32_t data) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::msi;
  r.id = sid;
  r.addr = addr;
  r.value = data;
  return r;
}
record make_map(std::uint64_t t, std::uint16_t domain, std::uint64_t iova, std::uint64_t hpa,
                std::uint64_t bytes, bool read, bool write) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::map;
  r.id = domain;
  r.addr = iova;
  r.value = hpa;
  r.length = static_cast<std::uint32_t>(bytes >> 12);
  r.flags = static_cast<std::uint8_t>((read ? flag::perm_read : 0) | (write ? flag::perm_write : 0));
  return r;
}
record make_fs_map(std::uint64_t t, std::uint16_t domain, std::uint64_t iova, std::uint64_t out,
                   std::uint64_t bytes, bool write, bool user, bool execute) {
  record r = make_map(t, domain, iova, out, bytes, true, write);
  r.flags |= static_cast<std::uint8_t>((user ? 0 : flag::supervisor_only) | (execute ? 0 : flag::no_execute));
  return r;
}
record make_unmap(std::uint64_t t, std::uint16_t domain, std::uint64_t iova, std::uint64_t bytes) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::unmap;
  r.id = domain;
  r.addr = iova;
  r.length = static_cast<std::uint32_t>(bytes >> 12);
  return r;
}
record make_attach(std::uint64_t t, std::uint16_t sid, std::uint16_t domain) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::attach;
  r.id = sid;
  r.value = domain;
  return r;
}
record make_detach(std::uint64_t t, std::uint16_t sid, std::uint16_t domain) {
  record r = make_attach(t, sid, domain);
  r.kind = record_kind::detach;
  return r;
}
record make_cc_inval(std::uint64_t t, granularity g, std::uint16_t domain, std::uint16_t sid, std::uint8_t fm,
                     bool queued) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::cc_inval;
  r.id = sid;
  r.value = domain;
  r.length = fm & 3u;  // FM is 2 bits (CCMD.FM / cc_inv_dsc FM)
  r.flags = static_cast<std::uint8_t>(static_cast<unsigned>(g) | q(queued));
  return r;
}
record make_iotlb_inval(std::uint64_t t, granularity g, std::uint16_t domain, std::uint64_t addr,
                        std::uint8_t am, bool ih, bool queued) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::iotlb_inval;
  r.value = domain;
  r.addr = addr;
  r.length = am & 0x3fu;  // AM is 6 bits
  r.flags = static_cast<std::uint8_t>(static_cast<unsigned>(g) | (ih ? flag::ih : 0) | q(queued));
  return r;
}
record make_iec_inval(std::uint64_t t, granularity g, std::uint16_t index, std::uint8_t im, bool queued) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::iec_inval;
  r.value = index;
  r.length = im & 0x1fu;  // IM is 5 bits
  r.flags = static_cast<std::uint8_t>(static_cast<unsigned>(g) | q(queued));
  return r;
}
record make_devtlb_inval(std::uint64_t t, std::uint16_t sid, std::uint64_t addr, bool size, bool queued) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::devtlb_inval;
  r.id = sid;
  r.addr = addr;
  r.flags = static_cast<std::uint8_t>((size ? flag::size : 0) | q(queued));
  return r;
}
record make_inv_wait(std::uint64_t t, std::uint64_t status_addr, std::uint32_t status_data, bool irq,
                     bool status_write, bool fence, bool queued) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::inv_wait;
  r.addr = status_addr;
  r.value = status_data;
  r.flags = static_cast<std::uint8_t>((irq ? flag::wait_if : 0) | (status_write ? flag::wait_sw : 0) |
                                      (fence ? flag::wait_fn : 0) | q(queued));
  return r;
}

namespace {
constexpr std::uint64_t pasid_bits(std::uint32_t pasid) {
  return pasid & 0xfffffu;  // PASID is 20 bits
}
}  // namespace

record make_pasid_attach(std::uint64_t t, std::uint16_t sid, std::uint32_t pasid, std::uint16_t domain,
                         bool supervisor, bool write_protect) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::pasid_attach;
  r.id = sid;
  r.value = pasid_bits(pasid);
  r.length = domain;
  r.flags = static_cast<std::uint8_t>((supervisor ? flag::sre : 0) | (write_protect ? flag::wpe : 0));
  return r;
}
record make_pasid_detach(std::uint64_t t, std::uint16_t sid, std::uint32_t pasid) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::pasid_detach;
  r.id = sid;
  r.value = pasid_bits(pasid);
  return r;
}
record make_pc_inval(std::uint64_t t, granularity g, std::uint16_t domain, std::uint32_t pasid) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::pc_inval;
  r.id = domain;
  r.value = pasid_bits(pasid);
  r.flags = static_cast<std::uint8_t>(static_cast<unsigned>(g) | flag::queued);
  return r;
}
record make_piotlb_inval(std::uint64_t t, granularity g, std::uint16_t domain, std::uint32_t pasid,
                         std::uint64_t addr, std::uint8_t am, bool ih) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::piotlb_inval;
  r.id = domain;
  r.value = pasid_bits(pasid);
  r.addr = addr;
  r.length = am & 0x3fu;  // AM is 6 bits
  r.flags = static_cast<std::uint8_t>(static_cast<unsigned>(g) | (ih ? flag::ih : 0) | flag::queued);
  return r;
}
record make_pdevtlb_inval(std::uint64_t t, std::uint16_t sid, std::uint32_t pasid, std::uint64_t addr,
                          bool size) {
  record r;
  r.time_ps = t;
  r.kind = record_kind::pdevtlb_inval;
  r.id = sid;
  r.value = pasid_bits(pasid);
  r.addr = addr;
  r.flags = static_cast<std::uint8_t>((size ? flag::size : 0) | flag::queued);
  return r;
}

}  // namespace vtd::traces
