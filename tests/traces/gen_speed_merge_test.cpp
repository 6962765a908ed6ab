// The generator's merge of its device models (traces/gen/generator.cpp) releases a run of records from one
// device at a time and hands them out in blocks. Checked against the record-by-record merge it replaces,
// rebuilt here from the device models themselves: every device's head scanned for every record, the smallest
// (time, device index) released. Several devices of each kind, ties between devices (the NICs' first maps are
// all at time 0), nested devices sharing the guest's memory, and many block boundaries.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "traces/gen/generator.hpp"
#include "traces/gen/gpu.hpp"
#include "traces/gen/nic.hpp"
#include "traces/gen/nvme.hpp"
#include "traces/gen/sva.hpp"

using namespace vtd::traces;
namespace gen = vtd::traces::gen;

namespace {

// The devices of `w` seeded as generate() seeds them, merged one record at a time.
std::vector<record> reference_merge(const gen::workload& w) {
  gen::platform_parts parts;
  std::vector<std::unique_ptr<gen::device_model>> devices;
  uint64_t component = 0;
  for (unsigned i = 0; i < w.nic.count; ++i)
    devices.push_back(
        std::make_unique<gen::nic_model>(i, w.nic, gen::component_seed(w.seed, ++component), parts));
  for (unsigned i = 0; i < w.nvme.count; ++i)
    devices.push_back(
        std::make_unique<gen::nvme_model>(i, w.nvme, gen::component_seed(w.seed, 100 + ++component), parts));
  for (unsigned i = 0; i < w.gpu.count; ++i)
    devices.push_back(
        std::make_unique<gen::gpu_model>(i, w.gpu, gen::component_seed(w.seed, 200 + ++component), parts));
  for (unsigned i = 0; i < w.sva.count; ++i)
    devices.push_back(
        std::make_unique<gen::sva_model>(i, w.sva, gen::component_seed(w.seed, 300 + ++component), parts));
  std::vector<record> out;
  uint64_t dmas = 0;
  while (dmas < w.dma_target) {
    size_t best = 0;
    for (size_t i = 1; i < devices.size(); ++i)
      if (devices[i]->head_time() < devices[best]->head_time()) best = i;
    out.push_back(devices[best]->pop());
    if (out.back().kind == record_kind::dma) ++dmas;
  }
  return out;
}

struct blocks {
  std::vector<record> records;
  std::vector<size_t> sizes;
  gen::generation_summary summary;
};

blocks generate_in_blocks(const gen::workload& w) {
  blocks b;
  vtd::tables::platform_description platform;
  b.summary = gen::generate_blocks(
      w,
      [&](std::span<const record> block) {
        b.sizes.push_back(block.size());
        b.records.insert(b.records.end(), block.begin(), block.end());
      },
      platform);
  return b;
}

void expect_same_as_reference(const gen::workload& w) {
  const std::vector<record> expected = reference_merge(w);
  const blocks got = generate_in_blocks(w);
  ASSERT_GT(got.sizes.size(), 2u) << "the case must cross block boundaries";
  for (size_t i = 0; i < got.sizes.size(); ++i) {
    // Full blocks but the last, which is not empty.
    if (i + 1 < got.sizes.size())
      EXPECT_EQ(got.sizes[i], gen::block_records);
    else
      EXPECT_TRUE(got.sizes[i] > 0 && got.sizes[i] <= gen::block_records);
  }
  ASSERT_EQ(got.records.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_EQ(got.records[i], expected[i]) << "record " << i << " (block " << i / gen::block_records << ")";
  // The summary counts what was handed out, kind by kind.
  gen::generation_summary counted;
  for (const record& r : got.records) {
    counted.dmas += r.kind == record_kind::dma;
    counted.maps += r.kind == record_kind::map;
    counted.unmaps += r.kind == record_kind::unmap;
    counted.msis += r.kind == record_kind::msi;
    counted.waits += r.kind == record_kind::inv_wait;
  }
  EXPECT_EQ(got.summary.records, got.records.size());
  EXPECT_EQ(got.summary.dmas, counted.dmas);
  EXPECT_EQ(got.summary.dmas, w.dma_target);
  EXPECT_EQ(got.summary.maps, counted.maps);
  EXPECT_EQ(got.summary.unmaps, counted.unmaps);
  EXPECT_EQ(got.summary.msis, counted.msis);
  EXPECT_EQ(got.summary.waits, counted.waits);
  EXPECT_EQ(got.summary.end_time_ps, got.records.back().time_ps);
}

}  // namespace

TEST(GenSpeedMerge, LegacyDevicesOfEveryKindMergeAsRecordByRecord) {
  gen::workload w = gen::preset_workload("all");
  w.nic.count = 3;
  w.nvme.count = 2;
  w.gpu.count = 2;
  w.gpu.gbytes_per_s = 2;  // so that the GPUs do not take nearly every record
  w.dma_target = 40000;
  w.seed = 17;
  expect_same_as_reference(w);
}

TEST(GenSpeedMerge, TiesAtTimeZeroGoToTheLowerDeviceIndex) {
  // Every NIC posts its RX buffers with maps at time 0: the merge releases NIC 0's before NIC 1's.
  gen::workload w = gen::preset_workload("nic");
  w.nic.count = 2;
  w.dma_target = 5000;
  w.seed = 3;
  const blocks got = generate_in_blocks(w);
  ASSERT_GE(got.records.size(), 2u);
  size_t first_other = 0;
  while (got.records[first_other].time_ps == 0 && got.records[first_other].id == got.records[0].id)
    ++first_other;
  EXPECT_GT(first_other, 0u);
  EXPECT_EQ(got.records[0].kind, record_kind::map);
  // NIC i is in domain 1+i (docs/generator.md): NIC 0's maps come first, then NIC 1's, all at time 0.
  EXPECT_EQ(got.records[0].id, 1u);
  EXPECT_EQ(got.records[first_other].time_ps, 0u);
  EXPECT_EQ(got.records[first_other].id, 2u);
  expect_same_as_reference(w);
}

TEST(GenSpeedMerge, ScalableNestedDevicesSharingGuestMemoryMergeAsRecordByRecord) {
  // The nested NIC and NVMe draw guest pages from the one vIOMMU guest: a merge that generated the devices'
  // events in another order would hand them other pages.
  gen::workload w = gen::preset_workload("viommu", gen::gen_mode::scalable);
  w.nvme.sequential = true;
  w.nvme.count = 2;
  w.dma_target = 30000;
  w.seed = 5;
  expect_same_as_reference(w);
  gen::workload all = gen::preset_workload("all", gen::gen_mode::scalable);
  all.sva.rebind_us = 100;
  all.dma_target = 30000;
  expect_same_as_reference(all);
}
