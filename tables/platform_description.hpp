// The platform a platform file describes (docs/platform-format.md): capabilities, domains with mappings,
// devices, interrupt remapping entries. Parsed strictly from JSON and written back in the same format; kept
// apart from building so that the generator side can produce one too.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"

namespace vtd::tables {

// Legacy mode (RTADDR.TTM=00b: root and context tables, second-level tables) or scalable mode (TTM=01b:
// scalable-mode context entries, PASID directory and tables, first-/second-stage, nested, pass-through).
enum class platform_mode : uint8_t { legacy, scalable };

// How a scalable-mode domain translates: the PGTT its PASID-table entries get (spec 9.6). Legacy domains are
// all second-stage.
enum class domain_stage : uint8_t { first, second, nested, pass_through };
const char* to_string(domain_stage s);  // "first", "second", "nested", "pass_through"

struct mapping_desc {
  uint64_t iova = 0;
  uint64_t hpa = 0;  // the output address: an HPA, or for a nested domain the GPA its first stage maps to
  uint64_t size = 0;
  bool read = true, write = true;
  bool user = true, execute = true;  // first-stage U/S and !XD (scalable first-stage and nested domains)
};

struct domain_desc {
  uint16_t id = 0;
  unsigned address_width = 48;  // second stage: 39/48/57; first stage and nested: 48/57 (4/5 levels)
  bool superpages = true;
  std::vector<mapping_desc> mappings;
  // Scalable mode only.
  domain_stage stage = domain_stage::second;
  std::optional<uint16_t> parent{};  // nested: the second-stage domain that translates its GPAs
  bool preset_ad = true;             // first stage: A/D preset as Linux does (false: left to the hardware)
};

// One PASID attached to a domain (scalable mode).
struct pasid_desc {
  uint32_t pasid = 0;
  uint16_t domain = 0;
  bool supervisor = false;     // SRE (needs ECAP.SRS)
  bool write_protect = false;  // WPE
};

struct device_desc {
  uint16_t sid = 0;
  std::string name;
  std::optional<uint16_t> domain;  // scalable mode: the domain its RID_PASID is attached to
  spec::translation_type tt = spec::translation_type::untranslated_only;  // legacy mode only
  bool fpd = false;
  // Scalable mode only.
  uint32_t rid_pasid = 0;  // RID_PASID (nonzero needs ECAP.RPS)
  std::vector<pasid_desc> pasids{};
  std::optional<bool> pasid_enable{};  // PASIDE; unset: enabled when `pasids` is not empty
  bool device_tlb = false;             // DTE (needs ECAP.DT)
  bool rid_priv = false;               // RID_PRIV (needs ECAP.RPRIVS)
  uint32_t max_pasids = 1u << 20;      // the device's PASID count: picks the PASID directory size (PDTS)
  bool pasid_enabled() const { return pasid_enable.value_or(!pasids.empty()); }
};

struct irte_desc {
  uint32_t index = 0;
  bool posted = false;
  // remapped format
  uint8_t vector = 0;
  uint32_t destination = 0;
  unsigned delivery_mode = 0;
  bool level = false, logical = false, redirection_hint = false;
  // posted format
  uint64_t descriptor = 0;
  bool urgent = false;
  // both
  bool fpd = false;
  spec::source_validation svt = spec::source_validation::none;
  uint16_t sid = 0;  // SVT=01: requester id; SVT=10: start bus << 8 | end bus
  unsigned sq = 0;
};

struct platform_description {
  platform_mode mode = platform_mode::legacy;
  std::string preset = "server";
  std::optional<uint64_t> cap, ecap;
  std::vector<std::pair<std::string, uint64_t>> cap_fields, ecap_fields;
  std::optional<unsigned> haw;
  uint64_t memory_size = uint64_t{1} << 40;  // default: 1 TiB, or 2^HAW when that is smaller
  bool memory_size_given = false;
  uint64_t table_base = 0x10000000, table_size = 256ull << 20;
  bool enable_translation = true, enable_interrupt_remapping = true, enable_compat = false, enable_qi = true;
  std::vector<domain_desc> domains;
  std::vector<device_desc> devices;
  bool has_interrupts = false;
  unsigned ir_entries_log2 = 8;
  bool x2apic = false;
  std::vector<irte_desc> interrupts;
};

// Throws table_error "FILE: PATH: message" (and FILE:LINE:COLUMN for JSON syntax errors).
platform_description parse_platform(const std::string& text, const std::string& filename);
platform_description load_platform_file(const std::string& path);
nlohmann::ordered_json to_json(const platform_description& p);

}  // namespace vtd::tables
