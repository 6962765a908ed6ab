// The dispatcher picks the translation mode by RTADDR.TTM through one seam: legacy mode is built in, a mode
// for TTM=01 plugs in without touching it (and is used only with ECAP.SMTS), and a TTM with no mode faults
// as the spec's root-table-address conditions say (30h; 33h for abort-DMA mode with ECAP.ADMS).
#include "model/core/translation_mode.hpp"

#include "tests/core/core_fixture.hpp"

namespace vtd::test {
namespace {

constexpr uint16_t kSid = 0x0010;

// A stand-in for scalable mode: answers every request with a fixed address and records one step.
class fake_scalable final : public translation_mode {
 public:
  spec::reg::ttm ttm() const override { return spec::reg::ttm::scalable; }
  translation_result translate(const dma_request& req, walk_record* rec) override {
    ++calls;
    if (rec)
      rec->add(walk_step::read(step_kind::sl_entry, structure_kind::sm_root_entry, translation_stage::none, 0,
                               true, sid_bus(req.source_id), 0, 0, {0, 0}));
    translation_result r;
    r.status = dma_status::translated;
    r.hpa = 0xABC000 | (req.address & 0xFFF);
    r.page_size = 4096;
    r.read = r.write = true;
    return r;
  }
  unsigned calls = 0;
};

class translation_modes : public core_fixture {
 protected:
  void set_ttm(spec::reg::ttm t) {
    unit->set_root_table(kRoot | (uint64_t(t) << 10));
    unit->enable_translation(true);
  }
};

TEST_F(translation_modes, legacy_mode_is_registered_for_ttm_00) {
  EXPECT_EQ(unit->dma().mode(spec::reg::ttm::legacy), &unit->dma().legacy());
  EXPECT_EQ(unit->dma().legacy().ttm(), spec::reg::ttm::legacy);
  EXPECT_EQ(unit->dma().mode(spec::reg::ttm::scalable), nullptr);
  EXPECT_EQ(unit->dma().mode(spec::reg::ttm::reserved), nullptr);
  EXPECT_EQ(unit->dma().mode(spec::reg::ttm::abort_dma), nullptr);
}

TEST_F(translation_modes, ttm_without_a_mode_faults_rtaddr_invalid) {
  for (auto t : {spec::reg::ttm::scalable, spec::reg::ttm::reserved, spec::reg::ttm::abort_dma}) {
    set_ttm(t);
    EXPECT_EQ(unit->translate(dma(kSid, 0x1000)).fault, fault_reason::rtaddr_invalid) << unsigned(t);
  }
}

TEST_F(translation_modes, abort_dma_mode_with_adms_blocks_with_33h) {
  ASSERT_TRUE(set_ecap_field(cfg.ecap, "adms", 1));
  rebuild();
  set_ttm(spec::reg::ttm::abort_dma);
  EXPECT_EQ(unit->translate(dma(kSid, 0x1000)).fault, fault_reason::abort_dma_mode);
}

TEST_F(translation_modes, a_scalable_mode_plugs_in_and_needs_smts) {
  fake_scalable sm;
  unit->dma().set_mode(spec::reg::ttm::scalable, &sm);
  set_ttm(spec::reg::ttm::scalable);
  EXPECT_EQ(unit->translate(dma(kSid, 0x1000)).fault, fault_reason::rtaddr_invalid);  // ECAP.SMTS=0
  EXPECT_EQ(sm.calls, 0u);

  ASSERT_TRUE(set_ecap_field(cfg.ecap, "smts", 1));
  rebuild();
  unit->dma().set_mode(spec::reg::ttm::scalable, &sm);
  set_ttm(spec::reg::ttm::scalable);
  walk_record rec;
  auto r = unit->translate(dma(kSid, 0x1234), &rec);
  ASSERT_EQ(r.status, dma_status::translated);
  EXPECT_EQ(r.hpa, 0xABC234u);
  EXPECT_EQ(sm.calls, 1u);
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].structure, structure_kind::sm_root_entry);

  // The rules before the mode still apply: the interrupt-address range and GSTS.TES.
  EXPECT_EQ(unit->translate(dma(kSid, 0xFEE00000, access_kind::write, 4)).status, dma_status::interrupt);
  unit->enable_translation(false);
  EXPECT_EQ(unit->translate(dma(kSid, 0x1000)).status, dma_status::untranslated);
  EXPECT_EQ(sm.calls, 1u);

  // Legacy mode is untouched by the registration.
  set_ttm(spec::reg::ttm::legacy);
  EXPECT_EQ(unit->translate(dma(kSid, 0x1000)).fault, fault_reason::root_not_present);
}

TEST_F(translation_modes, caps_are_decoded_once_by_the_unit) {
  const spec::caps& c = unit->caps();
  const auto cap = cfg.cap_fields();
  const auto ecap = cfg.ecap_fields();
  EXPECT_EQ(c.sagaw, cap.sagaw());
  EXPECT_EQ(c.mgaw, cap.mgaw());
  EXPECT_EQ(c.did_bits, cap.domain_id_bits());
  EXPECT_EQ(c.nfr, cap.nfr());
  EXPECT_EQ(c.pi, cap.pi());
  EXPECT_EQ(c.dt, ecap.dt());
  EXPECT_EQ(c.iro, ecap.iro());
  EXPECT_EQ(c.haw, cfg.haw);
  EXPECT_EQ(&unit->dma().env().caps, &c);  // the translator reads the unit's copy, not its own
  EXPECT_EQ(unit->regs().iotlb_offset(), c.iro * 16 + 8);
}

}  // namespace
}  // namespace vtd::test
