// The mappings an importer believes each domain has at the current point of the log: what it has written as
// map records and not yet unmapped. It keeps the written trace replayable (an unmap removes what is mapped,
// a map never lands on a mapping) and lets an invalidation drop exactly the mappings it covers.
#pragma once
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace vtd::traces::import {

struct shadow_mapping {
  uint64_t size = 0;
  uint64_t hpa = 0;
  bool read = true, write = true;
};

class mapping_shadow {
 public:
  using domain_map = std::map<uint64_t, shadow_mapping>;  // by IOVA

  // The mappings of `domain` that overlap [iova, iova + size).
  std::vector<std::pair<uint64_t, shadow_mapping>> overlapping(uint16_t domain, uint64_t iova,
                                                               uint64_t size) const {
    std::vector<std::pair<uint64_t, shadow_mapping>> out;
    auto d = m_domains.find(domain);
    if (d == m_domains.end()) return out;
    auto it = d->second.upper_bound(iova);
    if (it != d->second.begin()) --it;
    for (; it != d->second.end() && it->first < iova + size; ++it)
      if (it->first + it->second.size > iova) out.push_back(*it);
    return out;
  }
  void add(uint16_t domain, uint64_t iova, const shadow_mapping& m) { m_domains[domain][iova] = m; }
  void remove(uint16_t domain, uint64_t iova) { m_domains[domain].erase(iova); }
  const domain_map& of(uint16_t domain) { return m_domains[domain]; }
  const std::map<uint16_t, domain_map>& all() const { return m_domains; }

 private:
  std::map<uint16_t, domain_map> m_domains;
};

}  // namespace vtd::traces::import
