// ATS endpoint (see header).
#include "model/device/ats_endpoint.hpp"

namespace vtd::device {

bool grants(const dtlb_entry& e, const core::dma_request& q) {
  bool ok = false;
  switch (q.access) {
    case core::access_kind::read:
      ok = e.read;
      break;
    case core::access_kind::write:
      ok = e.write;
      break;
    case core::access_kind::atomic:
      ok = e.read && e.write;
      break;
  }
  return ok && (!q.execute || e.execute);
}

ats_endpoint::ats_endpoint(uint16_t sid, const ats_params& params)
    : m_sid(sid), m_params(params), m_tlb(params.tlb) {}

dtlb_entry* ats_endpoint::lookup(const core::dma_request& q) {
  dtlb_entry* e = m_tlb.lookup(key_of(q), q.address);
  return e && grants(*e, q) ? e : nullptr;
}

core::dma_request ats_endpoint::translation_request(const core::dma_request& q) {
  ++m_counters.translation_requests;
  core::dma_request t = q;
  t.at = core::address_type::translation_request;
  return t;
}

ats_answer ats_endpoint::complete(const core::dma_request& q, const core::translation_result& answer,
                                  uint16_t domain, uint64_t generation, dtlb_entry* granted) {
  if (!answer.ok()) {
    ++m_counters.failed;
    return ats_answer::failed;
  }
  // A pass-through answer names no page size: the translation of one 4 KiB page, as the request asked.
  dtlb_entry e;
  e.size = answer.page_size ? answer.page_size : 0x1000;
  e.untranslated = q.address & ~(e.size - 1);
  e.translated = answer.hpa & ~(e.size - 1);
  e.read = answer.read;
  e.write = answer.write;
  e.execute = q.execute;  // the unit refuses an execute request it does not allow (SPT.5)
  e.domain = domain;
  e.generation = generation;
  // A completion with R=W=0 says "no translation": nothing worth caching.
  if (e.read || e.write) m_tlb.fill(key_of(q), e);
  if (granted) *granted = e;
  if (!grants(e, q)) {
    ++m_counters.denied;
    return ats_answer::denied;
  }
  return ats_answer::granted;
}

core::dma_request ats_endpoint::translated_request(const core::dma_request& q, const dtlb_entry& e) {
  ++m_counters.translated_requests;
  core::dma_request t = q;
  t.at = core::address_type::translated;
  t.address = e.translate(q.address);
  return t;
}

bool ats_endpoint::invalidate(const core::dev_tlb_invalidation& request) {
  ++m_counters.invalidation_requests;
  if (!m_params.answers_invalidations) {
    ++m_counters.invalidations_ignored;
    return false;
  }
  m_counters.entries_invalidated += m_tlb.invalidate(request);
  return true;
}

}  // namespace vtd::device
