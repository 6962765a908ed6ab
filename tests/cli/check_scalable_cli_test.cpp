// `vtdsim check` and `vtdsim dump` on a scalable-mode memory image (RTADDR.TTM=01b) written byte by byte from
// the spec's bit tables, as QEMU's x-scalable-mode=on part sees it: one device, its RID_PASID entry a
// second-stage PASID entry over 3-level tables.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

namespace {

using run_result = vtd::test::cli_result;
constexpr auto& run = vtd::test::run_vtdsim;

// The image is loaded at 0x1000: root table 0x1000, scalable context table 0x2000, PASID directory 0x3000,
// PASID table 0x4000, second-stage PDPT/PD/PT 0x5000/0x6000/0x7000.
struct image {
  std::string bytes = std::string(0x7000, '\0');
  void put(uint64_t addr, uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes[addr - 0x1000 + i] = char(v >> (8 * i));
  }
  std::string write(const std::string& name) const {
    std::string path = vtd::test::temp_dir() + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
};

image clean_image() {
  image m;
  m.put(0x1000, 0x2000 | 1);                    // bus 0 root entry: LCTP 0x2000, LP=1
  m.put(0x2000 + 0x10 * 32, 0x3000 | 1);        // 00:02.0 context: PASIDDIRPTR 0x3000, PDTS 0, P
  m.put(0x3000, 0x4000 | 1);                    // directory entry 0: SMPTBLPTR 0x4000, P
  m.put(0x4000, 0x5000 | 2 << 6 | 1 << 2 | 1);  // PASID 0: SLPTPTR 0x5000, PGTT 010b, AW 001b, P
  m.put(0x4000 + 8, 3);                         // DID 3
  m.put(0x5000, 0x6000 | 3);                    // PDPTE -> PD
  m.put(0x6000, 0x7000 | 3);                    // PDE -> PT
  m.put(0x7000 + 8, 0xABCDE000 | 3);            // PTE 1: IOVA 0x1000 -> 0xABCDE000 RW
  return m;
}

const std::string kRegs = " --rtaddr 0x1400 --preset qemu-sm";  // RTA 0x1000, TTM (11:10) = 01b

}  // namespace

TEST(CliScalable, CheckAndDumpAScalableImage) {
  const std::string path = clean_image().write("sm-clean.bin");
  auto r = run("check --mem " + path + "@0x1000" + kRegs + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["summary"]["errors"], 0) << r.out;
  ASSERT_EQ(j["devices"].size(), 1u) << r.out;
  EXPECT_EQ(j["devices"][0]["device"], "00:02.0");
  EXPECT_EQ(j["devices"][0]["translation"], "scalable");
  EXPECT_EQ(j["devices"][0]["pasids"][0]["stage"], "second");
  EXPECT_EQ(j["devices"][0]["pasids"][0]["did"], 3);
  ASSERT_EQ(j["domains"].size(), 1u);
  EXPECT_EQ(j["domains"][0]["stage"], "second");
  EXPECT_EQ(j["domains"][0]["levels"], 3);
  EXPECT_EQ(j["domains"][0]["ranges"][0]["iova"], "0x1000");
  EXPECT_EQ(j["domains"][0]["ranges"][0]["hpa"], "0xabcde000");

  r = run("dump --mem " + path + "@0x1000" + kRegs);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("PASID 0       second-stage           DID 3      AW 1 (3-level) SLPTPTR 0x5000  "
                       "(RID_PASID)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find("IOVA 0x000000001000-0x000000001fff -> HPA 0x0000abcde000-0x0000abcdefff  RW  1 x 4KiB"),
      std::string::npos)
      << r.out;
}

TEST(CliScalable, BrokenPasidEntryFailsWithItsPath) {
  image m = clean_image();
  m.put(0x4000, 0x5000 | 1 << 6 | 1 << 2 | 1);  // PGTT 001b: first stage, which QEMU's part lacks (no FLTS)
  const std::string path = m.write("sm-broken.bin");
  auto r = run("check --mem " + path + "@0x1000" + kRegs + " --json");
  EXPECT_EQ(r.code, 2) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["summary"]["errors"], 1) << r.out;
  const auto& f = j["findings"][0];
  EXPECT_EQ(f["code"], "pasid.pgtt_unsupported");
  EXPECT_EQ(f["structure"], "pasid");
  EXPECT_EQ(f["device"], "00:02.0");
  EXPECT_EQ(f["pasid"], 0);
  EXPECT_EQ(f["entry_address"], "0x4000");
  EXPECT_EQ(f["raw"], "0x30000000000005045");  // QW1 = DID 3, QW0 = 0x5045

  // The same image on a unit without ECAP.SMTS: TTM=01b is invalid (fault 30h on every DMA).
  r = run("check --mem " + path + "@0x1000 --rtaddr 0x1400 --preset qemu --json");
  EXPECT_EQ(r.code, 2) << r.out;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["findings"][0]["code"], "rtaddr.ttm") << r.out;
}
