// platform_state::attachments_of (which (source-id, PASID) use a domain, for the domain-wide PASID-based
// invalidations a replay sends) against a shadow kept by the test: the platform file's attachments taken
// from its description, then a seeded random sequence of PASID attaches and detaches, RID_PASID attaches and
// detaches, and refused operations (unknown domain, PASID beyond max_pasids), which must change nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <utility>
#include <vector>

#include "tables/platform_description.hpp"
#include "tables/platform_state.hpp"
#include "tables/table_error.hpp"

using namespace vtd;
using namespace vtd::tables;

namespace {

// The jsonc block of the "Scalable mode" section of docs/platform-format.md: five domains of every stage,
// three devices, one with two extra PASIDs.
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

using shadow_map = std::map<std::pair<uint16_t, uint32_t>, uint16_t>;  // (sid, PASID) -> domain

std::vector<std::pair<uint16_t, uint32_t>> expected(const shadow_map& s, uint16_t domain) {
  std::vector<std::pair<uint16_t, uint32_t>> out;  // std::map order: ascending (sid, PASID)
  for (const auto& [key, d] : s)
    if (d == domain) out.push_back(key);
  return out;
}

}  // namespace

TEST(AttachmentsOf, FollowsEveryAttachAndDetach) {
  const platform_description desc = parse_platform(docs_example(), "example.json");
  platform_state s(desc, "example.json");
  shadow_map shadow;
  std::map<uint16_t, uint32_t> rid_pasid;  // the devices' RID_PASID, from the description
  for (const auto& dev : desc.devices) {
    rid_pasid[dev.sid] = dev.rid_pasid;
    if (dev.domain) shadow[{dev.sid, dev.rid_pasid}] = *dev.domain;
    for (const auto& pd : dev.pasids) shadow[{dev.sid, pd.pasid}] = pd.domain;
  }
  ASSERT_EQ(shadow.size(), 5u) << "the example attaches three RID_PASIDs and two PASIDs";

  const uint16_t sids[] = {0x0010, 0x0018, 0x0020, 0x0030};  // the three devices and one the file lacks
  const uint16_t domains[] = {1, 2, 3, 4, 5, 9};             // 9 is not defined: refused
  std::mt19937_64 rng(20261130);
  for (int step = 0; step < 2000; ++step) {
    const uint16_t sid = sids[rng() % 4];
    const uint16_t domain = domains[rng() % 6];
    // PASIDs up to 300: the nic's and the vf's default max_pasids and accel0's 256 refuse some.
    const uint32_t pasid = uint32_t(rng() % 300);
    const uint32_t rid = rid_pasid.count(sid) ? rid_pasid[sid] : 0;
    try {
      switch (rng() % 4) {
        case 0:
          s.attach_pasid(sid, pasid, domain);
          shadow[{sid, pasid}] = domain;
          break;
        case 1:
          s.detach_pasid(sid, pasid);
          shadow.erase({sid, pasid});
          break;
        case 2:
          s.attach(sid, domain);
          shadow[{sid, rid}] = domain;
          break;
        default:
          s.detach(sid);
          shadow.erase({sid, rid});
          break;
      }
    } catch (const table_error&) {
      // Refused: the shadow stays as it was, and so must the platform (checked below).
    }
    for (uint16_t d : domains) ASSERT_EQ(s.attachments_of(d), expected(shadow, d)) << "step " << step;
    for (const auto& [key, d] : shadow) ASSERT_EQ(s.domain_of_pasid(key.first, key.second), d);
  }
}

TEST(AttachmentsOf, LegacyPlatformHasNone) {
  platform_state s(
      parse_platform(R"({"domains": [{"id": 1}], "devices": [{"bdf": "00:01.0", "domain": 1}]})", "l.json"),
      "l.json");
  EXPECT_TRUE(s.attachments_of(1).empty()) << "legacy mode has no PASID attachments";
}
