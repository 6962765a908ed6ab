// Capability presets and field overrides (CAP/ECAP layouts: VT-d spec 11.4.2-11.4.3).
#include "model/spec/presets.hpp"

#include <array>

namespace vtd::spec {
namespace {

struct field_pos {
  const char* name;
  unsigned hi, lo;
  uint64_t bias;  // stored = value - bias (MGAW and NFR are stored minus one)
};

constexpr std::array kCapFields{
    field_pos{"nd", 2, 0, 0},        field_pos{"rwbf", 4, 4, 0},     field_pos{"plmr", 5, 5, 0},
    field_pos{"phmr", 6, 6, 0},      field_pos{"cm", 7, 7, 0},       field_pos{"sagaw", 12, 8, 0},
    field_pos{"mgaw", 21, 16, 1},    field_pos{"zlr", 22, 22, 0},    field_pos{"fro", 33, 24, 0},
    field_pos{"sllps", 37, 34, 0},   field_pos{"psi", 39, 39, 0},    field_pos{"nfr", 47, 40, 1},
    field_pos{"mamv", 53, 48, 0},    field_pos{"dwd", 54, 54, 0},    field_pos{"drd", 55, 55, 0},
    field_pos{"fs1gp", 56, 56, 0},   field_pos{"pi", 59, 59, 0},     field_pos{"fs5lp", 60, 60, 0},
    field_pos{"esirtps", 62, 62, 0}, field_pos{"esrtps", 63, 63, 0},
};
constexpr std::array kEcapFields{
    field_pos{"c", 0, 0, 0},        field_pos{"qi", 1, 1, 0},     field_pos{"dt", 2, 2, 0},
    field_pos{"ir", 3, 3, 0},       field_pos{"eim", 4, 4, 0},    field_pos{"pt", 6, 6, 0},
    field_pos{"sc", 7, 7, 0},       field_pos{"iro", 17, 8, 0},   field_pos{"mhmv", 23, 20, 0},
    field_pos{"mts", 25, 25, 0},    field_pos{"nest", 26, 26, 0}, field_pos{"prs", 29, 29, 0},
    field_pos{"ers", 30, 30, 0},    field_pos{"srs", 31, 31, 0},  field_pos{"nwfs", 33, 33, 0},
    field_pos{"eafs", 34, 34, 0},   field_pos{"pss", 39, 35, 0},  field_pos{"pasid", 40, 40, 0},
    field_pos{"dit", 41, 41, 0},    field_pos{"pds", 42, 42, 0},  field_pos{"smts", 43, 43, 0},
    field_pos{"slads", 45, 45, 0},  field_pos{"slts", 46, 46, 0}, field_pos{"flts", 47, 47, 0},
    field_pos{"smpwcs", 48, 48, 0}, field_pos{"rps", 49, 49, 0},  field_pos{"adms", 52, 52, 0},
    field_pos{"rprivs", 53, 53, 0},
};

template <size_t N>
bool set_field(const std::array<field_pos, N>& table, uint64_t& reg, std::string_view name, uint64_t value) {
  for (const auto& f : table) {
    if (name != f.name) continue;
    if (value < f.bias) return false;
    uint64_t stored = value - f.bias;
    if (stored > (field_mask(f.hi, f.lo) >> f.lo)) return false;
    reg = set_bits(reg, f.hi, f.lo, stored);
    return true;
  }
  return false;
}

constexpr uint64_t cap_value(std::initializer_list<std::pair<const char*, uint64_t>> fields) {
  uint64_t v = 0;
  for (auto [name, value] : fields)
    for (const auto& f : kCapFields)
      if (std::string_view(name) == f.name) v = set_bits(v, f.hi, f.lo, value - f.bias);
  return v;
}
constexpr uint64_t ecap_value(std::initializer_list<std::pair<const char*, uint64_t>> fields) {
  uint64_t v = 0;
  for (auto [name, value] : fields)
    for (const auto& f : kEcapFields)
      if (std::string_view(name) == f.name) v = set_bits(v, f.hi, f.lo, value - f.bias);
  return v;
}

// "server": a current Intel server remapping unit as far as legacy mode is concerned: 16-bit domain ids,
// 3/4/5-level second-level tables, 2 MiB and 1 GiB superpages, page-selective invalidation with MAMV=18,
// 8 fault recording registers, posted interrupts, device-TLB, pass-through, snoop control, x2APIC.
// Scalable-mode bits (SMTS, PASID, ...) are clear: this preset is the legacy-mode part.
// "server-sm": the same part with scalable mode as Linux 6.x uses it on a current server (Sapphire Rapids
// class): SMTS, first-stage (FLTS, FS1GP, FS5LP), second-stage (SLTS, SLADS), NEST, 20-bit PASIDs (PSS=19),
// supervisor requests (SRS, RPRIVS), RID_PASID (RPS), page requests (PRS), EAFS, SMPWCS, DIT, PDS, VER 6.0.
// The feature set is assembled from the ECAP bits the spec defines; it is not a register dump of one part.
// "qemu-sm": QEMU 7.2's x-scalable-mode=on adds ECAP.SMTS, SRS and SLTS to the "qemu" values (vtd_init in
// hw/i386/intel_iommu.c); no FLTS, PASID or NEST, so only PGTT=010b and 100b entries are usable there.
// "qemu": QEMU's intel-iommu defaults (hw/i386/intel_iommu.c, vtd_cap_init: ND=6, MGAW=aw-bits,
// SAGAW 39-bit, SLLPS 2M+1G, PSI, MAMV=18, one FRCD at 0x220, IVA/IOTLB at 0xF0, DRD/DWD, ECAP QI+IRO+PT,
// IR and EIM when intremap/eim are on; its default aw-bits is 39 in QEMU 7.2).
// The legacy-mode parts; each scalable preset is its legacy twin plus the scalable-mode bits, so that the two
// can never drift apart.
constexpr uint64_t kServerCap = cap_value({{"nd", 6},
                                           {"plmr", 1},
                                           {"phmr", 1},
                                           {"sagaw", 0b01110},
                                           {"mgaw", 57},
                                           {"zlr", 1},
                                           {"fro", 0x40},
                                           {"sllps", 3},
                                           {"psi", 1},
                                           {"nfr", 8},
                                           {"mamv", 18},
                                           {"dwd", 1},
                                           {"drd", 1},
                                           {"pi", 1}});
constexpr uint64_t kServerEcap = ecap_value({{"c", 0},
                                             {"qi", 1},
                                             {"dt", 1},
                                             {"ir", 1},
                                             {"eim", 1},
                                             {"pt", 1},
                                             {"sc", 1},
                                             {"iro", 0x30},
                                             {"mhmv", 15}});
constexpr uint64_t kQemuCap = cap_value({{"nd", 6},
                                         {"sagaw", 0b00010},
                                         {"mgaw", 39},
                                         {"fro", 0x22},
                                         {"sllps", 3},
                                         {"psi", 1},
                                         {"nfr", 1},
                                         {"mamv", 18},
                                         {"dwd", 1},
                                         {"drd", 1}});
constexpr uint64_t kQemuEcap = ecap_value({{"qi", 1}, {"ir", 1}, {"eim", 1}, {"pt", 1}, {"iro", 0xF}});

const std::array kPresets{
    capability_preset{"server", "current Intel server part (legacy-mode capabilities)", 0x10, kServerCap,
                      kServerEcap, 46},
    capability_preset{"qemu", "QEMU 7.2 default -device intel-iommu,intremap=on (aw-bits=39)", 0x10, kQemuCap,
                      kQemuEcap, 39},
    capability_preset{"server-sm",
                      "current Intel server part in scalable mode (first/second/nested, 20-bit PASIDs)", 0x60,
                      kServerCap | cap_value({{"fs1gp", 1}, {"fs5lp", 1}}),
                      kServerEcap | ecap_value({{"nest", 1},
                                                {"prs", 1},
                                                {"srs", 1},
                                                {"eafs", 1},
                                                {"pss", 19},
                                                {"pasid", 1},
                                                {"dit", 1},
                                                {"pds", 1},
                                                {"smts", 1},
                                                {"slads", 1},
                                                {"slts", 1},
                                                {"flts", 1},
                                                {"smpwcs", 1},
                                                {"rps", 1},
                                                {"rprivs", 1}}),
                      46},
    capability_preset{"qemu-sm",
                      "QEMU 7.2 -device intel-iommu,intremap=on,x-scalable-mode=on (second stage and "
                      "pass-through, no PASID requests)",
                      0x10, kQemuCap, kQemuEcap | ecap_value({{"smts", 1}, {"srs", 1}, {"slts", 1}}), 39},
};

}  // namespace

std::span<const capability_preset> capability_presets() {
  return kPresets;
}

std::optional<capability_preset> find_capability_preset(std::string_view name) {
  for (const auto& p : kPresets)
    if (name == p.name) return p;
  return std::nullopt;
}

std::string capability_preset_names() {
  std::string names;
  for (const auto& p : kPresets) names += (names.empty() ? "" : ", ") + std::string(p.name);
  return names;
}

bool set_cap_field(uint64_t& cap, std::string_view field, uint64_t value) {
  return set_field(kCapFields, cap, field, value);
}
bool set_ecap_field(uint64_t& ecap, std::string_view field, uint64_t value) {
  return set_field(kEcapFields, ecap, field, value);
}

}  // namespace vtd::spec
