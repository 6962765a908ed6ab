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

struct mapping_desc {
  uint64_t iova = 0, hpa = 0, size = 0;
  bool read = true, write = true;
};

struct domain_desc {
  uint16_t id = 0;
  unsigned address_width = 48;
  bool superpages = true;
  std::vector<mapping_desc> mappings;
};

struct device_desc {
  uint16_t sid = 0;
  std::string name;
  std::optional<uint16_t> domain;
  spec::translation_type tt = spec::translation_type::untranslated_only;
  bool fpd = false;
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
