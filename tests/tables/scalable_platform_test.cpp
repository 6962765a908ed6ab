// Scalable-mode platform files: the example of docs/platform-format.md builds the tables it describes; every
// new key, its default and its errors (unknown key, wrong mode, missing capability, bad nested parent, PASID
// beyond max_pasids, duplicate PASID); a round trip through to_json; the run-time driver API (PASID
// attach/detach, map/unmap of first-stage and nested domains, whose table pages follow into the parent).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "model/spec/fs_entry.hpp"
#include "tables/platform_description.hpp"
#include "tables/platform_state.hpp"
#include "tables/table_error.hpp"

using namespace vtd;
using namespace vtd::tables;

namespace {

// The message of the table_error that parsing or building `text` throws.
std::string error_of(const std::string& text) {
  try {
    return platform_state(parse_platform(text, "p.json"), "p.json").description().preset + ": no error";
  } catch (const table_error& e) {
    return e.what();
  }
}

// The jsonc block of the "Scalable mode" section of docs/platform-format.md.
std::string docs_example() {
  std::ifstream in(std::string(VTDSIM_SOURCE_DIR) + "/docs/platform-format.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const auto section = doc.find("## Scalable mode");
  const auto open = doc.find("```jsonc\n", section);
  const auto close = doc.find("```", open + 9);
  if (section == std::string::npos || open == std::string::npos || close == std::string::npos) return "";
  return doc.substr(open + 9, close - open - 9);
}

// Every table page of a first-stage tree, found by reading memory (spec 9.7 entry format).
void table_pages(core::physical_memory& mem, uint64_t table, unsigned level, std::set<uint64_t>& out) {
  out.insert(table);
  for (unsigned i = 0; i < 512; ++i) {
    const spec::fs_entry e{*mem.read64(table + i * 8)};
    if (e.present() && !e.is_leaf(level)) table_pages(mem, e.address(level), level - 1, out);
  }
}

std::string scalable(const std::string& rest, const std::string& iommu = R"({"preset": "server-sm"})") {
  return std::string(R"({"mode": "scalable", "iommu": )") + iommu + ", " + rest + "}";
}

constexpr uint16_t kNic = 0x0010, kAccel = 0x0018, kVf = 0x0020;  // 00:02.0, 00:03.0, 00:04.0

}  // namespace

TEST(ScalablePlatform, DocsExampleBuildsTheTablesItDescribes) {
  const std::string text = docs_example();
  ASSERT_FALSE(text.empty()) << "docs/platform-format.md has no jsonc example in its Scalable mode section";
  platform_state s(parse_platform(text, "example.json"), "example.json");
  EXPECT_EQ(s.mode(), platform_mode::scalable);
  EXPECT_EQ(s.rtaddr(), 0x10000000u | 0x400u) << "RTA = table region base, TTM=01b";
  EXPECT_EQ(s.stage_of(1), domain_stage::first);
  EXPECT_EQ(s.stage_of(2), domain_stage::second);
  EXPECT_EQ(s.stage_of(3), domain_stage::nested);
  EXPECT_EQ(s.stage_of(4), domain_stage::pass_through);
  EXPECT_EQ(s.parent_of(3), uint16_t(2));
  EXPECT_EQ(s.domain(1), nullptr);
  EXPECT_EQ(s.fs_domain(2), nullptr);

  auto big = s.fs_domain(1)->lookup(0x200000);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->size, 2ull << 20);
  EXPECT_EQ(big->output, 0x40200000u);
  EXPECT_TRUE(big->write && big->user && big->execute && big->accessed && big->dirty);
  auto ro = s.fs_domain(1)->lookup(0x400000);
  ASSERT_TRUE(ro);
  EXPECT_FALSE(ro->write || ro->user || ro->execute);
  EXPECT_EQ(s.domain(2)->lookup(0x40000000)->hpa, 0x80000000u);
  EXPECT_EQ(s.fs_domain(3)->lookup(0x11000)->output, 0x40002000u);

  // The nested domain's table pages are mapped identity, read/write, into its parent's second stage.
  std::set<uint64_t> pages;
  table_pages(s.memory(), s.fs_domain(3)->root(), 4, pages);
  EXPECT_EQ(pages.size(), 4u);
  for (uint64_t p : pages) {
    auto m = s.domain(2)->lookup(p);
    ASSERT_TRUE(m) << std::hex << p;
    EXPECT_EQ(m->hpa, p);
    EXPECT_TRUE(m->read && m->write);
  }

  auto* t = s.scalable_tables();
  ASSERT_NE(t, nullptr);
  auto nic = t->context_of(kNic);
  ASSERT_TRUE(nic);
  EXPECT_EQ(nic->pdts(), 7u);
  EXPECT_FALSE(nic->paside()) << "no \"pasids\": PASIDE defaults to 0";
  auto rid = t->pasid_entry_of(kNic, 0);
  ASSERT_TRUE(rid);
  EXPECT_EQ(rid->type(), spec::pgtt::first_stage);
  EXPECT_EQ(rid->did(), 1u);
  EXPECT_EQ(rid->flptptr(), s.fs_domain(1)->root());
  EXPECT_EQ(rid->flpm(), 0u);

  auto accel = t->context_of(kAccel);
  ASSERT_TRUE(accel);
  EXPECT_TRUE(accel->paside());
  EXPECT_EQ(accel->pdts(), 2u) << "256 PASIDs: one 4 KiB directory page";
  auto nested = t->pasid_entry_of(kAccel, 0);
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->type(), spec::pgtt::nested);
  EXPECT_EQ(nested->did(), 3u);
  EXPECT_EQ(nested->flptptr(), s.fs_domain(3)->root()) << "a GPA, equal to the HPA of the root page";
  EXPECT_EQ(nested->slptptr(), s.domain(2)->root());
  EXPECT_EQ(nested->aw(), 2u) << "the parent's 48-bit second stage";
  EXPECT_FALSE(nested->sre());
  auto pt = t->pasid_entry_of(kAccel, 1);
  ASSERT_TRUE(pt);
  EXPECT_EQ(pt->type(), spec::pgtt::pass_through);
  EXPECT_TRUE(pt->sre());
  auto shared = t->pasid_entry_of(kAccel, 2);
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->type(), spec::pgtt::first_stage);
  EXPECT_EQ(shared->flptptr(), s.fs_domain(1)->root());
  EXPECT_TRUE(shared->wpe());
  auto vf = t->pasid_entry_of(kVf, 0);
  ASSERT_TRUE(vf);
  EXPECT_EQ(vf->type(), spec::pgtt::second_stage);
  EXPECT_EQ(vf->slptptr(), s.domain(5)->root());
  EXPECT_EQ(vf->aw(), 1u);
  EXPECT_EQ(s.domain(5)->lookup(0x10)->hpa, 0xC0000000u);
  EXPECT_EQ(s.domain_of(kAccel), 3);
  EXPECT_EQ(s.domain_of(kVf), 5);
  EXPECT_EQ(s.domain_of_pasid(kAccel, 1), 4);
  EXPECT_EQ(s.domain_of_pasid(kAccel, 3), -1);
}

TEST(ScalablePlatform, RoundTripThroughToJson) {
  const std::string text = docs_example();
  auto d = parse_platform(text, "example.json");
  const auto j = to_json(d);
  EXPECT_EQ(j["mode"], "scalable");
  EXPECT_EQ(j["domains"][2]["stage"], "nested");
  EXPECT_EQ(j["domains"][2]["parent"], 2);
  EXPECT_EQ(j["domains"][2]["mappings"][0]["gpa"], "0x40001000");
  EXPECT_FALSE(j["domains"][2]["mappings"][0].contains("hpa"));
  EXPECT_EQ(j["domains"][0]["mappings"][1]["user"], false);
  EXPECT_FALSE(j["domains"][3].contains("mappings")) << "a pass-through domain has no tables";
  EXPECT_EQ(j["devices"][0]["pasid_enable"], false);
  EXPECT_EQ(j["devices"][1]["pasid_enable"], true);
  EXPECT_EQ(j["devices"][1]["max_pasids"], 256);
  EXPECT_EQ(j["devices"][1]["pasids"][0]["supervisor"], true);
  EXPECT_EQ(j["devices"][1]["pasids"][1]["write_protect"], true);
  EXPECT_FALSE(j["devices"][1].contains("translation"));
  auto again = parse_platform(j.dump(), "again.json");
  EXPECT_EQ(to_json(again).dump(), j.dump());
  // The tables built from the written file are the tables built from the original.
  platform_state a(d, "a"), b(again, "b");
  EXPECT_EQ(a.rtaddr(), b.rtaddr());
  EXPECT_EQ(a.scalable_tables()->pasid_entry_of(kAccel, 1), b.scalable_tables()->pasid_entry_of(kAccel, 1));
  EXPECT_EQ(a.pages().in_use(), b.pages().in_use());

  // A legacy file's JSON carries none of the new keys.
  auto legacy = to_json(
      parse_platform(R"({"domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "domain": 1}]})", "l.json"));
  EXPECT_FALSE(legacy.contains("mode"));
  EXPECT_FALSE(legacy["domains"][0].contains("stage"));
  EXPECT_EQ(legacy["devices"][0]["translation"], "untranslated");
  EXPECT_FALSE(legacy["devices"][0].contains("pasids"));
}

TEST(ScalablePlatform, Defaults) {
  auto legacy = parse_platform(R"({"domains": [{"id": 1}]})", "p.json");
  EXPECT_EQ(legacy.mode, platform_mode::legacy);
  const std::string text = scalable(R"("domains": [{"id": 1, "stage": "first", "mappings": [
        {"iova": "0x1000", "hpa": "0x2000", "size": "4KiB"}]}, {"id": 2}],
      "devices": [{"bdf": "00:01.0", "domain": 2}, {"bdf": "00:01.1", "pasids": [{"pasid": 9, "domain": 1}]}])");
  auto d = parse_platform(text, "p.json");
  EXPECT_EQ(d.domains[1].stage, domain_stage::second);
  EXPECT_EQ(d.domains[0].address_width, 48u);
  EXPECT_TRUE(d.domains[0].preset_ad);
  const auto& m = d.domains[0].mappings[0];
  EXPECT_TRUE(m.read && m.write && m.user && m.execute);
  const auto& dev = d.devices[0];
  EXPECT_EQ(dev.rid_pasid, 0u);
  EXPECT_EQ(dev.max_pasids, 1u << 20);
  EXPECT_FALSE(dev.pasid_enabled());
  EXPECT_TRUE(d.devices[1].pasid_enabled()) << "PASIDE defaults to on when \"pasids\" is not empty";
  EXPECT_FALSE(d.devices[1].pasids[0].supervisor || d.devices[1].pasids[0].write_protect);

  platform_state s(d, "p.json");
  auto ctx = s.scalable_tables()->context_of(0x0008);
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->pdts(), 7u);
  EXPECT_FALSE(ctx->paside() || ctx->dte() || ctx->rid_priv() || ctx->fpd());
  EXPECT_EQ(ctx->rid_pasid(), 0u);
  EXPECT_TRUE(s.scalable_tables()->context_of(0x0009)->paside());
  EXPECT_FALSE(s.scalable_tables()->pasid_entry_of(0x0009, 0)) << "no \"domain\": RID_PASID not attached";
  auto leaf = s.fs_domain(1)->lookup(0x1000);
  ASSERT_TRUE(leaf);
  EXPECT_TRUE(leaf->accessed && leaf->dirty) << "preset_ad defaults to true, as Linux";
  EXPECT_EQ(s.domain_of(0x0009), -1);
}

TEST(ScalablePlatform, EveryKeyReachesTheTables) {
  const std::string text = scalable(
      R"("domains": [{"id": 1, "stage": "first", "address_width": 57, "superpages": false, "preset_ad": false,
                      "mappings": [{"iova": "0x200000", "hpa": "0x400000", "size": "2MiB", "read": true,
                                    "write": false, "user": false, "execute": false}]},
                     {"id": 2, "stage": "second", "address_width": 39, "superpages": false},
                     {"id": 3, "stage": "nested", "parent": 2, "address_width": 48,
                      "mappings": [{"iova": "0x1000", "hpa": "0x5000", "size": "4KiB"}]}],
         "devices": [{"bdf": "02:10.1", "name": "d", "domain": 1, "rid_pasid": 7, "max_pasids": 65536,
                      "pasid_enable": false, "device_tlb": true, "rid_priv": true, "fpd": true,
                      "pasids": [{"pasid": 8, "domain": 3, "supervisor": true, "write_protect": true}]}])");
  platform_state s(parse_platform(text, "p.json"), "p.json");
  auto leaf = s.fs_domain(1)->lookup(0x200000);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(leaf->size, 0x1000u) << "superpages: false";
  EXPECT_FALSE(leaf->write || leaf->user || leaf->execute || leaf->accessed || leaf->dirty);
  EXPECT_EQ(s.fs_domain(1)->levels(), 5u);
  EXPECT_EQ(s.domain(2)->levels(), 3u);
  EXPECT_EQ(s.fs_domain(3)->lookup(0x1000)->output, 0x5000u) << "\"hpa\" in a nested mapping is its GPA";
  const uint16_t sid = 0x0281;
  auto ctx = s.scalable_tables()->context_of(sid);
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->rid_pasid(), 7u);
  EXPECT_EQ(ctx->pdts(), 3u);
  EXPECT_TRUE(ctx->dte() && ctx->rid_priv() && ctx->fpd());
  EXPECT_FALSE(ctx->paside());
  auto rid = s.scalable_tables()->pasid_entry_of(sid, 7);
  ASSERT_TRUE(rid);
  EXPECT_EQ(rid->flpm(), 1u);
  auto p8 = s.scalable_tables()->pasid_entry_of(sid, 8);
  ASSERT_TRUE(p8);
  EXPECT_TRUE(p8->sre() && p8->wpe());
  EXPECT_EQ(p8->aw(), 1u) << "the parent's 39-bit second stage";
  EXPECT_EQ(s.domain_of(sid), 1);
  EXPECT_EQ(s.device_name(sid), "d");
}

TEST(ScalablePlatform, ErrorsNameTheKeyPath) {
  const std::pair<std::string, std::string> cases[] = {
      {scalable(R"("domains": [{"id": 1, "stag": "first"}])"),
       "p.json: domains[0].stag: unknown key (allowed here: id, stage, parent, address_width, superpages, "
       "preset_ad, mappings)"},
      {R"({"domains": [{"id": 1, "stage": "first"}]})",
       "p.json: domains[0].stage: scalable-mode key: needs \"mode\": \"scalable\""},
      {R"({"domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "domain": 1, "pasids": []}]})",
       "p.json: devices[0].pasids: scalable-mode key: needs \"mode\": \"scalable\""},
      {R"({"domains": [{"id": 1, "mappings": [{"iova": 0, "hpa": 0, "size": 4096, "user": false}]}]})",
       "p.json: domains[0].mappings[0].user: scalable-mode key: needs \"mode\": \"scalable\""},
      {scalable(
           R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "domain": 1, "translation": "untranslated"}])"),
       "p.json: devices[0].translation: legacy-mode key: in scalable mode the domain's \"stage\" says how "
       "the "
       "device translates (\"device_tlb\" sets DTE)"},
      {R"({"mode": "extended"})", "p.json: mode: \"extended\": expected legacy or scalable"},
      {R"({"mode": "scalable"})",
       "p.json: mode: \"scalable\" needs ECAP.SMTS (preset \"server\" does not report it: use \"server-sm\" "
       "or "
       "\"qemu-sm\", or set iommu.ecap_fields.smts)"},
      {scalable(R"("domains": [{"id": 1, "stage": "first"}], "devices": [{"bdf": "00:01.0", "domain": 1}])",
                R"({"preset": "qemu-sm"})"),
       "p.json: devices[0]: 00:01.0 PASID 0: first-stage translation (PGTT=001b) needs ECAP.FLTS"},
      {scalable(R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "device_tlb": true}])",
                R"({"preset": "qemu-sm"})"),
       "p.json: devices[0]: 00:01.0: device-TLB (DTE) needs ECAP.DT"},
      {scalable(R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "rid_pasid": 1, "domain": 1}])",
                R"({"preset": "qemu-sm"})"),
       "p.json: devices[0]: 00:01.0: RID_PASID 1 needs ECAP.RPS (without it requests-without-PASID use PASID "
       "0)"},
      {scalable(R"("domains": [{"id": 1, "stage": "pass_through"}],
                   "devices": [{"bdf": "00:01.0", "pasids": [{"pasid": 1, "domain": 1, "supervisor": true}]}])",
                R"({"preset": "server-sm", "ecap_fields": {"srs": 0}})"),
       "p.json: devices[0].pasids[0]: 00:01.0 PASID 1: supervisor requests (SRE) need ECAP.SRS"},
      {scalable(R"("domains": [{"id": 1, "stage": "pass_through"}],
                   "devices": [{"bdf": "00:01.0", "pasids": [{"pasid": 64, "domain": 1}]}])",
                R"({"preset": "server-sm", "ecap_fields": {"pss": 5}})"),
       "p.json: devices[0].pasids[0]: 00:01.0: PASID 64 beyond the 64 PASIDs ECAP.PSS allows"},
      {scalable(R"("domains": [{"id": 1, "stage": "first", "address_width": 57}])",
                R"({"preset": "server-sm", "cap_fields": {"fs5lp": 0}})"),
       "p.json: domains[0]: 5-level first-stage paging (57-bit) needs CAP.FS5LP"},
      {scalable(R"("domains": [{"id": 1, "stage": "first"}, {"id": 2, "stage": "nested", "parent": 1}])"),
       "p.json: domains[1].parent: 1: domain 1 has stage \"first\"; a nested domain's parent must be a "
       "second-stage domain"},
      {scalable(R"("domains": [{"id": 1, "stage": "nested", "parent": 9}])"),
       "p.json: domains[0].parent: 9: no such domain in \"domains\""},
      {scalable(R"("domains": [{"id": 1, "stage": "nested"}])"),
       "p.json: domains[0].parent: required for a nested domain (the second-stage domain that translates its "
       "GPAs)"},
      {scalable(R"("domains": [{"id": 1, "stage": "first", "parent": 1}])"),
       "p.json: domains[0].parent: only a nested domain has a parent"},
      {scalable(R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "max_pasids": 64,
                   "pasids": [{"pasid": 64, "domain": 1}]}])"),
       "p.json: devices[0].pasids[0].pasid: PASID 64 beyond the device's max_pasids 64"},
      {scalable(R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0",
                   "pasids": [{"pasid": 5, "domain": 1}, {"pasid": 5, "domain": 1}]}])"),
       "p.json: devices[0].pasids[1].pasid: PASID 5 attached twice"},
      {scalable(R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "domain": 1,
                   "pasids": [{"pasid": 0, "domain": 1}]}])"),
       "p.json: devices[0].pasids[0].pasid: PASID 0 is the RID_PASID, already attached by \"domain\""},
      {scalable(R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "pasids": [{"pasid": 1}]}])"),
       "p.json: devices[0].pasids[0].domain: required"},
      {scalable(
           R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "pasids": [{"pasid": 1, "domain": 7}]}])"),
       "p.json: devices[0].pasids[0].domain: 7: no such domain in \"domains\""},
      {scalable(R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "max_pasids": 100}])"),
       "p.json: devices[0].max_pasids: 100: must be a power of two from 64 to 1048576 (2^20)"},
      {scalable(
           R"("domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "max_pasids": 64, "rid_pasid": 64}])"),
       "p.json: devices[0].rid_pasid: PASID 64 beyond the device's max_pasids 64"},
      {scalable(R"("domains": [{"id": 1, "stage": "first", "mappings": [
                   {"iova": 0, "hpa": 0, "size": 4096, "read": false}]}])"),
       "p.json: domains[0].mappings[0].read: a present first-stage entry is always readable (P grants read): "
       "must "
       "be true"},
      {scalable(R"("domains": [{"id": 1, "stage": "first", "address_width": 39}])"),
       "p.json: domains[0].address_width: 39: must be 48 or 57 (4- or 5-level first-stage paging)"},
      {scalable(R"("domains": [{"id": 1, "stage": "pass_through", "mappings": []}])"),
       "p.json: domains[0].mappings: a pass-through domain has no page tables"},
      {scalable(R"("domains": [{"id": 1, "stage": "third"}])"),
       "p.json: domains[0].stage: \"third\": expected first, second, nested or pass_through"},
      {scalable(R"("domains": [{"id": 1, "stage": "first", "mappings": [
                   {"iova": 0, "gpa": 0, "size": 4096}]}])"),
       "p.json: domains[0].mappings[0].gpa: only a nested domain maps to GPAs (a first-stage domain's output "
       "is "
       "\"hpa\")"},
      {scalable(R"("domains": [{"id": 1}, {"id": 2, "stage": "nested", "parent": 1, "mappings": [
                   {"iova": 0, "gpa": 0, "hpa": 0, "size": 4096}]}])"),
       "p.json: domains[1].mappings[0].gpa: give \"gpa\" or \"hpa\" (both mean the first stage's output), "
       "not "
       "both"},
      {scalable(R"("domains": [{"id": 1}, {"id": 2, "stage": "nested", "parent": 1, "mappings": [
                   {"iova": 0, "size": 4096}]}])"),
       "p.json: domains[1].mappings[0].gpa: required"},
      {scalable(
           R"("domains": [{"id": 1, "mappings": [{"iova": 0, "hpa": 0, "size": 4096, "user": false}]}])"),
       "p.json: domains[0].mappings[0].user: first-stage key: only in the mappings of first-stage and nested "
       "domains"},
      {scalable(R"("domains": [{"id": 1, "preset_ad": false}])"),
       "p.json: domains[0].preset_ad: first-stage key: only first-stage and nested domains"},
      {scalable(R"("domains": [{"id": 1, "stage": "first", "mappings": [
                   {"iova": "0x800000000000", "hpa": 0, "size": 4096}]}])"),
       "p.json: domains[0].mappings[0]: map [0x800000000000, 0x800000001000): beyond the canonical lower "
       "half "
       "of 4-level first-stage paging (IOVAs below 2^47)"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(error_of(text), expected) << text;
}

TEST(ScalablePlatform, NestedTablePagesMustNotCollideWithTheParentsMappings) {
  // The parent maps GPA 0x10000000 (where the table region starts) elsewhere: the nested domain's root page
  // cannot become guest memory at its own address.
  const std::string e = error_of(scalable(R"("domains": [
      {"id": 1, "mappings": [{"iova": "0x10000000", "hpa": "0x90000000", "size": "1MiB"}]},
      {"id": 2, "stage": "nested", "parent": 1}])"));
  EXPECT_EQ(e.rfind("p.json: domains[1]: first-stage table page 0x100", 0), 0u) << e;
  EXPECT_NE(e.find("of nested domain 2 cannot be mapped (GPA = HPA) into parent domain 1: map [0x100"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("overlaps the existing mapping"), std::string::npos) << e;
}

TEST(ScalablePlatform, RunTimeDriverOperations) {
  platform_state s(parse_platform(docs_example(), "example.json"), "example.json");
  const uint64_t pages_before = s.pages().in_use();
  // Nested: a map far from the others needs new first-stage tables, which become guest memory at once...
  s.map(3, 0x0000'4000'0000'0000ull, 0x40005000, 0x1000, fs_perm{});
  std::set<uint64_t> tables;
  table_pages(s.memory(), s.fs_domain(3)->root(), 4, tables);
  EXPECT_EQ(tables.size(), 7u);
  for (uint64_t p : tables) EXPECT_TRUE(s.domain(2)->lookup(p)) << std::hex << p;
  // ...and stop being guest memory when the unmap frees them.
  EXPECT_EQ(s.unmap(3, 0x0000'4000'0000'0000ull, 0x1000), 0x1000u);
  std::set<uint64_t> after;
  table_pages(s.memory(), s.fs_domain(3)->root(), 4, after);
  for (uint64_t p : tables) {
    if (!after.count(p)) {
      EXPECT_FALSE(s.domain(2)->lookup(p)) << "freed table page 0x" << std::hex << p;
    }
  }
  EXPECT_EQ(s.pages().in_use(), pages_before) << "the parent's own tables for them are freed too";

  // First stage with rights; a second-stage domain has no U/S or XD; a pass-through domain has no tables.
  fs_perm sup;
  sup.user = false;
  s.map(1, 0x800000, 0x50000000, 0x1000, sup);
  EXPECT_FALSE(s.fs_domain(1)->lookup(0x800000)->user);
  s.map(1, 0x801000, 0x50001000, 0x1000, true, false);
  EXPECT_TRUE(s.fs_domain(1)->lookup(0x801000)->user);
  EXPECT_FALSE(s.fs_domain(1)->lookup(0x801000)->write);
  EXPECT_THROW(s.map(2, 0x1000, 0x1000, 0x1000, sup), table_error);
  s.map(2, 0x1000, 0x1000, 0x1000, true, true);
  EXPECT_EQ(s.domain(2)->lookup(0x1000)->hpa, 0x1000u);
  EXPECT_THROW(s.map(4, 0x1000, 0x1000, 0x1000, true, true), table_error);
  EXPECT_THROW(s.unmap(4, 0x1000, 0x1000), table_error);
  EXPECT_THROW(s.map(9, 0x1000, 0x1000, 0x1000, true, true), table_error);

  // attach/detach move the RID_PASID; PASIDs are attached and detached on their own.
  s.attach(kNic, 2);
  EXPECT_EQ(s.domain_of(kNic), 2);
  EXPECT_EQ(s.scalable_tables()->pasid_entry_of(kNic, 0)->type(), spec::pgtt::second_stage);
  s.detach(kNic);
  EXPECT_EQ(s.domain_of(kNic), -1);
  EXPECT_FALSE(s.scalable_tables()->pasid_entry_of(kNic, 0));
  s.attach_pasid(kAccel, 200, 1, {true, true});
  auto e = s.scalable_tables()->pasid_entry_of(kAccel, 200);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->sre() && e->wpe());
  EXPECT_EQ(s.domain_of_pasid(kAccel, 200), 1);
  EXPECT_THROW(s.attach_pasid(kAccel, 256, 1), table_error) << "beyond the device's 256 PASIDs";
  s.detach_pasid(kAccel, 200);
  EXPECT_EQ(s.domain_of_pasid(kAccel, 200), -1);
  EXPECT_FALSE(s.scalable_tables()->pasid_entry_of(kAccel, 200));
  // A device the file did not list is set up on first use, PASIDs enabled as the unit reports ECAP.PASID.
  s.attach_pasid(0x0500, 3, 4);
  EXPECT_TRUE(s.scalable_tables()->context_of(0x0500)->paside());
  EXPECT_EQ(s.scalable_tables()->pasid_entry_of(0x0500, 3)->type(), spec::pgtt::pass_through);
  s.attach(0x0501, 1);
  EXPECT_EQ(s.scalable_tables()->pasid_entry_of(0x0501, 0)->type(), spec::pgtt::first_stage);
}

TEST(ScalablePlatform, LegacyPlatformsRefusePasids) {
  platform_state s(
      parse_platform(R"({"domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "domain": 1}]})", "l"), "l");
  EXPECT_EQ(s.mode(), platform_mode::legacy);
  EXPECT_EQ(s.rtaddr() & 0xC00, 0u) << "TTM=00b";
  EXPECT_EQ(s.scalable_tables(), nullptr);
  EXPECT_EQ(s.stage_of(1), domain_stage::second);
  EXPECT_THROW(s.attach_pasid(0x0008, 1, 1), table_error);
  EXPECT_THROW(s.detach_pasid(0x0008, 1), table_error);
  s.map(1, 0x1000, 0x2000, 0x1000, true, false);
  EXPECT_EQ(s.domain(1)->lookup(0x1000)->hpa, 0x2000u);
}
