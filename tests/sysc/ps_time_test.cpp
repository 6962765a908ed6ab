// The shell's integer time: picosecond conversions against SystemC's own (sc_time built from a double in
// SC_PS, read back through to_seconds), and quantum_clock against hand-computed synchronisation points and
// against tlm_utils::tlm_quantumkeeper itself. These run after sysc_test_main's simulation, at the kernel's
// final time and its default resolution (1 ps).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <systemc>
#include <vector>
// After <systemc>: the quantum keeper's header uses the kernel's declarations without including them.
#include <tlm_utils/tlm_quantumkeeper.h>

#include "model/sysc/ps_time.hpp"
#include "model/sysc/quantum_clock.hpp"

using vtd::sysc::from_ps_any;
using vtd::sysc::ps_converter;
using vtd::sysc::quantum_clock;
using vtd::sysc::to_ps_any;

namespace {

// Times to convert: small ones, every power of two up to 2^60 and its neighbours, random ones of every
// magnitude (a fixed seed).
std::vector<uint64_t> sample_times() {
  std::vector<uint64_t> v = {0, 1, 2, 3, 999, 1000, 1001, 590'000, 1'000'000, 123'456'789'012};
  for (unsigned b = 1; b <= 60; ++b)
    for (int64_t d : {-1, 0, 1}) v.push_back((uint64_t{1} << b) + uint64_t(d));
  std::mt19937_64 rng(16);
  for (int i = 0; i < 20000; ++i) v.push_back(rng() >> (rng() % 64));
  return v;
}

ps_converter settled() {
  ps_converter c;
  c.settle();
  return c;
}

}  // namespace

TEST(PsTime, DefaultResolutionIsOnePicosecond) {
  EXPECT_TRUE(vtd::sysc::time_resolution_is_ps());
  EXPECT_TRUE(settled().exact());
  EXPECT_FALSE(ps_converter{}.exact()) << "until settled, the conversions go through seconds";
}

// from_ps is what the shell did before, sc_time(double(ps), SC_PS), for every value, and the value itself
// below 2^52 (where a double still holds ps + 1/2).
TEST(PsTime, FromPsEqualsSystemcsOwnConversion) {
  const ps_converter c = settled();
  for (uint64_t ps : sample_times()) {
    const sc_core::sc_time want(static_cast<double>(ps), sc_core::SC_PS);
    ASSERT_EQ(c.from_ps(ps), want) << ps;
    ASSERT_EQ(from_ps_any(ps), want) << ps;
    ASSERT_EQ(c.time_of_ticks(ps), want) << ps;
    if (ps < (uint64_t{1} << 52)) {
      ASSERT_EQ(c.from_ps(ps).value(), ps) << ps;
      ASSERT_EQ(c.time_of_ticks(ps), sc_core::sc_time::from_value(ps)) << ps;
    }
  }
}

// to_ps is the tick count; the old conversion through seconds agrees with it up to 2^50 ps (about 19
// simulated minutes), the range the header promises.
TEST(PsTime, ToPsEqualsTheConversionThroughSeconds) {
  const ps_converter c = settled();
  for (uint64_t ps : sample_times()) {
    const sc_core::sc_time t = sc_core::sc_time::from_value(ps);
    ASSERT_EQ(c.to_ps(t), ps) << ps;
    ASSERT_EQ(c.ticks(ps), ps) << ps;
    ASSERT_EQ(c.ps_of_ticks(ps), ps) << ps;
    if (ps <= (uint64_t{1} << 50)) {
      ASSERT_EQ(to_ps_any(t), ps) << ps;
    }
  }
}

TEST(PsTime, UnsettledConverterGoesThroughSeconds) {
  const ps_converter c;
  for (uint64_t ps : {uint64_t{0}, uint64_t{1}, uint64_t{590'000}, uint64_t{1} << 40}) {
    EXPECT_EQ(c.from_ps(ps), sc_core::sc_time(static_cast<double>(ps), sc_core::SC_PS));
    EXPECT_EQ(c.to_ps(sc_core::sc_time::from_value(ps)), ps);
    EXPECT_EQ(c.ticks(ps), ps);
    EXPECT_EQ(c.time_of_ticks(ps).value(), ps);
  }
}

TEST(QuantumClock, SyncPointsAreHandComputed) {
  quantum_clock c;
  c.reset(2'500, 1'000);  // kernel at 2.5 quanta: the next boundary is 3000
  EXPECT_EQ(c.next_sync(), 3'000u);
  EXPECT_EQ(c.now(), 2'500u);
  EXPECT_FALSE(c.need_sync());
  c.advance_to(2'999);
  EXPECT_EQ(c.local(), 499u);
  EXPECT_FALSE(c.need_sync());
  c.advance_to(2'000);  // never back
  EXPECT_EQ(c.now(), 2'999u);
  c.advance_to(3'000);
  EXPECT_TRUE(c.need_sync()) << "the boundary itself synchronises";
  c.reset(3'000, 1'000);  // on a boundary: the next is a whole quantum later
  EXPECT_EQ(c.next_sync(), 4'000u);
  EXPECT_EQ(c.local(), 0u);
  c.advance_to(1'000'000);  // a jump over many quanta: local time counts from the kernel
  EXPECT_EQ(c.local(), 997'000u);
  EXPECT_TRUE(c.need_sync());
  c.reset(7, 0);  // no quantum: every request synchronises
  EXPECT_EQ(c.next_sync(), 7u);
  EXPECT_TRUE(c.need_sync());
}

// The same questions asked of tlm_quantumkeeper at the kernel's (final) time, for several quanta and a
// random rising sequence of times.
TEST(QuantumClock, AgreesWithTlmQuantumKeeper) {
  const sc_core::sc_time saved = tlm_utils::tlm_quantumkeeper::get_global_quantum();
  const uint64_t kernel = sc_core::sc_time_stamp().value();
  std::mt19937_64 rng(7);
  for (uint64_t quantum :
       {uint64_t{1}, uint64_t{3}, uint64_t{1'000}, uint64_t{1'000'000}, uint64_t{7'777'777}}) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time::from_value(quantum));
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    quantum_clock c;
    c.reset(kernel, quantum);
    uint64_t t = kernel;
    for (int i = 0; i < 5000; ++i) {
      t += rng() % (3 * quantum + 2);
      const sc_core::sc_time at = sc_core::sc_time::from_value(t - rng() % 2);  // sometimes not later
      if (at > qk.get_current_time()) qk.set(at - sc_core::sc_time_stamp());
      c.advance_to(at.value());
      ASSERT_EQ(c.now(), qk.get_current_time().value()) << quantum << " " << i;
      ASSERT_EQ(c.local(), qk.get_local_time().value()) << quantum << " " << i;
      ASSERT_EQ(c.need_sync(), qk.need_sync()) << quantum << " " << i;
    }
  }
  tlm_utils::tlm_quantumkeeper::set_global_quantum(saved);
}
