// The Linux trace-event importer. Every line of `trace-cmd report`, `perf script` and the tracefs `trace`
// file has the same core, "SECONDS.USEC: [SYSTEM:]EVENT: ARGS", after a task/CPU/flags prefix that differs
// per tool; the importer finds the time stamp and takes the event after it. iommu:map and iommu:unmap carry
// neither the domain nor the device: every mapping goes into one domain (docs/trace-import.md, "Linux").
#include "traces/import/linux_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "model/spec/inv_descriptor.hpp"
#include "traces/import/event_args.hpp"
#include "traces/import/line_source.hpp"
#include "traces/import/mapping_shadow.hpp"

namespace vtd::traces::import {

namespace {

constexpr uint64_t kPage = 4096;

struct linux_event {
  uint64_t line = 0, time_ps = 0;
  std::string name, args;
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "SECONDS.USEC" (trace-cmd may print nanoseconds: any number of fraction digits) -> picoseconds.
std::optional<uint64_t> parse_stamp(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == s.size()) return std::nullopt;
  if (!std::all_of(s.begin(), s.begin() + long(dot), is_digit) ||
      !std::all_of(s.begin() + long(dot) + 1, s.end(), is_digit) || s.size() - dot - 1 > 12 || dot > 9)
    return std::nullopt;
  uint64_t frac = *parse_number(s.substr(dot + 1));
  for (std::size_t d = s.size() - dot - 1; d < 12; ++d) frac *= 10;
  return *parse_number(s.substr(0, dot)) * 1000000000000ull + frac;
}

// "0000:00:02.0" or "00:02.0" -> source-id.
std::optional<uint16_t> parse_device(std::string_view s) {
  if (s.size() == 12 && s[4] == ':') s.remove_prefix(5);
  if (s.size() != 7 || s[2] != ':' || s[5] != '.') return std::nullopt;
  const auto bus = parse_number(fmt::format("0x{}", s.substr(0, 2)));
  const auto dev = parse_number(fmt::format("0x{}", s.substr(3, 2)));
  const auto fn = parse_number(fmt::format("0x{}", s.substr(6, 1)));
  if (!bus || !dev || !fn || *dev > 31 || *fn > 7) return std::nullopt;
  return make_sid(unsigned(*bus), unsigned(*dev), unsigned(*fn));
}

class linux_importer {
 public:
  linux_importer(std::string name, const linux_import_options& o) : m_name(std::move(name)), m_opt(o) {}

  void line(std::string_view text, uint64_t number) {
    ++m_out.lines;
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos || text[first] == '#') return;  // blank, or the tracefs header
    const std::string_view body = text.substr(first);
    if (body.starts_with("cpus=") || body.starts_with("version =") || body.starts_with("CPU "))
      return;  // trace-cmd's header lines
    // The time stamp: the first word "DIGITS.DIGITS:".
    std::size_t pos = 0;
    std::optional<uint64_t> t;
    while (pos < text.size()) {
      const std::size_t start = text.find_first_not_of(' ', pos);
      if (start == std::string_view::npos) break;
      std::size_t end = text.find(' ', start);
      if (end == std::string_view::npos) end = text.size();
      pos = end;
      const std::string_view word = text.substr(start, end - start);
      if (word.size() > 1 && word.back() == ':' && (t = parse_stamp(word.substr(0, word.size() - 1)))) break;
    }
    if (!t)
      throw import_error(
          fmt::format("{}:{}: no time stamp 'SECONDS.USEC:' (expected a line of trace-cmd "
                      "report, perf script or the tracefs trace file)",
                      m_name, number));
    const std::size_t ev = text.find_first_not_of(' ', pos);
    const std::size_t ev_end = ev == std::string_view::npos ? ev : text.find(' ', ev);
    std::string_view event =
        ev == std::string_view::npos ? std::string_view{} : text.substr(ev, ev_end == ev ? 0 : ev_end - ev);
    if (event.size() < 2 || event.back() != ':')
      throw import_error(fmt::format("{}:{}:{}: expected the event name ('EVENT:' or 'SYSTEM:EVENT:')",
                                     m_name, number, (ev == std::string_view::npos ? text.size() : ev) + 1));
    event.remove_suffix(1);
    if (const std::size_t colon = event.find(':'); colon != std::string_view::npos)
      event.remove_prefix(colon + 1);  // perf script: "iommu:map"
    const std::string_view args =
        ev_end == std::string_view::npos
            ? std::string_view{}
            : text.substr(text.find_first_not_of(' ', ev_end) == std::string_view::npos
                              ? text.size()
                              : text.find_first_not_of(' ', ev_end));
    m_events.push_back(linux_event{number, *t, std::string(event), std::string(args)});
  }

  import_result finish() {
    choose_domain_and_device();
    for (const auto& e : m_events) apply(e);
    m_out.platform = platform();
    return std::move(m_out);
  }

 private:
  [[noreturn]] void fail(const linux_event& e, const std::string& message) const {
    throw import_error(fmt::format("{}:{}: {}: {}", m_name, e.line, e.name, message));
  }
  uint64_t number(const linux_event& e, std::string_view key) const {
    const auto v = key_value(e.args, key);
    if (!v) fail(e, fmt::format("expected {}=", key));
    const auto n = parse_number(*v);
    if (!n) fail(e, fmt::format("{}='{}' is not a number", key, *v));
    return *n;
  }
  uint16_t device(const linux_event& e, std::string_view name) const {
    const auto sid = parse_device(name);
    if (!sid) fail(e, fmt::format("device '{}' is not a PCI device name (DDDD:BB:DD.F)", name));
    return *sid;
  }
  std::string_view word(const linux_event& e, unsigned i) const {
    std::string_view s = e.args;
    for (unsigned k = 0;; ++k) {
      const std::size_t start = s.find_first_not_of(' ');
      if (start == std::string_view::npos) fail(e, fmt::format("expected at least {} words", i + 1));
      s.remove_prefix(start);
      const std::size_t end = std::min(s.find(' '), s.size());
      if (k == i) return s.substr(0, end);
      s.remove_prefix(end);
    }
  }
  std::string_view device_arg(const linux_event& e) const {
    const auto v = key_value(e.args, "device");
    if (!v) fail(e, "expected device=");
    return *v;
  }

  // Which DID the mappings go into and which device issues the DMAs: the options, else the DID of the first
  // domain- or page-selective IOTLB descriptor in the log (the one the driver flushes after unmapping) and
  // the first device attached.
  void choose_domain_and_device() {
    for (const auto& e : m_events) {
      if (!m_opt.domain && !m_domain && e.name == "qi_submit") {
        const auto d = descriptor(e);
        if (d.type() == 2 && d.granularity() >= 2) m_domain = d.iotlb_did();
      }
      if (!m_opt.sid && !m_sid && e.name == "attach_device_to_domain") m_sid = device(e, device_arg(e));
    }
    if (m_opt.domain) m_domain = m_opt.domain;
    if (!m_domain) m_domain = 1;
    if (m_opt.sid) m_sid = m_opt.sid;
    if (!m_sid) {
      m_sid = make_sid(0, 1, 0);
      ++m_out.not_recovered["no attach event and no --dma-sid: DMAs issued as 00:01.0"];
    }
    m_attached.insert(*m_sid);  // attached by the platform file
  }

  spec::inv_descriptor descriptor(const linux_event& e) const {
    spec::inv_descriptor d;
    for (unsigned i = 0; i < 4; ++i) {
      const auto v = parse_number(word(e, 2 + i));
      if (!v) fail(e, fmt::format("descriptor word {} '{}' is not a number", i, word(e, 2 + i)));
      d.qw[i] = *v;
    }
    return d;
  }

  void emit(record r) {
    r.time_ps = m_time;
    m_out.records.push_back(r);
  }

  void apply(const linux_event& e) {
    if (!m_first) m_first = e.time_ps;
    m_time = std::max(m_time, e.time_ps - *m_first);
    ++m_out.events[e.name];
    if (e.name == "map") return map(e, number(e, "iova"), number(e, "paddr"), number(e, "size"));
    if (e.name == "unmap") {
      const uint64_t size =
          key_value(e.args, "unmapped_size") ? number(e, "unmapped_size") : number(e, "size");
      return unmap(number(e, "iova"), size);
    }
    if (e.name == "attach_device_to_domain") {
      const uint16_t sid = device(e, device_arg(e));
      if (m_attached.insert(sid).second) emit(make_attach(0, sid, *m_domain));
      return;
    }
    if (e.name == "detach_device_from_domain") {
      const uint16_t sid = device(e, device_arg(e));
      if (m_attached.erase(sid)) emit(make_detach(0, sid, *m_domain));
      return;
    }
    if (e.name == "io_page_fault") {
      // "IOMMU:DRIVER DEVICE iova=0x... flags=0x...": flags bit 0 is IOMMU_FAULT_WRITE.
      const uint16_t sid = device(e, word(e, 1));
      const bool write = (number(e, "flags") & 1) != 0;
      emit(make_dma(0, sid, write ? dma_op::write : dma_op::read, number(e, "iova") & ~uint64_t{3}, 4));
      return;
    }
    if (e.name == "qi_submit") return invalidation(e, descriptor(e));
    if (e.name == "add_device_to_group" || e.name == "remove_device_from_group" || e.name == "prq_report" ||
        e.name.starts_with("cache_tag_") || e.name.find("map_s") != std::string::npos)
      return;  // known; nothing for the trace (cache_tag_flush_* duplicate the qi_submit descriptors)
    --m_out.events[e.name];
    if (m_out.events[e.name] == 0) m_out.events.erase(e.name);
    ++m_out.unknown_events[e.name];
  }

  void map(const linux_event& e, uint64_t iova, uint64_t paddr, uint64_t size) {
    (void)e;
    if ((iova | paddr) & (kPage - 1)) return (void)++m_out.not_recovered["map not 4 KiB aligned"];
    size = (size + kPage - 1) & ~(kPage - 1);
    if (size == 0) return (void)++m_out.not_recovered["map of size 0"];
    if (!m_shadow.overlapping(*m_domain, iova, size).empty())
      return (void)++m_out.not_recovered["map over an IOVA range already mapped (another domain's)"];
    emit(make_map(0, *m_domain, iova, paddr, size, true, true));
    m_shadow.add(*m_domain, iova, shadow_mapping{size, paddr, true, true});
    generate(iova, size);
  }

  void generate(uint64_t iova, uint64_t size) {
    const uint32_t bytes = std::clamp<uint32_t>(m_opt.bytes, 1, 4096);
    const dma_op op = m_opt.write ? dma_op::write : dma_op::read;
    auto dma = [&](uint64_t a) { emit(make_dma(0, *m_sid, op, a, bytes)); };
    switch (m_opt.pattern) {
      case dma_pattern::none:
        return;
      case dma_pattern::touch:
        for (uint64_t off = 0; off < size; off += kPage) dma(iova + off);
        return;
      case dma_pattern::stream: {
        // Requests of `bytes` back to back from the start, each within one 4 KiB page.
        uint64_t off = 0;
        for (unsigned i = 0; i < m_opt.count; ++i) {
          if (off + bytes > size || (off % kPage) + bytes > kPage) off = (off + kPage - 1) & ~(kPage - 1);
          if (off + bytes > size) off = 0;
          dma(iova + off);
          off += bytes;
        }
        return;
      }
    }
  }

  void unmap(uint64_t iova, uint64_t size) {
    const uint16_t dom = *m_domain;
    const auto over = m_shadow.overlapping(dom, iova, size);
    if (over.empty()) return (void)++m_out.not_recovered["unmap of a range the log never mapped"];
    for (const auto& [o_iova, o] : over) {
      const uint64_t lo = std::max(o_iova, iova), hi = std::min(o_iova + o.size, iova + size);
      emit(make_unmap(0, dom, lo, hi - lo));
      m_shadow.remove(dom, o_iova);
      if (lo > o_iova) m_shadow.add(dom, o_iova, shadow_mapping{lo - o_iova, o.hpa, o.read, o.write});
      if (hi < o_iova + o.size)
        m_shadow.add(dom, hi, shadow_mapping{o_iova + o.size - hi, o.hpa + (hi - o_iova), o.read, o.write});
    }
  }

  void invalidation(const linux_event& e, const spec::inv_descriptor& d) {
    const unsigned g = d.granularity();
    switch (d.type()) {
      case 1:  // cc_inv_dsc: G 01 global, 10 domain, 11 device
        if (g == 0) break;
        return emit(make_cc_inval(0, granularity(g - 1), d.cc_did(), d.cc_sid(), uint8_t(d.cc_fm()), true));
      case 2:  // iotlb_inv_dsc: G 01 global, 10 domain, 11 page
        if (g == 0) break;
        return emit(make_iotlb_inval(0, granularity(g - 1), d.iotlb_did(), d.iotlb_addr(),
                                     uint8_t(d.iotlb_am()), d.iotlb_ih(), true));
      case 3:
        return emit(make_devtlb_inval(0, d.dev_sid(), d.dev_addr(), d.dev_s(), true));
      case 4:
        return emit(make_iec_inval(0, d.iec_index_selective() ? granularity::index : granularity::global,
                                   d.iec_index_selective() ? d.iec_iidx() : 0,
                                   d.iec_index_selective() ? uint8_t(d.iec_im()) : 0, true));
      case 5:
        return emit(
            make_inv_wait(0, d.wait_address(), d.wait_data(), d.wait_if(), d.wait_sw(), d.wait_fn(), true));
      case 6:
        if (d.piotlb_g() == spec::piotlb_granularity::pasid)
          return emit(
              make_piotlb_inval(0, granularity::pasid, d.piotlb_did(), d.piotlb_pasid(), 0, 0, false));
        if (d.piotlb_g() == spec::piotlb_granularity::page)
          return emit(make_piotlb_inval(0, granularity::page_in_pasid, d.piotlb_did(), d.piotlb_pasid(),
                                        d.piotlb_addr(), uint8_t(d.piotlb_am()), d.piotlb_ih()));
        break;
      case 7:
        if (d.pc_g() == spec::pc_granularity::global)
          return emit(make_pc_inval(0, granularity::global, 0, 0));
        if (d.pc_g() == spec::pc_granularity::domain)
          return emit(make_pc_inval(0, granularity::domain, d.pc_did(), 0));
        if (d.pc_g() == spec::pc_granularity::pasid)
          return emit(make_pc_inval(0, granularity::pasid, d.pc_did(), d.pc_pasid()));
        break;
      case 8:
        return emit(make_pdevtlb_inval(0, d.pdev_sid(), d.pdev_pasid(), d.pdev_addr(), d.pdev_s()));
      default:
        break;
    }
    (void)e;
    ++m_out.not_recovered["qi_submit descriptor with no trace record (type or granularity)"];
  }

  std::optional<tables::platform_description> platform() const {
    tables::platform_description p;
    tables::domain_desc d;
    d.id = *m_domain;
    d.superpages = false;  // unmaps may split a mapping: keep every leaf 4 KiB
    p.domains.push_back(d);
    tables::device_desc dev;
    dev.sid = *m_sid;
    dev.domain = *m_domain;
    p.devices.push_back(dev);
    p.enable_interrupt_remapping = false;
    return p;
  }

  std::string m_name;
  linux_import_options m_opt;
  import_result m_out;
  std::vector<linux_event> m_events;
  std::optional<uint16_t> m_domain, m_sid;
  std::optional<uint64_t> m_first;
  uint64_t m_time = 0;
  std::set<uint16_t> m_attached;
  mapping_shadow m_shadow;
};

}  // namespace

import_result import_linux_log(const std::string& path, const linux_import_options& options) {
  linux_importer imp(path, options);
  for_each_file_line(path, "Linux trace", [&](std::string_view l, uint64_t n) { imp.line(l, n); });
  return imp.finish();
}

import_result import_linux_text(std::string_view text, const std::string& name,
                                const linux_import_options& options) {
  linux_importer imp(name, options);
  for_each_text_line(text, [&](std::string_view l, uint64_t n) { imp.line(l, n); });
  return imp.finish();
}

}  // namespace vtd::traces::import
