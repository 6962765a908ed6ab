// Results of a DMA translation and of an interrupt remapping.
#pragma once
#include <cstdint>

#include "model/core/walk_record.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/fault_reason.hpp"

namespace vtd::core {

enum class dma_status : uint8_t {
  translated,    // walked (or served from a cache) to an HPA
  pass_through,  // TT=10: output = input
  untranslated,  // remapping disabled (GSTS.TES=0): output = input
  fault,         // blocked; `fault` says why
  interrupt,     // a DWORD write to 0xFEEx_xxxx: handled as an interrupt request, not DMA
};
const char* to_string(dma_status s);

struct translation_result {
  dma_status status = dma_status::fault;
  spec::fault_reason fault = spec::fault_reason::none;
  bool fault_recorded = false;  // false when FPD suppressed it, or the recording registers overflowed
  uint64_t hpa = 0;
  uint64_t page_size = 0;  // 4 KiB, 2 MiB or 1 GiB for walked translations
  bool read = false;       // effective permissions (AND over all levels)
  bool write = false;
  uint16_t domain_id = 0;
  uint8_t levels = 0;  // paging levels of the context's table (3/4/5)
  bool stale = false;  // served from a cached entry that no longer matches memory (checker mode)
  // How it was translated: the second stage in legacy mode; in scalable mode the PASID-table entry's PGTT and
  // the effective PASID (the request's, or RID_PASID for a request without PASID).
  translation_stage stage = translation_stage::second;
  uint32_t pasid = 0;

  bool ok() const { return status != dma_status::fault; }
};

enum class interrupt_status : uint8_t {
  remapped,     // remappable format through an IRTE (IM=0)
  posted,       // IM=1: posted to a posted-interrupt descriptor
  passthrough,  // compatibility format passed through (IR off, or CFIS=1)
  fault,
};
const char* to_string(interrupt_status s);

struct interrupt_result {
  interrupt_status status = interrupt_status::fault;
  spec::fault_reason fault = spec::fault_reason::none;
  bool fault_recorded = false;
  uint32_t interrupt_index = 0;
  uint8_t vector = 0;
  uint32_t destination = 0;  // APIC id (8-bit xAPIC or 32-bit x2APIC)
  bool x2apic = false;
  unsigned delivery_mode = 0;
  bool destination_logical = false;
  bool redirection_hint = false;
  bool level_triggered = false;
  // posted
  uint64_t pid_address = 0;
  bool notification_sent = false;
  uint8_t notification_vector = 0;
  uint32_t notification_destination = 0;

  bool ok() const { return status != interrupt_status::fault; }
};

}  // namespace vtd::core
