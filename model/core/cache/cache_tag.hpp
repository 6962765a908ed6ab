// What a cached entry is tagged with (VT-d spec 6.2, Table 17 "Caches and their tags"): source-id, PASID,
// domain and translation stage. Each cache compares the parts its spec tags name: the context-cache the
// source-id; the IOTLB and the paging-structure caches the domain, PASID and stage (plus the address). Legacy
// mode fills every tag with no PASID and the second stage, so its entries never match a scalable-mode one.
#pragma once
#include <cstdint>

#include "model/core/walk_record.hpp"

namespace vtd::core {

// PASIDs are 20-bit; this value tags entries of requests without PASID (legacy mode).
constexpr uint32_t kNoPasid = 0xFFFF'FFFFu;

struct cache_tag {
  uint16_t sid = 0;
  uint16_t did = 0;
  uint32_t pasid = kNoPasid;
  translation_stage stage = translation_stage::second;
  bool operator==(const cache_tag&) const = default;

  // A legacy-mode request: second stage only, no PASID.
  static constexpr cache_tag legacy(uint16_t sid, uint16_t did) {
    return cache_tag{sid, did, kNoPasid, translation_stage::second};
  }
};

// Set-index salt of the PASID and stage parts of a tag: zero for legacy-mode tags, so that legacy entries
// spread over the sets exactly as before PASIDs were tags.
constexpr uint64_t tag_salt(uint32_t pasid, translation_stage stage) {
  const uint64_t p = pasid == kNoPasid ? 0 : (uint64_t(pasid) + 1) * 0xD6E8FEB86659FD93ull;
  const uint64_t s = stage == translation_stage::second ? 0 : uint64_t(stage) * 0x9E3779B97F4A7C15ull;
  return (p ^ s) >> 32;
}

}  // namespace vtd::core
