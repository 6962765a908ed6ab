// One decode of CAP/ECAP (spec::caps), the bit-field descriptors the accessors, the checker and explain read,
// the shared FM / SQ mask, and the CCMD / IOTLB_REG layouts.
#include <gtest/gtest.h>

#include "model/spec/caps.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/inv_registers.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/source_id.hpp"

namespace vtd::spec {
namespace {

TEST(caps, decode_matches_the_register_fields) {
  for (const auto& p : capability_presets()) {
    const caps c = caps::decode(p.ver, p.cap, p.ecap, p.haw);
    const reg::cap_reg k{p.cap};
    const reg::ecap_reg e{p.ecap};
    EXPECT_EQ(c.did_bits, k.domain_id_bits()) << p.name;
    EXPECT_EQ(c.sagaw, k.sagaw()) << p.name;
    EXPECT_EQ(c.mgaw, k.mgaw()) << p.name;
    EXPECT_EQ(c.nfr, k.nfr()) << p.name;
    EXPECT_EQ(c.fro, k.fro()) << p.name;
    EXPECT_EQ(c.super_2m, k.super_2m()) << p.name;
    EXPECT_EQ(c.super_1g, k.super_1g()) << p.name;
    EXPECT_EQ(c.psi, k.psi()) << p.name;
    EXPECT_EQ(c.mamv, k.mamv()) << p.name;
    EXPECT_EQ(c.iro, e.iro()) << p.name;
    EXPECT_EQ(c.mhmv, e.mhmv()) << p.name;
    EXPECT_EQ(c.qi, e.qi()) << p.name;
    EXPECT_EQ(c.ir, e.ir()) << p.name;
    EXPECT_EQ(c.haw, p.haw) << p.name;
    EXPECT_EQ(c.ver_major, (p.ver >> 4) & 0xF) << p.name;
    for (unsigned aw = 0; aw < 8; ++aw) EXPECT_EQ(c.supports_aw(aw), k.supports_aw(aw)) << p.name << aw;
    const sl_check_config sl = c.sl_check();
    EXPECT_EQ(sl.haw, p.haw);
    EXPECT_EQ(sl.snoop_control, e.sc());
  }
}

TEST(field_desc, accessors_read_through_the_descriptors) {
  EXPECT_EQ(context_fields::AW.bits(), "66:64");
  EXPECT_EQ(context_fields::DID.bits(), "87:72");
  EXPECT_EQ(context_fields::P.bits(), "0");
  EXPECT_EQ(root_fields::CTP.bits(), "63:12");
  EXPECT_EQ(sl_fields::address_field(2, true).bits(), "51:21");
  EXPECT_EQ(sl_fields::address_field(3, true).bits(), "51:30");
  EXPECT_EQ(sl_fields::address_field(3, false).bits(), "51:12");
  EXPECT_EQ(irte_fields::SVT.bits(), "83:82");
  const auto e = context_entry::make(0x7000, 3, 0xBEEF, translation_type::device_tlb, true);
  EXPECT_EQ(e.did(), 0xBEEF);
  EXPECT_EQ(context_fields::DID.get(e.hi), 0xBEEFu);
  EXPECT_EQ(context_fields::AW.get(e.hi), 3u);
  EXPECT_EQ(context_fields::TT.get(e.lo), 1u);
  EXPECT_EQ(context_fields::SLPTPTR.in_place(e.lo), 0x7000u);
  EXPECT_EQ(qword_of(context_fields::DID), 1u);
  EXPECT_EQ(qword_of(context_fields::TT), 0u);
}

TEST(source_id, fm_and_sq_share_one_mask_table) {
  EXPECT_EQ(sid_function_mask(0), 0xFFFF);
  EXPECT_EQ(sid_function_mask(1), 0xFFFB);
  EXPECT_EQ(sid_function_mask(2), 0xFFF9);
  EXPECT_EQ(sid_function_mask(3), 0xFFF8);
  for (unsigned v = 0; v < 4; ++v) EXPECT_EQ(sq_mask(v), sid_function_mask(v));
}

TEST(inv_registers, ccmd_and_iotlb_layouts) {
  const uint64_t v = ccmd::make(cc_granularity::device, 0x1234, 0x0310, 3);
  EXPECT_EQ(v >> 63, 1u);
  EXPECT_EQ(ccmd::cirg(v), cc_granularity::device);
  EXPECT_EQ(ccmd::DID.get(v), 0x1234u);
  EXPECT_EQ(ccmd::SID.get(v), 0x0310u);
  EXPECT_EQ(ccmd::FM.get(v), 3u);
  EXPECT_EQ(
      v, (uint64_t{1} << 63) | (uint64_t{3} << 61) | (uint64_t{3} << 32) | (uint64_t{0x0310} << 16) | 0x1234);
  const uint64_t t = iotlb_reg::make(iotlb_granularity::page, 7);
  EXPECT_EQ(t, (uint64_t{1} << 63) | (uint64_t{3} << 60) | (uint64_t{7} << 32));
  EXPECT_EQ(iotlb_reg::iirg(t), iotlb_granularity::page);
  EXPECT_EQ(iotlb_reg::iaig(uint64_t{2} << 57), 2u);
  EXPECT_EQ(iva_reg::make(0x12345678, 9, true), 0x12345000u | (1u << 6) | 9u);
}

}  // namespace
}  // namespace vtd::spec
