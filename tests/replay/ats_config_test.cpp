// The "device.ats" defaults and the per-device "devices" overrides (docs/config.md): values reach the device
// they name, by name or BDF, keys are checked when read, and the resolved configuration says what it used.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "apps/replay/sim_config.hpp"

using namespace vtd::replay;

namespace {

sim_config parse(const std::string& text) {
  return parse_sim_config(text, "test.json");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(AtsConfig, DefaultsAndPerDeviceOverrides) {
  const sim_config c = parse(R"({"device": {"ats": {"entries": 8, "ways": 8, "invalidation_ns": 250}},
    "devices": {"gpu0": {"tags": 16, "ats": {"entries": 512, "answers_invalidations": false}},
                "04:00.0": {"memory_ns": 120}}})");
  EXPECT_EQ(c.device.ats.tlb.entries, 8u);
  EXPECT_EQ(c.device.ats.invalidation_ns, 250.0);
  const device_config gpu = device_config_for(c, "gpu0", "03:00.0");
  EXPECT_EQ(gpu.params.tags, 16u);
  EXPECT_EQ(gpu.ats.tlb.entries, 512u);
  EXPECT_EQ(gpu.ats.tlb.ways, 8u);  // from device.ats
  EXPECT_FALSE(gpu.ats.answers_invalidations);
  EXPECT_EQ(gpu.ats.invalidation_ns, 250.0);
  const device_config nic = device_config_for(c, "nic", "04:00.0");  // by BDF
  EXPECT_EQ(nic.memory_ns, 120.0);
  EXPECT_EQ(nic.params.tags, c.device.params.tags);
  const device_config other = device_config_for(c, "", "05:00.0");
  EXPECT_EQ(other.ats.tlb.entries, 8u);
  // The resolved configuration names both sections.
  const auto j = to_json(c);
  EXPECT_EQ(j["device"]["ats"]["entries"], 8);
  EXPECT_EQ(j["devices"]["gpu0"]["tags"], 16);
}

TEST(AtsConfig, DefaultAtsLeavesTheOpenLoopDocumentAlone) {
  const auto j = to_json(sim_preset("server"));
  EXPECT_FALSE(j.contains("device"));
  EXPECT_FALSE(j.contains("devices"));
}

TEST(AtsConfig, OverridesOnTheCommandLine) {
  sim_config c = sim_preset("server");
  apply_override(c, "devices.gpu0.ats.entries=512");
  apply_override(c, "devices.00:02.0.tags=4");  // a BDF has a dot of its own
  apply_override(c, "device.ats.invalidation_ns=2000");
  EXPECT_EQ(device_config_for(c, "gpu0", "03:00.0").ats.tlb.entries, 512u);
  EXPECT_EQ(device_config_for(c, "nic0", "00:02.0").params.tags, 4u);
  EXPECT_EQ(c.device.ats.invalidation_ns, 2000.0);
  EXPECT_THROW(apply_override(c, "devices.gpu0.ats.bogus=1"), std::invalid_argument);
  EXPECT_THROW(apply_override(c, "devices.gpu0=1"), std::invalid_argument);
}

TEST(AtsConfig, BadKeysAreErrorsNamingThem) {
  EXPECT_NE(error_of(R"({"devices": {"gpu0": {"tagz": 4}}})").find("devices.gpu0.tagz"), std::string::npos);
  EXPECT_NE(error_of(R"({"devices": {"gpu0": {"ats": {"size": 4}}}})").find("devices.gpu0.ats.size"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"devices": {"gpu0": {"issue": "closed"}}})").find("devices.gpu0.issue"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"device": {"ats": {"entries": 6}}})").find("device.ats"), std::string::npos);
  EXPECT_NE(error_of(R"({"device": {"ats": {"answers_invalidations": 1}}})")
                .find("device.ats.answers_invalidations"),
            std::string::npos);
  // A device named twice, by name and by BDF.
  const sim_config c = parse(R"({"devices": {"gpu0": {"tags": 4}, "03:00.0": {"tags": 8}}})");
  EXPECT_THROW(device_config_for(c, "gpu0", "03:00.0"), std::runtime_error);
}
