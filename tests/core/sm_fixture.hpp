// Test fixture for scalable mode: a "server-sm" unit over 4 GiB of sparse memory, with helpers that write the
// scalable-mode structures (root, context, PASID directory and table entries) and first- and second-stage
// page tables into memory with the model/spec encoders, from a bump allocator of table pages.
#pragma once
#include <initializer_list>

#include "model/spec/fs_entry.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sm_context_entry.hpp"
#include "model/spec/sm_root_entry.hpp"
#include "tests/core/core_fixture.hpp"

namespace vtd::test {

class sm_fixture : public core_fixture {
 public:  // public so that table-driven cases (lambdas) can build with it
  static constexpr uint64_t kCtxLo = 0x101000, kCtxHi = 0x102000;
  static constexpr uint64_t kDir = 0x110000;                 // PDTS=7: 16384 entries, 128 KiB
  static constexpr uint64_t kPasidTable = 0x130000;          // PASIDs 0-63
  static constexpr uint16_t kSid = make_source_id(0, 3, 0);  // devfn 0x18: lower half, context index 0x18
  static constexpr uint64_t kTtmScalable = uint64_t{1} << 10;

  void SetUp() override {
    cfg = unit_config::from_preset(*find_capability_preset("server-sm"));
    rebuild();
  }

  void put(uint64_t addr, std::initializer_list<uint64_t> qwords) {
    for (uint64_t q : qwords) {
      mem.write64(addr, q);
      addr += 8;
    }
  }
  template <size_t N>
  void put(uint64_t addr, const wide_entry<N>& e) {
    for (size_t i = 0; i < N; ++i) mem.write64(addr + 8 * i, e.qw[i]);
  }
  void enable() {
    unit->set_root_table(kRoot | kTtmScalable);
    unit->enable_translation(true);
  }

  static sm_context_entry context(uint64_t dir = kDir, unsigned pdts = 7, uint32_t rid_pasid = 0,
                                  bool paside = true) {
    sm_context_fields_t f;
    f.p = true;
    f.paside = paside;
    f.pdts = pdts;
    f.pasiddirptr = dir;
    f.rid_pasid = rid_pasid;
    return sm_context_entry::encode(f);
  }
  static pasid_entry first_stage(uint16_t did, uint64_t flptptr, unsigned levels = 4) {
    pasid_fields_t f;
    f.p = true;
    f.type = pgtt::first_stage;
    f.did = did;
    f.flpm = levels == 5 ? 1 : 0;
    f.flptptr = flptptr;
    f.pwsnp = true;
    return pasid_entry::encode(f);
  }
  static pasid_entry second_stage(uint16_t did, uint64_t slptptr, unsigned aw = 2) {
    pasid_fields_t f;
    f.p = true;
    f.type = pgtt::second_stage;
    f.did = did;
    f.aw = aw;
    f.slptptr = slptptr;
    f.pwsnp = true;
    return pasid_entry::encode(f);
  }
  static pasid_entry nested(uint16_t did, uint64_t flptptr, uint64_t slptptr, unsigned aw = 2) {
    pasid_entry e = first_stage(did, flptptr);
    e.set(pasid_fields::PGTT, uint64_t(pgtt::nested));
    e.set(pasid_fields::AW, aw);
    e.set_in_place(pasid_fields::SLPTPTR, slptptr);
    return e;
  }
  static pasid_entry pass_through(uint16_t did) {
    pasid_fields_t f;
    f.p = true;
    f.type = pgtt::pass_through;
    f.did = did;
    return pasid_entry::encode(f);
  }

  // Root -> context (kSid) -> directory slot 0 -> PASID table kPasidTable; `pe` at PASID `pasid` (0-63).
  void install(const pasid_entry& pe, uint32_t pasid = 0, const sm_context_entry& ctx = context()) {
    put(kRoot, {sm_root_entry::make(kCtxLo, kCtxHi).lo, sm_root_entry::make(kCtxLo, kCtxHi).hi});
    put(kCtxLo + (sid_devfn(kSid) & 0x7F) * 32, ctx);
    put(kDir + pasid_dir_index(pasid) * 8, {pasid_dir_entry::encode({true, false, kPasidTable}).raw});
    put(kPasidTable + pasid_table_index(pasid) * 64, pe);
    enable();
  }

  uint64_t new_table() {
    uint64_t t = m_next_table;
    m_next_table += 0x1000;
    return t;
  }
  // First-stage mapping of one page (4 KiB, 2 MiB or 1 GiB by `leaf_level`) as Linux writes it: every entry
  // P, R/W, U/S and A; the leaf R/W per `write`, U/S per `user`, D when writable and `ad` (A/D preset).
  void map_fs(uint64_t root, unsigned levels, uint64_t iova, uint64_t frame, bool write = true,
              bool user = true, unsigned leaf_level = 1, bool ad = true) {
    uint64_t table = root;
    for (unsigned level = levels; level > leaf_level; --level) {
      const uint64_t ea = table + level_index(iova, level) * 8;
      fs_entry e{mem.read64(ea).value_or(0)};
      if (!e.present()) {
        e = fs_entry::make_table(new_table());
        if (ad) e.raw |= fs_fields::A.place(1);
        mem.write64(ea, e.raw);
      }
      table = e.address(level);
    }
    fs_entry leaf = fs_entry::make_leaf(leaf_level, frame, write, user);
    if (ad) leaf.raw |= fs_fields::A.place(1) | (write ? fs_fields::D.place(1) : 0);
    mem.write64(table + level_index(iova, leaf_level) * 8, leaf.raw);
  }
  // Second-stage mapping of one page.
  void map_ss(uint64_t root, unsigned levels, uint64_t gpa, uint64_t frame, bool read = true,
              bool write = true, unsigned leaf_level = 1) {
    uint64_t table = root;
    for (unsigned level = levels; level > leaf_level; --level) {
      const uint64_t ea = table + level_index(gpa, level) * 8;
      sl_entry e{mem.read64(ea).value_or(0)};
      if (!e.present()) {
        e = sl_entry::make_table(new_table());
        mem.write64(ea, e.raw);
      }
      table = e.address(level);
    }
    mem.write64(table + level_index(gpa, leaf_level) * 8,
                sl_entry::make_leaf(leaf_level, frame, read, write).raw);
  }

  static dma_request pasid_dma(uint32_t pasid, uint64_t addr, access_kind a = access_kind::read,
                               bool priv = false) {
    dma_request r = dma(kSid, addr, a);
    r.has_pasid = true;
    r.pasid = pasid;
    r.privileged = priv;
    return r;
  }

  uint64_t m_next_table = 0x200000;
};

}  // namespace vtd::test
