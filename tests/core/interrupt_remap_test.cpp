// Interrupt remapping (VT-d spec 5.1, Table 15): every IR fault reason, source-id validation for each SQ
// value and the bus range, compatibility-format rules, and the posted-interrupt notification logic.
#include "tests/core/core_fixture.hpp"

#include "model/core/interrupt_remapper.hpp"
#include "model/spec/msi.hpp"

namespace vtd::test {
namespace {

constexpr uint16_t kSid = 0x0A10;  // bus 0x0A, dev 2, fn 0
constexpr uint64_t kPid = 0x380040;

class interrupt_remap : public core_fixture {
 protected:
  void enable(bool eime = false, unsigned s = 7) {
    unit->set_interrupt_table(spec::reg::make_irta(kIrt, s, eime));
    unit->enable_interrupt_remapping(true);
  }
  static interrupt_request msi(const msi_request& m, uint16_t sid = kSid) { return {sid, m.address, m.data}; }
  static irte::remapped_fields fields(uint8_t vector, uint32_t dest) {
    irte::remapped_fields f;
    f.vector = vector;
    f.destination = dest;
    return f;
  }
  fault_reason fault_of(const interrupt_request& r) {
    auto res = unit->remap_interrupt(r);
    EXPECT_EQ(res.status, interrupt_status::fault);
    return res.fault;
  }
};

TEST_F(interrupt_remap, RemappedFormatDeliversIrteFields) {
  enable();
  auto f = fields(0x41, 0x07);
  f.dlm = 1;
  f.tm = true;
  f.dm = true;
  put_irte(5, irte::make_remapped(f, false));
  walk_record rec;
  auto r = unit->remap_interrupt(msi(msi_request::make_remappable(5, false, 0)), &rec);
  ASSERT_EQ(r.status, interrupt_status::remapped) << to_string(r.fault);
  EXPECT_EQ(r.vector, 0x41);
  EXPECT_EQ(r.destination, 0x07u);
  EXPECT_EQ(r.delivery_mode, 1u);
  EXPECT_TRUE(r.level_triggered);
  EXPECT_TRUE(r.destination_logical);
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].kind, step_kind::irte);
  EXPECT_EQ(rec[0].entry_address, kIrt + 5 * 16);
  // SHV: index = handle + subhandle.
  put_irte(9, irte::make_remapped(fields(0x50, 1), false));
  auto s = unit->remap_interrupt(msi(msi_request::make_remappable(5, true, 4)));
  EXPECT_EQ(s.interrupt_index, 9u);
  EXPECT_EQ(s.vector, 0x50);
}

TEST_F(interrupt_remap, X2apicDestinationIs32Bits) {
  enable(true);
  put_irte(1, irte::make_remapped(fields(0x30, 0x12345678), true));
  auto r = unit->remap_interrupt(msi(msi_request::make_remappable(1, false, 0)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.destination, 0x12345678u);
  EXPECT_TRUE(r.x2apic);
}

TEST_F(interrupt_remap, IrOffPassesEverythingThrough) {
  auto r = unit->remap_interrupt(msi(msi_request::make_compat(3, 0x44)));
  EXPECT_EQ(r.status, interrupt_status::passthrough);
  EXPECT_EQ(r.destination, 3u);
  EXPECT_EQ(r.vector, 0x44);
  EXPECT_EQ(unit->remap_interrupt(msi(msi_request::make_remappable(1, false, 0))).status,
            interrupt_status::passthrough);
}

TEST_F(interrupt_remap, RequestReserved_20) {
  enable();
  auto m = msi_request::make_remappable(1, true, 0);
  m.data |= 0x10000;  // data 31:16 with SHV=1
  EXPECT_EQ(fault_of(msi(m)), fault_reason::ir_request_reserved);
  auto hi = msi_request::make_remappable(1, false, 0);
  hi.address |= 1ull << 32;
  EXPECT_EQ(fault_of(msi(hi)), fault_reason::ir_request_reserved);
}

TEST_F(interrupt_remap, IndexBeyondTable_21) {
  enable(false, 3);  // 2^(3+1) = 16 entries
  put_irte(15, irte::make_remapped(fields(1, 1), false));
  EXPECT_TRUE(unit->remap_interrupt(msi(msi_request::make_remappable(15, false, 0))).ok());
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(16, false, 0))), fault_reason::ir_index_beyond_table);
  // IRTE address above HAW.
  unit->set_interrupt_table(spec::reg::make_irta((1ull << 46) - 0x1000, 15, false));
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(0x100, false, 0))),
            fault_reason::ir_index_beyond_table);
  // FI carries the interrupt_index in 63:48.
  EXPECT_EQ(unit->faults().frcd_lo(0), 16ull << 48);
}

TEST_F(interrupt_remap, EntryNotPresent_22_AndFpd) {
  enable();
  irte e = irte::make_remapped(fields(1, 1), false);
  e.lo &= ~1ull;  // P=0
  put_irte(2, e);
  auto r = unit->remap_interrupt(msi(msi_request::make_remappable(2, false, 0)));
  EXPECT_EQ(r.fault, fault_reason::ir_entry_not_present);
  EXPECT_TRUE(r.fault_recorded);
  e.lo |= 2;  // FPD evaluated although P=0
  put_irte(2, e);
  r = unit->remap_interrupt(msi(msi_request::make_remappable(2, false, 0)));
  EXPECT_EQ(r.fault, fault_reason::ir_entry_not_present);
  EXPECT_FALSE(r.fault_recorded);
}

TEST_F(interrupt_remap, TableReadError_23) {
  unit->set_interrupt_table(spec::reg::make_irta(kBeyondMemory, 7, false));
  unit->enable_interrupt_remapping(true);
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(0, false, 0))), fault_reason::ir_table_read_error);
}

TEST_F(interrupt_remap, EntryReserved_24) {
  enable();
  auto good = irte::make_remapped(fields(1, 1), false);
  put_irte(0, irte{good.lo | (1u << 12), good.hi});  // 14:12
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(0, false, 0))), fault_reason::ir_entry_reserved);
  put_irte(0, irte{good.lo | (1ull << 33), good.hi});  // xAPIC: DST 39:32 reserved
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(0, false, 0))), fault_reason::ir_entry_reserved);
  put_irte(0, irte{good.lo | (3u << 5), good.hi});  // DLM 011 reserved
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(0, false, 0))), fault_reason::ir_entry_reserved);
  put_irte(0, irte{good.lo, good.hi | (1ull << 20)});  // 127:84
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(0, false, 0))), fault_reason::ir_entry_reserved);
  auto svt11 = good;
  svt11.hi |= 3u << 18;  // SVT=11 reserved -> 24h (QEMU: 26h)
  put_irte(0, svt11);
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(0, false, 0))), fault_reason::ir_entry_reserved);
  // IM=1 without CAP.PI.
  set_cap_field(cfg.cap, "pi", 0);
  rebuild();
  enable();
  put_irte(0, irte::make_posted(0x20, kPid, false, 0, 0, source_validation::none));
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(0, false, 0))), fault_reason::ir_entry_reserved);
}

TEST_F(interrupt_remap, CompatBlocked_25) {
  enable(false);
  EXPECT_EQ(fault_of(msi(msi_request::make_compat(1, 0x30))), fault_reason::ir_compat_blocked);  // CFIS=0
  unit->allow_compat_interrupts(true);
  EXPECT_EQ(unit->remap_interrupt(msi(msi_request::make_compat(1, 0x30))).status,
            interrupt_status::passthrough);
  unit->set_interrupt_table(spec::reg::make_irta(kIrt, 7, true));  // EIME=1 blocks even with CFIS
  EXPECT_EQ(fault_of(msi(msi_request::make_compat(1, 0x30))), fault_reason::ir_compat_blocked);
}

TEST_F(interrupt_remap, SourceIdValidation_26_AllSqValues) {
  enable();
  // Requester 0x0A17 (fn 7) against IRTE SID 0x0A10: differs in bits 2:0.
  const uint16_t req = 0x0A17;
  const bool want[4] = {false, false, false,
                        true};  // SQ 00 all bits, 01 ignore 2, 10 ignore 2:1, 11 ignore 2:0
  for (unsigned sq = 0; sq < 4; ++sq) {
    auto f = fields(1, 1);
    f.sid = 0x0A10;
    f.sq = sq;
    f.svt = source_validation::requester_id;
    put_irte(3, irte::make_remapped(f, false));
    auto r = unit->remap_interrupt(msi(msi_request::make_remappable(3, false, 0), req));
    EXPECT_EQ(r.ok(), want[sq]) << "sq=" << sq;
    if (!want[sq]) {
      EXPECT_EQ(r.fault, fault_reason::ir_source_id_invalid);
    }
  }
  // Requester 0x0A14 differs only in bit 2: SQ=01 accepts.
  auto f = fields(1, 1);
  f.sid = 0x0A10;
  f.sq = 1;
  f.svt = source_validation::requester_id;
  put_irte(3, irte::make_remapped(f, false));
  EXPECT_TRUE(unit->remap_interrupt(msi(msi_request::make_remappable(3, false, 0), 0x0A14)).ok());
  EXPECT_FALSE(unit->remap_interrupt(msi(msi_request::make_remappable(3, false, 0), 0x0A12)).ok());
}

TEST_F(interrupt_remap, SourceIdValidation_26_BusRangeStartInHighByte) {
  enable();
  auto f = fields(1, 1);
  f.sid = 0x0810;  // start bus 0x08, end bus 0x10 (spec order)
  f.svt = source_validation::bus_range;
  put_irte(4, irte::make_remapped(f, false));
  for (unsigned bus : {0x08u, 0x0Cu, 0x10u})
    EXPECT_TRUE(
        unit->remap_interrupt(msi(msi_request::make_remappable(4, false, 0), uint16_t(bus << 8 | 3))).ok());
  for (unsigned bus : {0x07u, 0x11u})
    EXPECT_EQ(fault_of(msi(msi_request::make_remappable(4, false, 0), uint16_t(bus << 8))),
              fault_reason::ir_source_id_invalid);
}

class posted : public interrupt_remap {
 protected:
  void SetUp() override {
    interrupt_remap::SetUp();
    enable();
  }
  void put_pid(const posted_descriptor& d) { mem.write(kPid, d.qw, sizeof d.qw); }
  posted_descriptor get_pid() {
    posted_descriptor d;
    mem.read(kPid, d.qw, sizeof d.qw);
    return d;
  }
  interrupt_result post(uint8_t vv, bool urgent) {
    put_irte(6, irte::make_posted(vv, kPid, urgent, 0, 0, source_validation::none));
    return unit->remap_interrupt(msi(msi_request::make_remappable(6, false, 0)));
  }
};

TEST_F(posted, NotificationWhenOnClearAndNotSuppressed) {
  put_pid(posted_descriptor::make(0xF2, 0x05, false));
  auto r = post(0x91, false);
  ASSERT_EQ(r.status, interrupt_status::posted) << to_string(r.fault);
  EXPECT_TRUE(r.notification_sent);
  EXPECT_EQ(r.notification_vector, 0xF2);
  EXPECT_EQ(r.notification_destination, 0x05u);
  auto d = get_pid();
  EXPECT_TRUE(d.pir(0x91));
  EXPECT_EQ(d.qw[2], 1ull << (0x91 - 128));  // PIR bit 145 lives in QW2 bit 17
  EXPECT_TRUE(d.on());
  // ON already set: PIR bit set, no second notification.
  auto r2 = post(0x92, false);
  EXPECT_FALSE(r2.notification_sent);
  EXPECT_TRUE(get_pid().pir(0x92));
}

TEST_F(posted, SuppressNotificationUnlessUrgent) {
  put_pid(posted_descriptor::make(0xF2, 0x05, false, false, /*sn=*/true));
  auto r = post(0x40, false);
  EXPECT_FALSE(r.notification_sent);
  EXPECT_FALSE(get_pid().on());
  EXPECT_TRUE(get_pid().pir(0x40));
  auto u = post(0x41, true);  // URG overrides SN
  EXPECT_TRUE(u.notification_sent);
  EXPECT_TRUE(get_pid().on());
}

TEST_F(posted, PidReadError_27_AndReserved_28) {
  put_irte(6, irte::make_posted(0x20, kBeyondMemory, false, 0, 0, source_validation::none));
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(6, false, 0))), fault_reason::ir_pid_read_error);
  auto d = posted_descriptor::make(0xF2, 0x05, false);
  d.qw[4] |= 1u << 3;  // 271:258
  put_pid(d);
  put_irte(6, irte::make_posted(0x20, kPid, false, 0, 0, source_validation::none));
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(6, false, 0))), fault_reason::ir_pid_reserved);
  d = posted_descriptor::make(0xF2, 0x05, false);
  d.qw[6] = 1;  // 511:320
  put_pid(d);
  EXPECT_EQ(fault_of(msi(msi_request::make_remappable(6, false, 0))), fault_reason::ir_pid_reserved);
}

}  // namespace
}  // namespace vtd::test
