// `vtdsim replay` of scalable-mode traces end to end: every generated scalable workload replays, functional
// and timed, with zero faults and zero stale translations and with the invalidation counts its records ask
// for; hand-written traces with a missing PASID-based (or PASID-cache) invalidation are caught, the stale
// translation names its PASID and the descriptor that would have removed it, the right invalidation makes the
// trace clean and the wrong PASID's (or DID's) does not; per-PASID statistics match counts taken from the
// trace itself.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

namespace {

using nlohmann::json;

constexpr auto& vtdsim = vtd::test::run_vtdsim;
using vtd::test::slurp;

std::string write(const std::string& name, const std::string& text) {
  const std::string path = vtd::test::temp_dir() + name;
  std::ofstream(path) << text;
  return path;
}

// The --stats-json document of a replay that must succeed.
json replay(const std::string& platform, const std::string& trace, bool timed,
            const std::string& extra = "") {
  const std::string out = vtd::test::temp_dir() + "stats.json";
  std::remove(out.c_str());
  const auto r = vtdsim("replay --platform " + platform + " --trace " + trace + " --stats-json " + out +
                        " -q --no-progress " + (timed ? "" : "--functional ") + extra);
  EXPECT_EQ(r.code, 0) << r.out;
  if (r.code != 0) return json{{"stats", json::object()}, {"stale_examples", json::array()}};
  return json::parse(slurp(out));
}

// Devices 00:04.0 ("acc": RID_PASID in first-stage domain 9, PASIDs 5 and 6 both in first-stage domain 3,
// PASID 7 in nested domain 4 over second-stage domain 2) and 00:05.0 ("nic": RID_PASID in domain 2).
const char* kPlatform = R"({
  "schema": 1, "mode": "scalable", "iommu": {"preset": "server-sm"},
  "domains": [
    {"id": 2, "stage": "second", "address_width": 48},
    {"id": 3, "stage": "first", "address_width": 48},
    {"id": 4, "stage": "nested", "parent": 2, "address_width": 48},
    {"id": 9, "stage": "first", "address_width": 48}
  ],
  "devices": [
    {"bdf": "00:04.0", "name": "acc", "domain": 9, "max_pasids": 256,
     "pasids": [{"pasid": 5, "domain": 3}, {"pasid": 6, "domain": 3}, {"pasid": 7, "domain": 4}]},
    {"bdf": "00:05.0", "name": "nic", "domain": 2}
  ]
})";

std::string platform() {
  static const std::string path = write("scalable-platform.json", kPlatform);
  return path;
}

// `base` with `insert` (one record line, or nothing) put where the marker {} is.
std::string with(const std::string& base, const std::string& insert) {
  std::string t = base;
  t.replace(t.find("{}"), 2, insert.empty() ? "" : "3500 " + insert);
  return t;
}

std::set<uint32_t> stale_pasids(const json& j) {
  std::set<uint32_t> out;
  for (const auto& e : j["stale_examples"]) out.insert(e["pasid"].get<uint32_t>());
  return out;
}

double stat(const json& j, const std::string& name) {
  return j["stats"].value(name, -1.0);
}

}  // namespace

// Every scalable workload the generator writes is a correct driver: the replay serves every DMA, finds
// nothing stale and performs every invalidation record (none refused, no queue error: the queue has 256-bit
// descriptors), and the functional and timed models count the same.
TEST(ReplayScalableCli, GeneratedWorkloadsReplayCleanFunctionalAndTimed) {
  const std::string d = vtd::test::temp_dir();
  const std::vector<std::string> workloads = {
      "--workload dma-api",
      "--workload dma-api --nic-mode deferred --nvme-mode deferred",
      "--workload sva --sva-rebind-us 20 --sva-unbound-us 5",
      "--workload viommu",
      "--workload mixed",
  };
  constexpr int kDmas = 3000;
  for (size_t w = 0; w < workloads.size(); ++w) {
    SCOPED_TRACE(workloads[w]);
    const std::string trace = d + "w" + std::to_string(w) + ".vtdt",
                      plat = d + "w" + std::to_string(w) + ".json";
    auto g = vtdsim("gen --mode scalable " + workloads[w] + " --dmas " + std::to_string(kDmas) +
                    " --seed 7 -q -o " + trace + " --platform-out " + plat);
    ASSERT_EQ(g.code, 0) << g.out;
    auto st = vtdsim("trace stat --json " + trace);
    ASSERT_EQ(st.code, 0) << st.out;
    const json kinds = json::parse(st.out)["kinds"];
    auto records = [&](const char* k) { return kinds.value(k, 0); };
    const json functional = replay(plat, trace, false), timed = replay(plat, trace, true);
    for (const json* j : {&functional, &timed}) {
      EXPECT_EQ(stat(*j, "dma.requests"), kDmas);
      EXPECT_EQ(stat(*j, "dma.faults"), 0);
      EXPECT_EQ(stat(*j, "stale.translations_served"), 0);
      EXPECT_EQ(stat(*j, "inval.refused"), 0);
      EXPECT_EQ(stat(*j, "inval.queue_errors"), 0);
      // Each domain of a generated workload has one PASID attached, so a domain-wide piotlb-inval is one
      // PASID-selective descriptor, like every other piotlb-inval record.
      EXPECT_EQ(stat(*j, "inval.queued_piotlb"), records("piotlb-inval"));
      EXPECT_EQ(stat(*j, "inval.queued_pc"), records("pc-inval"));
      EXPECT_EQ(stat(*j, "inval.queued_wait"), records("inv-wait"));
      EXPECT_EQ(stat(*j, "inval.queued_iotlb"), records("iotlb-inval"));
      EXPECT_EQ(stat(*j, "driver.pasid_attaches"), records("pasid-attach"));
      EXPECT_EQ(stat(*j, "driver.pasid_detaches"), records("pasid-detach"));
      // Every DMA of a scalable-mode unit looks its PASID-table entry up (RID_PASID for one without PASID).
      EXPECT_EQ(stat(*j, "pasid_cache_lookup"), kDmas);
      EXPECT_GT(stat(*j, "pasid_cache.hit_rate"), 0.5);
    }
    EXPECT_GT(records("piotlb-inval") + records("iotlb-inval"), 0) << "the workload invalidates";
    for (const auto& [name, value] : functional["stats"].items()) {
      if (name == "sim.wall_seconds" || name == "sim.requests_per_second") continue;
      EXPECT_EQ(timed["stats"][name], value) << name;
    }
  }
}

// A first-stage domain attached to two PASIDs (5 and 6): map, DMA with both, unmap, map the IOVA elsewhere,
// DMA again. Without an invalidation both PASIDs are served the old page; a PASID-based invalidation clears
// only its own PASID (the IOTLB tags DID and PASID), exactly as the hardware's caches do.
TEST(ReplayScalableCli, MissingPasidBasedInvalidationIsCaughtPerPasid) {
  const std::string base =
      "1000 map dom=3 iova=0x7f0000 hpa=0x80000000 len=0x1000 rw\n"
      "2000 dma 00:04.0 read 0x7f0040 64 pasid=5\n"
      "2100 dma 00:04.0 read 0x7f0040 64 pasid=6\n"
      "3000 unmap dom=3 iova=0x7f0000 len=0x1000\n"
      "3100 map dom=3 iova=0x7f0000 hpa=0x90000000 len=0x1000 rw\n"
      "{}\n"
      "4000 dma 00:04.0 read 0x7f0080 64 pasid=5\n"
      "4100 dma 00:04.0 read 0x7f0080 64 pasid=6\n";
  struct variant {
    std::string insert;
    std::set<uint32_t> stale;  // PASIDs served a stale translation
    int piotlb_descriptors;
    int refused;
  };
  const std::vector<variant> variants = {
      {"", {5, 6}, 0, 0},
      {"piotlb-inval page dom=3 pasid=5 addr=0x7f0000 am=0 qi", {6}, 1, 0},
      {"piotlb-inval page dom=3 pasid=6 addr=0x7f0000 am=0 qi", {5}, 1, 0},  // the wrong PASID's
      {"piotlb-inval pasid dom=3 pasid=5 qi", {6}, 1, 0},
      {"piotlb-inval page dom=3 pasid=5 addr=0x7f1000 am=0 qi", {5, 6}, 1, 0},  // another page
      {"piotlb-inval page dom=3 pasid=5 addr=0x7f1000 am=1 qi", {6}, 1, 0},     // a block holding it
      {"piotlb-inval pasid dom=9 pasid=5 qi", {5, 6}, 1, 0},                    // another DID
      {"piotlb-inval page dom=3 pasid=5 addr=0x7f0000 am=0 ih qi", {6}, 1, 0},  // IH keeps non-leaf entries
      {"piotlb-inval domain dom=3 qi", {}, 2, 0},  // one PASID-selective descriptor per attached PASID
      {"iotlb-inval domain dom=3 qi", {}, 0, 0},   // DID-based: every PASID
      {"iotlb-inval domain dom=3 reg",
       {5, 6},
       0,
       1},                                   // register-based invalidation is refused in scalable mode
      {"pc-inval global qi", {5, 6}, 0, 0},  // the PASID-cache holds no translations
  };
  for (const auto& v : variants) {
    SCOPED_TRACE("inserted: '" + v.insert + "'");
    const json j = replay(platform(), write("t.txt", with(base, v.insert)), false);
    EXPECT_EQ(stat(j, "dma.requests"), 4);
    EXPECT_EQ(stat(j, "dma.faults"), 0);
    EXPECT_EQ(stat(j, "stale.translations_served"), double(v.stale.size()));
    EXPECT_EQ(stale_pasids(j), v.stale);
    EXPECT_EQ(stat(j, "inval.queued_piotlb"), v.piotlb_descriptors);
    EXPECT_EQ(stat(j, "inval.refused"), v.refused);
    EXPECT_EQ(stat(j, "inval.queue_errors"), 0);
    for (const auto& e : j["stale_examples"]) {
      const uint32_t pasid = e["pasid"];
      EXPECT_EQ(e["sid"], "00:04.0");
      EXPECT_EQ(e["address"], "0x7f0080");
      EXPECT_EQ(e["served"], "hpa 0x80000080 (RW)");
      EXPECT_EQ(e["memory"], "hpa 0x90000080 (RW)");
      EXPECT_EQ(e["changed"], "unmap of [0x7f0000, 0x7f1000) at record 3 (t=3 ns)");
      const std::string fix = e["fix"];
      EXPECT_EQ(fix.rfind("p_iotlb_inv_dsc DID 3 PASID " + std::to_string(pasid) + " page 0x7f0000 AM 0", 0),
                0u)
          << fix;
    }
  }
}

// pasid-detach clears the PASID-table entry; until a PASID-cache invalidation covers the cached copy
// (pc_inv_dsc names the DID the cached entry holds), the unit keeps translating with it.
TEST(ReplayScalableCli, PasidDetachWithoutPasidCacheInvalidationIsCaught) {
  const std::string base =
      "1000 map dom=3 iova=0x7f0000 hpa=0x80000000 len=0x1000 rw\n"
      "2000 dma 00:04.0 read 0x7f0040 64 pasid=5\n"
      "3000 pasid-detach 00:04.0 pasid=5\n"
      "{}\n"
      "4000 dma 00:04.0 read 0x7f0080 64 pasid=5\n";
  struct variant {
    std::string insert;
    bool stale;
  };
  const std::vector<variant> variants = {
      {"", true},
      {"pc-inval pasid dom=3 pasid=5 qi", false},
      {"pc-inval pasid dom=9 pasid=5 qi", true},  // the wrong DID
      {"pc-inval pasid dom=3 pasid=6 qi", true},  // the wrong PASID
      {"pc-inval domain dom=3 qi", false},
      {"pc-inval global qi", false},
      {"piotlb-inval pasid dom=3 pasid=5 qi", true},  // the IOTLB, not the PASID-cache
  };
  for (const auto& v : variants) {
    SCOPED_TRACE("inserted: '" + v.insert + "'");
    const json j = replay(platform(), write("t.txt", with(base, v.insert)), false);
    EXPECT_EQ(stat(j, "driver.pasid_detaches"), 1);
    EXPECT_EQ(stat(j, "stale.translations_served"), v.stale ? 1 : 0);
    if (v.stale) {
      ASSERT_EQ(j["stale_examples"].size(), 1u);
      const auto& e = j["stale_examples"][0];
      EXPECT_EQ(e["pasid"], 5);
      EXPECT_EQ(e["served"], "hpa 0x80000080 (RW)");
      EXPECT_EQ(e["memory"], "fault 0x59 pasid_entry_not_present");
      EXPECT_EQ(e["changed"], "PASID-table entry change of PASID 5 (was domain 3) at record 2 (t=3 ns)");
      EXPECT_EQ(std::string(e["fix"]).rfind("pc_inv_dsc PASID-selective DID 3 PASID 5", 0), 0u) << e["fix"];
      EXPECT_EQ(stat(j, "dma.faults"), 0) << "the cached entry still translates";
    } else {
      EXPECT_EQ(stat(j, "dma.faults"), 1);
      EXPECT_EQ(stat(j, "faults.0x59_pasid_entry_not_present"), 1);
    }
  }
  // Binding the PASID again needs no invalidation (a not-present entry is never cached with CAP.CM=0).
  const json again = replay(platform(),
                            write("t.txt", with(base, "pc-inval pasid dom=3 pasid=5 qi") +
                                               "4500 pasid-attach 00:04.0 pasid=5 dom=3\n"
                                               "4600 dma 00:04.0 read 0x7f00c0 64 pasid=5\n"),
                            false);
  EXPECT_EQ(stat(again, "stale.translations_served"), 0);
  EXPECT_EQ(stat(again, "dma.faults"), 1) << "only the DMA while the PASID was unbound";
  EXPECT_EQ(stat(again, "driver.pasid_attaches"), 1);
  // Tearing down a PASID that is not attached is a driver bug, refused with the record's index.
  const auto bad = vtdsim("replay --functional -q --platform " + platform() + " --trace " +
                          write("bad.txt", "1000 pasid-detach 00:04.0 pasid=8\n"));
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("record 0: pasid-detach of PASID 8 of 00:04.0: the PASID is not attached"),
            std::string::npos)
      << bad.out;
}

// Second-stage structures carry no PASID in the paging-structure caches, and a page-selective p_iotlb_inv_dsc
// leaves second-stage IOTLB entries alone (spec: SS/PT untouched): only iotlb_inv_dsc removes them.
TEST(ReplayScalableCli, SecondStageDomainNeedsIotlbInvDsc) {
  const std::string base =
      "1000 map dom=2 iova=0x10000 hpa=0x80000000 len=0x1000 rw\n"
      "2000 dma 00:05.0 read 0x10040 64\n"
      "3000 unmap dom=2 iova=0x10000 len=0x1000\n"
      "3100 map dom=2 iova=0x10000 hpa=0x90000000 len=0x1000 rw\n"
      "{}\n"
      "4000 dma 00:05.0 read 0x10080 64\n";
  struct variant {
    std::string insert;
    bool stale;
  };
  for (const auto& v : std::vector<variant>{{"", true},
                                            {"piotlb-inval page dom=2 pasid=0 addr=0x10000 am=0 qi", true},
                                            {"iotlb-inval page dom=2 addr=0x10000 am=0 qi", false},
                                            {"iotlb-inval page dom=3 addr=0x10000 am=0 qi", true}}) {
    SCOPED_TRACE("inserted: '" + v.insert + "'");
    const json j = replay(platform(), write("t.txt", with(base, v.insert)), false);
    EXPECT_EQ(stat(j, "stale.translations_served"), v.stale ? 1 : 0);
    if (!v.stale) continue;
    const auto& e = j["stale_examples"][0];
    EXPECT_EQ(e["pasid"], 0) << "a request without PASID is processed with RID_PASID";
    EXPECT_EQ(e["served"], "hpa 0x80000080 (RW)");
    EXPECT_EQ(e["memory"], "hpa 0x90000080 (RW)");
    EXPECT_EQ(std::string(e["fix"]).rfind("iotlb_inv_dsc page-selective DID 2 ADDR 0x10000 AM 0", 0), 0u)
        << e["fix"];
  }
}

// A nested domain's translations go through its parent's second stage: a change there is stale for the nested
// domain at any IOVA until a DID-based invalidation of the nested domain.
TEST(ReplayScalableCli, NestedDomainSeesItsParentsChange) {
  const std::string base =
      "1000 map dom=2 iova=0x40000000 hpa=0x80000000 len=0x1000 rw\n"
      "1100 map dom=4 iova=0x7f0000 hpa=0x40000000 len=0x1000 rw\n"
      "2000 dma 00:04.0 read 0x7f0040 64 pasid=7\n"
      "3000 unmap dom=2 iova=0x40000000 len=0x1000\n"
      "3100 map dom=2 iova=0x40000000 hpa=0x90000000 len=0x1000 rw\n"
      "{}\n"
      "4000 dma 00:04.0 read 0x7f0080 64 pasid=7\n";
  const json missing = replay(platform(), write("t.txt", with(base, "")), false);
  EXPECT_EQ(stat(missing, "stale.translations_served"), 1);
  ASSERT_EQ(missing["stale_examples"].size(), 1u);
  const auto& e = missing["stale_examples"][0];
  EXPECT_EQ(e["pasid"], 7);
  EXPECT_EQ(e["served"], "hpa 0x80000080 (RW)");
  EXPECT_EQ(e["memory"], "hpa 0x90000080 (RW)");
  EXPECT_EQ(e["changed"], "unmap in parent domain 2 at record 3 (t=3 ns)");
  EXPECT_EQ(std::string(e["fix"]).rfind("iotlb_inv_dsc domain-selective DID 4", 0), 0u) << e["fix"];
  const json fixed = replay(platform(), write("t.txt", with(base, "iotlb-inval domain dom=4 qi")), false);
  EXPECT_EQ(stat(fixed, "stale.translations_served"), 0);
  EXPECT_EQ(stat(fixed, "dma.faults"), 0);
}

// Per-PASID figures count exactly the trace's DMAs that carried that PASID; a request without PASID counts
// for its device only.
TEST(ReplayScalableCli, PerPasidStatisticsMatchTheTrace) {
  const std::string trace = write("pasids.txt",
                                  "1000 map dom=3 iova=0x7f0000 hpa=0x80000000 len=0x2000 rw\n"
                                  "1100 map dom=9 iova=0x10000 hpa=0xa0000000 len=0x1000 rw\n"
                                  "2000 dma 00:04.0 read 0x7f0000 64 pasid=5\n"
                                  "2100 dma 00:04.0 read 0x7f0040 64 pasid=5\n"
                                  "2200 dma 00:04.0 write 0x7f1000 128 pasid=5\n"
                                  "2300 dma 00:04.0 read 0x7f0100 32 pasid=6\n"
                                  "2400 dma 00:04.0 read 0x900000 64 pasid=6\n"   // not mapped
                                  "2500 dma 00:04.0 read 0x10000 256\n"           // RID_PASID, domain 9
                                  "2600 dma 00:04.0 read 0x7f0000 64 pasid=18\n"  // PASID 18 not attached
  );
  for (bool timed : {false, true}) {
    SCOPED_TRACE(timed ? "timed" : "functional");
    const json j = replay(platform(), trace, timed);
    EXPECT_EQ(stat(j, "device.acc.dma"), 7);
    EXPECT_EQ(stat(j, "device.acc.faults"), 2);
    EXPECT_EQ(stat(j, "device.acc.bytes"), 64 + 64 + 128 + 32 + 64 + 256 + 64);
    const std::map<uint32_t, std::array<double, 3>> expect = {
        {5, {3, 0, 256}}, {6, {2, 1, 96}}, {18, {1, 1, 64}}};  // dma, faults, bytes
    for (const auto& [pasid, v] : expect) {
      const std::string p = "device.acc.pasid." + std::to_string(pasid);
      EXPECT_EQ(stat(j, p + ".dma"), v[0]) << p;
      EXPECT_EQ(stat(j, p + ".faults"), v[1]) << p;
      EXPECT_EQ(stat(j, p + ".bytes"), v[2]) << p;
      EXPECT_EQ(stat(j, p + ".latency.count"), timed ? v[0] : -1) << p;
      EXPECT_EQ(j["units"][p + ".dma"]["unit"], "count");
    }
    size_t pasid_entries = 0;
    for (const auto& [name, value] : j["stats"].items())
      pasid_entries += name.find(".pasid.") != std::string::npos && name.size() > 4 &&
                       name.compare(name.size() - 4, 4, ".dma") == 0;
    EXPECT_EQ(pasid_entries, 3u) << "no entry for RID_PASID's requests without PASID, none for the idle nic";
    EXPECT_EQ(stat(j, "faults.0x59_pasid_entry_not_present"), 1);
  }
}

// The scalable caches are configurable by name and reach the unit: a one-entry PASID-cache misses on every
// alternation of two PASIDs.
TEST(ReplayScalableCli, ScalableCachesAreConfigurableByName) {
  std::string t = "1000 map dom=3 iova=0x7f0000 hpa=0x80000000 len=0x1000 rw\n";
  for (int i = 0; i < 8; ++i)
    t += std::to_string(2000 + i * 100) + " dma 00:04.0 read 0x7f0040 64 pasid=" + std::to_string(5 + i % 2) +
         "\n";
  const std::string trace = write("alternate.txt", t);
  const json big = replay(platform(), trace, false);
  EXPECT_EQ(stat(big, "pasid_cache_lookup"), 8);
  EXPECT_DOUBLE_EQ(stat(big, "pasid_cache.hit_rate"), 6.0 / 8.0) << "two compulsory misses";
  const json tiny =
      replay(platform(), trace, false, "--set pasid.ways=1 --set pasid.entries=1 --set fs_pde.ways=2");
  EXPECT_DOUBLE_EQ(stat(tiny, "pasid_cache.hit_rate"), 0.0);
  EXPECT_EQ(tiny["config"]["caches"]["pasid"]["entries"], 1);
  EXPECT_EQ(tiny["config"]["caches"]["fs_pde"]["ways"], 2);
  for (const char* name : {"fs_pdpe", "fs_pml4e", "fs_pml5e"})
    EXPECT_TRUE(tiny["config"]["caches"].contains(name));
  const auto bad = vtdsim("replay --functional -q --platform " + platform() + " --trace " + trace +
                          " --config " + write("c.json", R"({"caches": {"fs_pte": {"entries": 4}}})"));
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(
      bad.out.find("caches.fs_pte: unknown cache (known: context, iotlb, pde, pdpe, pml4e, pml5e, interrupt, "
                   "pasid, fs_pde, fs_pdpe, fs_pml4e, fs_pml5e)"),
      std::string::npos)
      << bad.out;
}

// A DMA record's PASID prefix (PMR, ER) reaches the unit, a map record's first-stage rights (U/S=0) reach the
// tables, and pasid-attach's SRE the PASID-table entry: a user request to a supervisor-only page faults
// (81h), a supervisor request while SRE=0 faults (5Dh), an execute request without ECAP.ERS faults (5Ch), and
// a supervisor request after re-attaching with SRE (and invalidating the PASID-cache) translates.
TEST(ReplayScalableCli, PasidPrefixAndFirstStageRightsReachTheUnit) {
  const std::string csv = vtd::test::temp_dir() + "requests.csv";
  const json j = replay(platform(),
                        write("rights.txt",
                              "1000 map dom=3 iova=0x7f0000 hpa=0x80000000 len=0x1000 rw supervisor-only\n"
                              "1100 map dom=3 iova=0x7f1000 hpa=0x80001000 len=0x1000 rw no-execute\n"
                              "2000 dma 00:04.0 read 0x7f0000 64 pasid=5\n"
                              "2100 dma 00:04.0 read 0x7f0000 64 pasid=5 priv\n"
                              "2200 pasid-attach 00:04.0 pasid=5 dom=3 supervisor\n"
                              "2300 pc-inval pasid dom=3 pasid=5 qi\n"
                              "2400 dma 00:04.0 read 0x7f0000 64 pasid=5 priv\n"
                              "2500 dma 00:04.0 read 0x7f1000 64 pasid=5 exec\n"
                              "2600 dma 00:04.0 read 0x7f1000 64 pasid=5\n"),
                        false, "--per-request " + csv);
  EXPECT_EQ(stat(j, "faults.0x81_user_request_supervisor_page"), 1);
  EXPECT_EQ(stat(j, "faults.0x5d_supervisor_request_blocked"), 1);
  EXPECT_EQ(stat(j, "faults.0x5c_execute_request_blocked"), 1);
  EXPECT_EQ(stat(j, "device.acc.pasid.5.faults"), 3);
  EXPECT_EQ(stat(j, "stale.translations_served"), 0);
  const std::string rows = slurp(csv);
  EXPECT_NE(rows.find("6,2.400,00:04.0,read,0x7f0000,ok,0x00,0x80000000,"), std::string::npos) << rows;
  EXPECT_NE(rows.find("8,2.600,00:04.0,read,0x7f1000,ok,0x00,0x80001000,"), std::string::npos) << rows;
  // A second-stage domain has no first-stage rights: the record is refused.
  const auto bad = vtdsim("replay --functional -q --platform " + platform() + " --trace " +
                          write("bad.txt",
                                "1000 map dom=2 iova=0x7f0000 hpa=0x80000000 len=0x1000 rw "
                                "supervisor-only\n"));
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(
      bad.out.find("record 0: domain 2 is a second-stage domain: U/S and execute-disable are first-stage "
                   "rights"),
      std::string::npos)
      << bad.out;
}
