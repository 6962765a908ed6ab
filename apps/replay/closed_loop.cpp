// Closed-loop issue (see header).
#include "apps/replay/closed_loop.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "model/spec/text.hpp"

namespace vtd::replay {

using traces::record;
using traces::record_kind;

// Forwards to the real port and keeps the result of the last request, whose timing the device needs.
class closed_loop::tap final : public request_port {
 public:
  explicit tap(request_port& inner) : m_inner(inner) {}
  const timing::upstream_result& transport(const timing::upstream_request& req) override {
    last = &m_inner.transport(req);
    ++sent;
    // An ATS DMA may send two requests (translation, then translated): the first one's figures are kept.
    if (!first) first = seen{req.dma.at, last->ok(), last->timed, last->timing};
    return *last;
  }
  struct seen {
    core::address_type at;
    bool ok;
    bool timed;
    timing::request_timing timing;
  };
  std::optional<seen> first;
  unsigned sent = 0;
  std::optional<timing::reservation> price(const timing::invalidation_work& work) override {
    return m_inner.price(work);
  }
  const timing::upstream_result* last = nullptr;

 private:
  request_port& m_inner;
};

namespace {

bool is_request(const record& r) {
  return r.kind == record_kind::dma || r.kind == record_kind::msi;
}

// What a request record is on the link: an MSI is a posted DWORD write (spec 3.15: a write to the interrupt
// address range); a DMA by its AT field and operation.
timing::device_request link_kind(const timing::upstream_request& u, const record& r) {
  if (r.kind == record_kind::msi) return timing::device_request::write;
  if (u.dma.at == core::address_type::translation_request) return timing::device_request::translation;
  switch (u.dma.access) {
    case core::access_kind::read:
      return timing::device_request::read;
    case core::access_kind::write:
      return timing::device_request::write;
    case core::access_kind::atomic:
      return timing::device_request::atomic;
  }
  return timing::device_request::read;
}

}  // namespace

closed_loop::closed_loop(replay_engine& engine, request_port& port, const device_config& config,
                         uint64_t warmup, std::function<void(picoseconds)> advance,
                         std::map<uint16_t, device_config> per_device)
    : m_engine(engine),
      m_tap(std::make_unique<tap>(port)),
      m_config(config),
      m_per_device(std::move(per_device)),
      m_warmup(warmup),
      m_advance(std::move(advance)) {
  timing::pcie_device check(config.params);  // bad parameters fail before the first record
  for (const auto& [sid, d] : m_per_device) timing::pcie_device each(d.params);
  m_engine.use_port(m_tap.get());
}

closed_loop::lane& closed_loop::lane_of(uint16_t sid) {
  auto it = m_lanes.find(sid);
  if (it != m_lanes.end()) return it->second;
  auto own = m_per_device.find(sid);
  const device_config& d = own != m_per_device.end() ? own->second : m_config;
  const int64_t delta = int64_t((d.memory_ns - m_config.memory_ns) * 1000.0);
  return m_lanes.try_emplace(sid, d.params, delta).first->second;
}

closed_loop::~closed_loop() {
  m_engine.use_port(nullptr);
}

void closed_loop::enqueue(const record& r, uint64_t seq) {
  if (!is_request(r)) {
    m_driver.emplace_back(seq, r);
    return;
  }
  lane& l = lane_of(r.id);
  l.waiting.emplace_back(seq, r);
  if (!l.head) issue_head(l);
}

void closed_loop::issue_head(lane& l) {
  const record& r = l.waiting.front().second;
  const timing::upstream_request u = replay_engine::to_request(r);
  // An ATS device whose TLB lacks the page asks for its translation first (a header-only request).
  l.translating = m_engine.ats_needs_translation(r);
  l.head = l.translating ? l.device.issue(r.time_ps, timing::device_request::translation, u.dma.address, 0)
                         : l.device.issue(r.time_ps, link_kind(u, r), u.dma.address, u.dma.length);
}

// The front record's translation request reaches the unit: the engine replays the whole DMA now (translation
// request, device-TLB fill, translated request, all at this arrival); the device sees the Translation
// Completion come back, frees the tag, and issues the translated request, which reaches the unit later and
// takes as long there as the unit's own timing of it said.
void closed_loop::serve_translation(lane& l) {
  timing::device_timing t = *l.head;
  record r = l.waiting.front().second;
  l.waiting.pop_front();
  l.head.reset();
  l.translating = false;
  m_advance(t.arrival);
  r.time_ps = t.arrival;
  m_tap->last = nullptr;
  m_tap->first.reset();
  m_tap->sent = 0;
  m_engine.submit(r);
  const timing::upstream_result* res = m_tap->last;
  if (!res || !res->timed || !m_tap->first)
    throw std::logic_error("closed-loop issue needs a request port that times its requests");
  const tap::seen first = *m_tap->first;
  // The engine may have found the page meanwhile (another DMA of the device filled it): then no translation
  // request went to the unit, and the completion comes back at once.
  const bool asked = first.at == core::address_type::translation_request;
  const picoseconds answered = asked ? t.arrival + first.timing.translation_latency() : t.arrival;
  l.device.complete(t, answered, answered, asked ? first.ok : true);
  const bool counted = m_engine.requests() > m_warmup;
  if (counted) {
    // Its tag time is counted with the DMA's (count() below, from the translation request's issue).
    ++m_stats[r.id].translation_requests;
  }
  if (asked && m_tap->sent == 1) {
    // Denied or refused: the DMA ends with the Translation Completion.
    m_last = t;
    if (counted) count(t, false, r.id);
    if (!l.waiting.empty()) issue_head(l);
    return;
  }
  const timing::upstream_request u = replay_engine::to_request(r);
  timing::device_timing d = l.device.issue(t.completion, link_kind(u, r), u.dma.address, u.dma.length);
  const timing::request_timing& rt = res->timing;
  const bool ok = res->ok();
  // The unit's time for the translated request, as it timed it, from the request's own arrival.
  const picoseconds translated = d.arrival + rt.translation_done - rt.arrival;
  picoseconds served = translated;
  if (ok && !d.posted())
    served = std::max<picoseconds>(translated,
                                   picoseconds(int64_t(d.arrival + rt.done - rt.arrival) + l.memory_delta));
  l.device.complete(d, translated, served, ok);
  // As the device sees the DMA: from the translation request's issue to the translated request's end.
  d.ready = t.ready;
  d.issue = t.issue;
  d.arrival = t.arrival;
  m_last = d;
  if (counted) count(d, ok, r.id);
  if (!l.waiting.empty()) issue_head(l);
}

void closed_loop::serve(lane& l) {
  if (l.translating) return serve_translation(l);
  timing::device_timing t = *l.head;
  record r = l.waiting.front().second;
  l.waiting.pop_front();
  l.head.reset();
  // The engine sees the request when it reaches the unit.
  m_advance(t.arrival);
  r.time_ps = t.arrival;
  m_tap->last = nullptr;
  m_engine.submit(r);
  const timing::upstream_result* res = m_tap->last;
  if (!res || !res->timed)
    throw std::logic_error("closed-loop issue needs a request port that times its requests");
  const timing::request_timing& rt = res->timing;
  const bool ok = res->ok();
  // A posted write (or an MSI) is accepted once translated; a non-posted request's data is ready when the
  // unit's memory access is done (at once, when it faulted: a completion without data).
  const picoseconds served =
      ok && !t.posted() && !res->is_interrupt()
          ? std::max<picoseconds>(rt.translation_done, picoseconds(int64_t(rt.done) + l.memory_delta))
          : rt.translation_done;
  l.device.complete(t, rt.translation_done, served, ok);
  m_last = t;
  if (m_engine.requests() > m_warmup) count(t, ok, r.id);
  if (!l.waiting.empty()) issue_head(l);
}

void closed_loop::count(const timing::device_timing& t, bool ok, uint16_t sid) {
  closed_device_stats& s = m_stats[sid];
  ++s.requests;
  if (ok) s.payload_bytes += t.payload;
  s.first_issue = std::min(s.first_issue, t.issue);
  s.last_completion = std::max(s.last_completion, t.completion);
  const picoseconds wait = t.queueing(), held = t.completion - t.issue;
  if (t.posted()) {
    ++s.posted;
    s.credit_wait += wait;
    s.credit_stalls += wait > 0;
    s.credit_held += held;
  } else {
    ++s.non_posted;
    s.tag_wait += wait;
    s.tag_stalls += wait > 0;
    s.tag_held += held;
  }
  s.queueing += t.queueing();
  s.translation += t.translation();
  s.link_memory += t.link_and_memory();
  s.latency.add(t.latency());
}

void closed_loop::run(const std::function<bool(record&)>& next, const std::function<void()>& after_each) {
  record pending;
  bool have = next(pending);
  uint64_t seq = 0;
  constexpr picoseconds kNone = std::numeric_limits<picoseconds>::max();
  for (;;) {
    // The record that reaches the unit first: (time, trace order) over each device's issued head and the
    // first driver record. Read ahead while an unread record could still come before it.
    picoseconds key = kNone;
    uint64_t key_seq = 0;
    lane* pick = nullptr;
    auto choose = [&] {
      key = kNone;
      pick = nullptr;
      if (!m_driver.empty()) {
        key = m_driver.front().second.time_ps;
        key_seq = m_driver.front().first;
      }
      for (auto& [sid, l] : m_lanes) {
        if (!l.head) continue;
        const picoseconds k = l.head->arrival;
        const uint64_t q = l.waiting.front().first;
        if (key == kNone || k < key || (k == key && q < key_seq)) {
          key = k;
          key_seq = q;
          pick = &l;
        }
      }
    };
    choose();
    while (have && (key == kNone || pending.time_ps < key)) {
      enqueue(pending, seq++);
      have = next(pending);
      choose();
    }
    if (key == kNone) break;
    if (pick) {
      serve(*pick);
    } else {
      const record r = m_driver.front().second;
      m_driver.pop_front();
      m_advance(r.time_ps);
      m_engine.submit(r);
    }
    if (after_each) after_each();
  }
}

void add_closed_loop_stats(stats_report& s, const std::map<uint16_t, closed_device_stats>& devices,
                           const std::map<uint16_t, std::string>& names) {
  for (const auto& [sid, d] : devices) {
    auto it = names.find(sid);
    const std::string p = "device." + (it != names.end() ? it->second : spec::format_bdf(sid)) + ".closed";
    const double span_ns = double(d.span()) / 1000.0;
    const double n = double(d.requests);
    s.add(p + ".requests", n, "count", "requests issued by the closed-loop device (measured)");
    s.add(p + ".span_ns", span_ns, "ns", "first issue to last completion of the measured requests", false);
    s.add(p + ".throughput_gbps", span_ns > 0 ? double(d.payload_bytes) * 8 / span_ns : 0, "Gb/s",
          "payload moved per second over the span (reads' completion data, writes' data)", false);
    s.add(p + ".requests_per_second", span_ns > 0 ? n / span_ns * 1e9 : 0, "requests/s",
          "requests completed per second over the span", false);
    s.add(p + ".tags_mean", span_ns > 0 ? double(d.tag_held) / 1000.0 / span_ns : 0, "tags",
          "mean PCIe tags held (non-posted requests outstanding)", false);
    s.add(p + ".credits_mean", span_ns > 0 ? double(d.credit_held) / 1000.0 / span_ns : 0, "credits",
          "mean posted credits held (writes not yet accepted)", false);
    s.add(p + ".tag_stalls", double(d.tag_stalls), "count", "non-posted requests that waited for a tag");
    s.add(p + ".tag_stall_ns", double(d.tag_wait) / 1000.0, "ns", "total time requests waited for a tag",
          false);
    s.add(p + ".credit_stalls", double(d.credit_stalls), "count", "posted writes that waited for a credit");
    s.add(p + ".credit_stall_ns", double(d.credit_wait) / 1000.0, "ns",
          "total time writes waited for a posted credit", false);
    s.add(p + ".queueing_ns.mean", n > 0 ? double(d.queueing) / 1000.0 / n : 0, "ns",
          "mean wait for a tag or credit (record time to issue)", false);
    s.add(p + ".translation_ns.mean", n > 0 ? double(d.translation) / 1000.0 / n : 0, "ns",
          "mean time in the unit's lookups and walks (arrival to translated)", false);
    s.add(p + ".link_memory_ns.mean", n > 0 ? double(d.link_memory) / 1000.0 / n : 0, "ns",
          "mean time on the link and in memory (request TLPs, access, completions)", false);
    s.add_latency(p + ".latency", d.latency, "issue-to-completion latency as the device sees it");
    if (d.translation_requests)
      s.add(p + ".translation_requests", double(d.translation_requests), "count",
            "ATS translation requests the device issued (each held a tag until its completion)");
  }
}

}  // namespace vtd::replay
