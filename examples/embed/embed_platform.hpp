// A tiny virtual platform around sysc::iommu_device, shared by the example (embed_example.cpp) and its test
// (tests/sysc/embed_test.cpp): a CPU with two initiator sockets (one on the unit's register page, one on
// memory), a device that issues DMAs and interrupt writes upstream, and an interrupt controller that records
// what the unit's interrupt output delivers. `driver_boot` is what a VT-d driver does at boot, with nothing
// but register and memory writes: every table entry and descriptor is composed here, bit by bit, from the
// VT-d spec's field definitions (no builder of vtdsim is used).
//
// Everything here runs inside SC_THREADs: errors are returned, never thrown.
#pragma once
#include <tlm_utils/simple_initiator_socket.h>
#include <cstdint>
#include <cstring>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "model/core/system/iommu.hpp"
#include "model/sysc/interrupt_if.hpp"
#include "model/sysc/iommu_device.hpp"
#include "model/sysc/memory_target.hpp"
#include "model/sysc/request_extension.hpp"

namespace vtd::embed {

// ---- Where the driver puts things (host physical addresses)
// -------------------------------------------------
constexpr uint64_t kRootTable = 0x0010'0000;     // RTADDR_REG.RTA
constexpr uint64_t kContextTable = 0x0010'1000;  // bus 0's context table (root entry CTP)
constexpr uint64_t kPml4 = 0x0010'2000;          // second-level tables of domain 7
constexpr uint64_t kPdpt = 0x0010'3000;
constexpr uint64_t kPd = 0x0010'4000;
constexpr uint64_t kPt = 0x0010'5000;
constexpr uint64_t kQueue = 0x0011'0000;       // IQA_REG.IQA: 4 KiB, 256 descriptors of 128 bits
constexpr uint64_t kWaitStatus = 0x0011'1000;  // inv_wait_dsc status address
constexpr uint64_t kIrt = 0x0012'0000;         // IRTA_REG.IRTA: 256 IRTEs (S = 7)
constexpr uint32_t kWaitData = 0x600D;         // inv_wait_dsc status data

constexpr uint16_t kDevice = 0x0010;  // requester id 00:02.0 (bus 0, devfn 0x10)
constexpr uint16_t kDomain = 7;

// Mappings of domain 7 (input address -> host physical address).
constexpr uint64_t kIova4kRw = 0x0000'1000, kHpa4kRw = 0x0800'0000;  // 4 KiB, read/write
constexpr uint64_t kIova4kRo = 0x0000'2000, kHpa4kRo = 0x0800'5000;  // 4 KiB, read-only
constexpr uint64_t kIova2m = 0x0020'0000, kHpa2m = 0x0A00'0000;      // 2 MiB superpage, read/write
constexpr uint16_t kIrteHandle = 3;                                  // IRTE 3: vector 0x51 to APIC 1
constexpr uint8_t kIrteVector = 0x51, kIrteApic = 1;
constexpr uint32_t kFaultEventData = 0x00E0;          // FEDATA_REG.IMD: vector 0xE0
constexpr uint32_t kFaultEventAddress = 0xFEE0'0000;  // FEADDR_REG.MA: APIC 0

constexpr uint64_t kMemorySize = uint64_t{256} << 20;

// ---- Register offsets (VT-d spec 11.4, register map)
// -----------------------------------------------------------
namespace off {
constexpr uint32_t VER = 0x000, CAP = 0x008, ECAP = 0x010, GCMD = 0x018, GSTS = 0x01C, RTADDR = 0x020,
                   CCMD = 0x028, FSTS = 0x034, FECTL = 0x038, FEDATA = 0x03C, FEADDR = 0x040, FEUADDR = 0x044,
                   IQH = 0x080, IQT = 0x088, IQA = 0x090, ICS = 0x09C, IRTA = 0x0B8;
}
// GCMD_REG commands and the matching GSTS_REG status bits.
constexpr uint32_t TE = 1u << 31, SRTP = 1u << 30, QIE = 1u << 26, IRE = 1u << 25, SIRTP = 1u << 24;
// GCMD_REG's one-shot commands (SRTP, SFL, WBF, SIRTP): never written back from GSTS_REG.
constexpr uint32_t kOneShot = SRTP | (1u << 29) | (1u << 27) | SIRTP;

// The CPU: MMIO on the register page, loads and stores on memory. Synchronises after every access.
class cpu : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<cpu> mmio;
  tlm_utils::simple_initiator_socket<cpu> ram;

  explicit cpu(sc_core::sc_module_name name) : sc_module(name), mmio("mmio"), ram("ram") {}

  tlm::tlm_response_status reg_access(bool write, uint32_t offset, unsigned size, uint64_t& value) {
    unsigned char bytes[8] = {};
    for (unsigned i = 0; i < size && i < 8; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
    const tlm::tlm_response_status s = transport(mmio, write, offset, bytes, size);
    if (!write) {
      value = 0;
      for (unsigned i = 0; i < size && i < 8; ++i) value |= uint64_t(bytes[i]) << (8 * i);
    }
    return s;
  }
  uint32_t read32(uint32_t offset) {
    uint64_t v = 0;
    reg_access(false, offset, 4, v);
    return uint32_t(v);
  }
  uint64_t read64(uint32_t offset) {
    uint64_t v = 0;
    reg_access(false, offset, 8, v);
    return v;
  }
  bool write32(uint32_t offset, uint32_t value) {
    uint64_t v = value;
    return reg_access(true, offset, 4, v) == tlm::TLM_OK_RESPONSE;
  }
  bool write64(uint32_t offset, uint64_t value) {
    return reg_access(true, offset, 8, value) == tlm::TLM_OK_RESPONSE;
  }

  bool store64(uint64_t addr, uint64_t value) {
    unsigned char b[8];
    for (unsigned i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(value >> (8 * i));
    return transport(ram, true, addr, b, 8) == tlm::TLM_OK_RESPONSE;
  }
  bool store(uint64_t addr, const void* data, unsigned len) {
    std::vector<unsigned char> b(len);
    std::memcpy(b.data(), data, len);
    return transport(ram, true, addr, b.data(), len) == tlm::TLM_OK_RESPONSE;
  }
  uint32_t load32(uint64_t addr) {
    unsigned char b[4] = {};
    transport(ram, false, addr, b, 4);
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  }
  // A debugger's view of memory (transport_dbg: no time, no side effect). Returns the bytes read.
  unsigned peek(uint64_t addr, void* dst, unsigned len, tlm::tlm_response_status* status = nullptr) {
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(static_cast<unsigned char*>(dst));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    const unsigned n = ram->transport_dbg(gp);
    if (status) *status = gp.get_response_status();
    return n;
  }

  // The GCMD_REG software protocol: read GSTS_REG, keep the persistent bits, set or clear one command, write
  // GCMD_REG, then poll GSTS_REG until the status bit follows (bounded: a model that never answers fails).
  bool command(uint32_t bit, bool on) {
    const uint32_t status = read32(off::GSTS) & ~kOneShot;
    if (!write32(off::GCMD, on ? (status | bit) : (status & ~bit))) return false;
    for (int poll = 0; poll < 1000; ++poll)
      if (bool(read32(off::GSTS) & bit) == on) return true;
    return false;
  }

 private:
  tlm::tlm_response_status transport(tlm_utils::simple_initiator_socket<cpu>& s, bool write, uint64_t addr,
                                     unsigned char* data, unsigned len) {
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    s->b_transport(gp, delay);
    wait(delay);
    return gp.get_response_status();
  }
};

// A PCIe device behind the unit: DMAs and interrupt writes, each carrying its requester id in the
// request_extension (what the root port puts there in a real platform).
class dma_device : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<dma_device> socket;

  dma_device(sc_core::sc_module_name name, uint16_t requester_id)
      : sc_module(name), socket("socket"), m_rid(requester_id) {
    m_gp.set_extension(&m_ext);
  }
  ~dma_device() override { m_gp.clear_extension(&m_ext); }

  // Issues one request; `data` holds `len` bytes (read into or written from). The unit's result stays valid
  // until the next call.
  struct outcome {
    tlm::tlm_response_status status;
    const timing::upstream_result* result;
  };
  outcome access(bool write, uint64_t address, void* data, uint32_t len) {
    m_ext.request = {};
    m_ext.request.dma.source_id = m_rid;
    m_ext.request.dma.address = address;
    m_ext.request.dma.length = len;
    m_ext.request.dma.access = write ? core::access_kind::write : core::access_kind::read;
    if (write && len >= 4) {
      const auto* b = static_cast<const unsigned char*>(data);
      m_ext.request.data = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
    }
    m_gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    m_gp.set_address(address);
    m_gp.set_data_ptr(static_cast<unsigned char*>(data));
    m_gp.set_data_length(len);
    m_gp.set_streaming_width(len);
    m_gp.set_byte_enable_ptr(nullptr);
    m_gp.set_dmi_allowed(false);
    m_gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(m_gp, delay);
    wait(delay);
    return {m_gp.get_response_status(), &m_ext.result};
  }

 private:
  uint16_t m_rid;
  sysc::request_extension m_ext;  // attached to m_gp for the device's lifetime
  tlm::tlm_generic_payload m_gp;
};

// The interrupt controller: keeps every message the unit's interrupt output delivered.
class interrupt_controller : public sc_core::sc_module, public sysc::interrupt_sink_if {
 public:
  std::vector<sysc::interrupt_message> got;
  explicit interrupt_controller(sc_core::sc_module_name name) : sc_module(name) {}
  void deliver(const sysc::interrupt_message& m, const sc_core::sc_time&) override { got.push_back(m); }
};

// ---- Structure entries, composed from the spec's field definitions
// --------------------------------------------- Root entry (spec 9.1): P (0), CTP (63:12) in the low
// quadword.
constexpr uint64_t root_entry_lo(uint64_t context_table) {
  return context_table | 1;
}
// Context entry (spec 9.3): low quadword P (0), FPD (1) = 0, TT (3:2) = 00b (untranslated requests only),
// SLPTPTR (63:12); high quadword AW (2:0) = 010b (48-bit, 4-level table), DID (23:8).
constexpr uint64_t context_entry_lo(uint64_t slptptr) {
  return slptptr | 1;
}
constexpr uint64_t context_entry_hi(uint16_t did) {
  return uint64_t(did) << 8 | 2;
}
// Second-level entries (spec 9.8): R (0), W (1), PS (7) for a superpage, ADDR (51:12).
constexpr uint64_t sl_table(uint64_t next) {
  return next | 3;
}
constexpr uint64_t sl_page(uint64_t hpa, bool writable) {
  return hpa | 1 | (writable ? 2 : 0);
}
constexpr uint64_t sl_superpage(uint64_t hpa) {
  return hpa | 1 | 2 | (1u << 7);
}
// IRTE in remapped format (spec 9.10): P (0), FPD (1) = 0, DM (2) = 0 physical, RH (3) = 0, TM (4) = 0 edge,
// DLM (7:5) = 000b fixed, V (23:16), DST (63:32; xAPIC: APIC id in 47:40); SVT (83:82) = 00b no source check.
constexpr uint64_t irte_lo(uint8_t vector, uint8_t apic) {
  return 1 | uint64_t(vector) << 16 | uint64_t(apic) << 40;
}
// Invalidation descriptors (spec 6.5.2): type in 3:0, granularity in 5:4.
constexpr uint64_t cc_global = 0x1 | 1u << 4;     // cc_inv_dsc, G = 01b global
constexpr uint64_t iotlb_global = 0x2 | 1u << 4;  // iotlb_inv_dsc, G = 01b global (DR, DW from CAP)
constexpr uint64_t iec_global = 0x4;              // iec_inv_dsc, G (4) = 0 global
// inv_wait_dsc: SW (5) = 1, status data (63:32); status address (127:66) in the high quadword.
constexpr uint64_t wait_lo(uint32_t data) {
  return 0x5 | 1u << 5 | uint64_t(data) << 32;
}

// The remappable-format MSI a device writes for interrupt handle `h` (spec 5.1.2.2): address 0xFEE,
// handle[14:0] in 19:5, interrupt format (4) = 1, SHV (3) = 0, handle[15] in 2.
constexpr uint64_t remappable_msi_address(uint16_t h) {
  return 0xFEE0'0000u | uint64_t(h & 0x7FFF) << 5 | 1u << 4 | uint64_t(h >> 15) << 2;
}

struct boot_report {
  bool ok = false;
  std::string error;
  uint32_t ver = 0;
  uint64_t cap = 0, ecap = 0;
  uint32_t fro = 0, nfr = 0, iro = 0;  // FRCD_REG and IVA_REG offsets, number of FRCDs
  uint32_t gsts = 0;
  uint64_t iqh = 0;
};

// Writes the tables into memory and programs the unit, as a driver does at boot.
inline boot_report driver_boot(cpu& c) {
  boot_report r;
  auto fail = [&r](const char* what) {
    r.error = what;
    return r;
  };
  // Capabilities: CAP_REG.FRO (33:24) and NFR (47:40), ECAP_REG.IRO (17:8), SAGAW (12:8) bit 2: 4-level.
  r.ver = c.read32(off::VER);
  r.cap = c.read64(off::CAP);
  r.ecap = c.read64(off::ECAP);
  r.fro = uint32_t((r.cap >> 24) & 0x3FF) * 16;
  r.nfr = uint32_t((r.cap >> 40) & 0xFF) + 1;
  r.iro = uint32_t((r.ecap >> 8) & 0x3FF) * 16;
  if (!((r.cap >> 8) & 0x4)) return fail("CAP_REG.SAGAW: no 4-level second-level table");
  if (!((r.cap >> 34) & 1)) return fail("CAP_REG.SLLPS: no 2 MiB pages");
  if (!((r.ecap >> 1) & 1) || !((r.ecap >> 3) & 1)) return fail("ECAP_REG: no QI or no IR");

  // Tables in memory: root entry for bus 0, context entry for devfn 0x10, 4-level table of domain 7.
  bool ok = c.store64(kRootTable + 0 * 16, root_entry_lo(kContextTable)) &&
            c.store64(kContextTable + (kDevice & 0xFF) * 16, context_entry_lo(kPml4)) &&
            c.store64(kContextTable + (kDevice & 0xFF) * 16 + 8, context_entry_hi(kDomain)) &&
            c.store64(kPml4 + 0 * 8, sl_table(kPdpt)) && c.store64(kPdpt + 0 * 8, sl_table(kPd)) &&
            c.store64(kPd + 0 * 8, sl_table(kPt)) &&  // IOVA 0..2 MiB: 4 KiB pages
            c.store64(kPt + (kIova4kRw >> 12) * 8, sl_page(kHpa4kRw, true)) &&
            c.store64(kPt + (kIova4kRo >> 12) * 8, sl_page(kHpa4kRo, false)) &&
            c.store64(kPd + (kIova2m >> 21) * 8, sl_superpage(kHpa2m)) &&  // IOVA 2..4 MiB
            c.store64(kIrt + kIrteHandle * 16, irte_lo(kIrteVector, kIrteApic)) &&
            c.store64(kIrt + kIrteHandle * 16 + 8, 0);
  if (!ok) return fail("memory refused a table write");

  // Fault event: FEDATA, FEADDR, FEUADDR, then FECTL.IM = 0 (unmasked).
  if (!c.write32(off::FEDATA, kFaultEventData) || !c.write32(off::FEADDR, kFaultEventAddress) ||
      !c.write32(off::FEUADDR, 0) || !c.write32(off::FECTL, 0))
    return fail("fault event registers");

  // Root table: RTADDR_REG (TTM = 00b legacy), GCMD_REG.SRTP, wait for GSTS_REG.RTPS.
  if (!c.write64(off::RTADDR, kRootTable) || !c.command(SRTP, true)) return fail("GSTS_REG.RTPS never set");
  // Invalidation queue: IQT_REG = 0, IQA_REG (DW = 0, QS = 0: 256 entries), GCMD_REG.QIE.
  if (!c.write64(off::IQT, 0) || !c.write64(off::IQA, kQueue | 0) || !c.command(QIE, true))
    return fail("GSTS_REG.QIES never set");
  // Interrupt remapping table: IRTA_REG (EIME = 0, S = 7: 256 entries), GCMD_REG.SIRTP.
  if (!c.write64(off::IRTA, kIrt | 7) || !c.command(SIRTP, true)) return fail("GSTS_REG.IRTPS never set");

  // Global context-cache, IOTLB and interrupt-entry-cache invalidation, then a wait descriptor; IQT_REG moves
  // past them and the unit processes the queue.
  const bool drd = (r.cap >> 55) & 1, dwd = (r.cap >> 54) & 1;  // CAP_REG.DRD, DWD: drain reads, writes
  const uint64_t iotlb = iotlb_global | (dwd ? 1u << 6 : 0u) | (drd ? 1u << 7 : 0u);
  const uint64_t descriptors[][2] = {
      {cc_global, 0}, {iotlb, 0}, {iec_global, 0}, {wait_lo(kWaitData), kWaitStatus}};
  uint64_t tail = 0;
  for (const auto& d : descriptors) {
    if (!c.store64(kQueue + tail, d[0]) || !c.store64(kQueue + tail + 8, d[1])) return fail("queue write");
    tail += 16;
  }
  if (!c.store64(kWaitStatus, 0) || !c.write64(off::IQT, tail)) return fail("IQT_REG write");
  bool done = false;
  for (int poll = 0; poll < 1000 && !done; ++poll) done = c.load32(kWaitStatus) == kWaitData;
  if (!done) return fail("the invalidation wait descriptor never wrote its status");
  r.iqh = c.read64(off::IQH);
  if (c.read32(off::FSTS) & (1u << 4)) return fail("FSTS_REG.IQE: invalidation queue error");

  // Translation and interrupt remapping on.
  if (!c.command(TE, true)) return fail("GSTS_REG.TES never set");
  if (!c.command(IRE, true)) return fail("GSTS_REG.IRES never set");
  r.gsts = c.read32(off::GSTS);
  r.ok = true;
  return r;
}

// ---- The scenario: boot, DMAs, one fault and its fault event, one remapped interrupt
// ---------------------------
struct dma_record {
  const char* what = "";
  bool write = false;
  uint64_t iova = 0;
  uint32_t length = 0;
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  core::translation_result translation;
};

struct scenario_result {
  bool finished = false;
  boot_report boot;
  std::vector<dma_record> dmas;
  bool read_data_ok = false;   // the DMA read returned the bytes the CPU stored at the translated address
  bool write_data_ok = false;  // the DMA write's bytes are in memory at the translated address
  // The fault: what the interrupt controller saw, then what the handler read through MMIO.
  size_t interrupts_after_fault = 0;
  sysc::interrupt_message fault_event;
  uint32_t fsts_after_fault = 0, fsts_after_clear = 0;
  uint64_t frcd_lo = 0, frcd_hi = 0, frcd_hi_after_clear = 0;
  // The device's remappable-format interrupt for handle kIrteHandle.
  size_t interrupts_after_msi = 0;
  sysc::interrupt_message remapped;
  tlm::tlm_response_status msi_status = tlm::TLM_INCOMPLETE_RESPONSE;
  // Bus errors: a 2-byte register read, a read past the register page, a misaligned 8-byte read, a debug
  // read past the end of memory.
  tlm::tlm_response_status reg_2byte = tlm::TLM_OK_RESPONSE, reg_outside = tlm::TLM_OK_RESPONSE,
                           reg_misaligned = tlm::TLM_OK_RESPONSE, mem_outside = tlm::TLM_OK_RESPONSE;
};

class platform : public sc_core::sc_module {
 public:
  cpu cpu0;
  dma_device nic;
  interrupt_controller apic;
  sysc::iommu_device dmar;
  sysc::memory_target memory;
  scenario_result result;

  platform(sc_core::sc_module_name name, core::iommu& unit, core::physical_memory& mem,
           const timing::timing_params& params)
      : sc_module(name),
        cpu0("cpu0"),
        nic("nic", kDevice),
        apic("apic"),
        dmar("dmar0", unit, params),
        memory("memory", sc_core::sc_time(params.dma_access_ns, sc_core::SC_NS), mem) {
    cpu0.mmio.bind(dmar.regs);
    cpu0.ram.bind(memory.socket);
    nic.socket.bind(dmar.upstream);
    dmar.downstream.bind(memory.socket);
    dmar.irq_out.bind(apic);
    SC_HAS_PROCESS(platform);
    SC_THREAD(run);
  }

 private:
  const dma_record& dma(const char* what, bool write, uint64_t iova, void* data, uint32_t len) {
    const dma_device::outcome o = nic.access(write, iova, data, len);
    result.dmas.push_back({what, write, iova, len, o.status, o.result->translation});
    return result.dmas.back();
  }

  void run() {
    scenario_result& r = result;
    r.boot = driver_boot(cpu0);
    if (!r.boot.ok) return;

    // Data the device will read, stored by the CPU at the host physical addresses.
    unsigned char pattern[64];
    for (unsigned i = 0; i < sizeof pattern; ++i) pattern[i] = static_cast<unsigned char>(3 * i + 1);
    const uint32_t word = 0xCAFEF00D;
    cpu0.store(kHpa4kRw + 0x234, pattern, sizeof pattern);
    cpu0.store(kHpa2m + 0x12344, &word, 4);

    unsigned char got[64] = {};
    dma("read 64 B, 4 KiB page", false, kIova4kRw + 0x234, got, 64);
    r.read_data_ok = std::memcmp(got, pattern, 64) == 0;
    unsigned char bytes[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    dma("write 8 B, 4 KiB page", true, kIova4kRw + 0x400, bytes, 8);
    unsigned char back[8] = {};
    r.write_data_ok = cpu0.peek(kHpa4kRw + 0x400, back, 8) == 8 && std::memcmp(back, bytes, 8) == 0;
    dma("read 16 B, read-only page", false, kIova4kRo + 0x10, got, 16);
    uint32_t w = 0;
    dma("read 4 B, 2 MiB page", false, kIova2m + 0x12344, &w, 4);
    r.read_data_ok = r.read_data_ok && w == word;

    // The fault: a write to the read-only page. The fault event interrupt reaches the interrupt controller;
    // its handler reads FSTS_REG and FRCD_REG[FSTS.FRI], then clears FRCD.F (RW1C, bit 127).
    uint32_t four = 0x12345678;
    dma("write 4 B, read-only page", true, kIova4kRo + 0x10, &four, 4);
    r.interrupts_after_fault = apic.got.size();
    if (!apic.got.empty()) r.fault_event = apic.got.back();
    r.fsts_after_fault = cpu0.read32(off::FSTS);
    const uint32_t fri = (r.fsts_after_fault >> 8) & 0xFF;
    const uint32_t frcd = r.boot.fro + 16 * fri;
    r.frcd_lo = cpu0.read64(frcd);
    r.frcd_hi = cpu0.read64(frcd + 8);
    cpu0.write32(frcd + 12, 1u << 31);
    r.frcd_hi_after_clear = cpu0.read64(frcd + 8);
    r.fsts_after_clear = cpu0.read32(off::FSTS);

    // A remappable-format MSI for handle kIrteHandle (data: subhandle 0).
    uint32_t msi_data = 0;
    const dma_device::outcome m = nic.access(true, remappable_msi_address(kIrteHandle), &msi_data, 4);
    r.msi_status = m.status;
    r.interrupts_after_msi = apic.got.size();
    if (!apic.got.empty()) r.remapped = apic.got.back();

    uint64_t v = 0;
    r.reg_2byte = cpu0.reg_access(false, off::GSTS, 2, v);
    r.reg_outside = cpu0.reg_access(false, uint32_t(dmar.register_block().page_size()), 4, v);
    r.reg_misaligned = cpu0.reg_access(false, off::GSTS, 8, v);
    unsigned char tail[8];
    cpu0.peek(kMemorySize - 4, tail, 8, &r.mem_outside);
    r.finished = true;
  }
};

}  // namespace vtd::embed
