// The QEMU log importer. QEMU logs what the guest programmed (root/IRT pointers, enables, invalidations) and
// what each translation returned, but not the guest's page tables: the mappings are inferred from successful
// translations (the IOTLB event before each vtd_dmar_translate carries the source-id, the full address, the
// leaf entry with its R/W bits and the domain) and dropped when an invalidation covers them, so that replay
// walks tables that give the same answers. docs/trace-import.md, "QEMU", lists the rules and their limits.
#include "traces/import/qemu_import.hpp"

#include <fmt/format.h>

#include <bit>
#include <map>
#include <optional>
#include <set>

#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/sl_entry.hpp"
#include "traces/import/event_args.hpp"
#include "traces/import/line_source.hpp"
#include "traces/import/mapping_shadow.hpp"
#include "traces/import/qemu_events.hpp"

namespace vtd::traces::import {

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMsiBase = 0xfee00000;  // QEMU's trace gives the offset in the interrupt window
constexpr uint32_t kDmaBytes = 4;          // the log does not carry the access size: one DWORD per request

// The "PID@SECONDS.USEC:" prefix of the log backend, when present: the time in picoseconds.
std::optional<uint64_t> take_prefix(std::string_view& line) {
  const std::size_t at = line.find('@');
  const std::size_t colon = line.find(':');
  const std::size_t space = line.find(' ');
  if (at == std::string_view::npos || colon == std::string_view::npos || at > colon || colon > space)
    return std::nullopt;
  const std::string_view stamp = line.substr(at + 1, colon - at - 1);
  const std::size_t dot = stamp.find('.');
  if (!parse_number(line.substr(0, at)) || dot == std::string_view::npos) return std::nullopt;
  const auto sec = parse_number(stamp.substr(0, dot)), usec = parse_number(stamp.substr(dot + 1));
  if (!sec || !usec) return std::nullopt;
  line.remove_prefix(colon + 1);
  return (*sec * 1000000 + *usec) * 1000000;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

struct pending_iotlb {
  uint64_t addr = 0, slpte = 0;
  uint16_t domain = 0;
};

class qemu_importer {
 public:
  explicit qemu_importer(std::string name) : m_name(std::move(name)) {}

  void line(std::string_view text, uint64_t number) {
    ++m_out.lines;
    m_line = number;
    const std::size_t prefix_len = text.size();
    const auto t = take_prefix(text);
    const std::size_t column0 = prefix_len - text.size();
    if (t)
      m_time = std::max(m_time, *t);
    else
      m_time += 1000;  // no time stamps: 1 ns apart, in log order
    if (text.empty() || text.find_first_not_of(" \t") == std::string_view::npos) return;
    std::size_t end = 0;
    while (end < text.size() && is_name_char(text[end])) ++end;
    if (end == 0 || (end < text.size() && text[end] != ' '))
      fail(column0 + end + 1, "expected an event name followed by a space (QEMU's log backend format)");
    const std::string_view name = text.substr(0, end);
    const std::string_view args = end < text.size() ? text.substr(end + 1) : std::string_view{};
    const qemu_event_info* ev = find_qemu_event(name);
    if (!ev) {
      ++m_out.unknown_events[std::string(name)];
      return;
    }
    ++m_out.events[std::string(name)];
    m_n.clear();
    m_words.clear();
    if (!ev->format.empty())
      if (auto bad = match_args(args, ev->format, m_n, m_words))
        fail(column0 + end + 1 + bad->column, fmt::format("{}: {}", name, bad->message));
    handle(ev->kind);
  }

  import_result finish() {
    m_out.platform = platform();
    return std::move(m_out);
  }

 private:
  [[noreturn]] void fail(std::size_t column, const std::string& message) const {
    throw import_error(fmt::format("{}:{}:{}: {}", m_name, m_line, column, message));
  }

  void emit(const record& r) { m_out.records.push_back(r); }
  void not_recovered(const char* reason) { ++m_out.not_recovered[reason]; }
  void synthesized(const char* reason, const record& r) {
    ++m_out.synthesized[reason];
    emit(r);
  }
  // Invalidations from a descriptor are queued; the event that says so (vtd_inv_desc) comes just before.
  bool take_queued() {
    const bool q = m_next_queued;
    m_next_queued = false;
    return q;
  }

  void handle(qemu_event kind) {
    switch (kind) {
      case qemu_event::reg_dmar_root:
        m_root_seen = true;
        m_scalable = m_n[1] != 0;
        break;
      case qemu_event::reg_ir_root:
        m_ir_entries = m_n[1];
        break;
      case qemu_event::dmar_enable:
        m_dmar = m_n[0] != 0;
        m_dmar_ever |= m_dmar;
        break;
      case qemu_event::ir_enable:
        m_ir_ever |= m_n[0] != 0;
        break;
      case qemu_event::qi_enable:
        m_qi_ever |= m_n[0] != 0;
        break;
      case qemu_event::inv_desc:
        m_next_queued = true;
        break;
      case qemu_event::cc_global:
        emit(make_cc_inval(m_time, granularity::global, 0, 0, 0, take_queued()));
        break;
      case qemu_event::cc_domain:
        emit(make_cc_inval(m_time, granularity::domain, uint16_t(m_n[0]), 0, 0, take_queued()));
        break;
      case qemu_event::cc_devices:
        emit(make_cc_inval(m_time, granularity::device, 0, uint16_t(m_n[0]), uint8_t(m_n[1] & 3),
                           take_queued()));
        break;
      case qemu_event::iotlb_global:
        for (const auto& [dom, maps] : m_shadow.all()) drop(dom, 0, ~uint64_t{0});
        emit(make_iotlb_inval(m_time, granularity::global, 0, 0, 0, false, take_queued()));
        break;
      case qemu_event::iotlb_domain:
        drop(uint16_t(m_n[0]), 0, ~uint64_t{0});
        emit(make_iotlb_inval(m_time, granularity::domain, uint16_t(m_n[0]), 0, 0, false, take_queued()));
        break;
      case qemu_event::iotlb_pages: {
        const uint16_t dom = uint16_t(m_n[0]);
        const unsigned am = unsigned(m_n[2] & 0x3f);
        const uint64_t size = kPage << am, base = m_n[1] & ~(size - 1);
        drop(dom, base, size);
        emit(make_iotlb_inval(m_time, granularity::page, dom, base, uint8_t(am), false, take_queued()));
        break;
      }
      case qemu_event::iotlb_pasid:
        drop(uint16_t(m_n[0]), 0, ~uint64_t{0});
        take_queued();
        emit(make_piotlb_inval(m_time, granularity::pasid, uint16_t(m_n[0]), uint32_t(m_n[1]), 0, 0, false));
        break;
      case qemu_event::iotlb_pasid_pages: {
        const uint16_t dom = uint16_t(m_n[0]);
        const unsigned am = unsigned(m_n[2] & 0x3f);
        const uint64_t size = kPage << am, base = m_n[1] & ~(size - 1);
        drop(dom, base, size);
        take_queued();
        emit(make_piotlb_inval(m_time, granularity::page_in_pasid, dom, uint32_t(m_n[3]), base, uint8_t(am),
                               false));
        break;
      }
      case qemu_event::pasid_cache_gsi:
        take_queued();
        emit(make_pc_inval(m_time, granularity::global, 0, 0));
        break;
      case qemu_event::pasid_cache_dsi:
        take_queued();
        emit(make_pc_inval(m_time, granularity::domain, uint16_t(m_n[0]), 0));
        break;
      case qemu_event::pasid_cache_psi:
        take_queued();
        emit(make_pc_inval(m_time, granularity::pasid, uint16_t(m_n[0]), uint32_t(m_n[1])));
        break;
      case qemu_event::wait_sw:
        emit(make_inv_wait(m_time, m_n[0], uint32_t(m_n[1]), false, true, false, take_queued()));
        break;
      case qemu_event::wait_irq:
        emit(make_inv_wait(m_time, 0, 0, true, false, false, take_queued()));
        break;
      case qemu_event::iec:
        // QEMU prints G as the descriptor's bit 4: 0 global, 1 index-selective.
        emit(make_iec_inval(m_time, m_n[0] ? granularity::index : granularity::global,
                            m_n[0] ? uint16_t(m_n[1]) : 0, m_n[0] ? uint8_t(m_n[2]) : 0, take_queued()));
        break;
      case qemu_event::iotlb_page_hit:
      case qemu_event::iotlb_page_update:
        m_iotlb[uint16_t(m_n[0])] = pending_iotlb{m_n[1], m_n[2], uint16_t(m_n[3])};
        m_domains.insert(uint16_t(m_n[3]));
        break;
      case qemu_event::cc_update:
        context_seen(m_n[2], m_n[3]);
        break;
      case qemu_event::translate_pt:
        m_pt.insert(uint16_t(m_n[0]));
        break;
      case qemu_event::dmar_translate:
        translated(make_sid(unsigned(m_n[0]), unsigned(m_n[1]), unsigned(m_n[2])), m_n[3], m_n[4], m_n[5]);
        break;
      case qemu_event::dmar_fault:
        faulted(uint16_t(m_n[0]), uint8_t(m_n[1]), m_n[2], m_n[3] != 0);
        break;
      case qemu_event::ir_remap_msi_req:
        m_msi = std::pair{kMsiBase + m_n[0], m_n[1]};
        m_msi_sid.reset();
        break;
      case qemu_event::ir_irte_get:
        irte_seen(uint32_t(m_n[0]), m_n[1], m_n[2]);
        break;
      case qemu_event::ir_remap_msi:
        interrupt();
        break;
      case qemu_event::counted:
        break;
    }
  }

  // A legacy context entry gives the domain's address width (AW); a scalable-mode one has neither.
  void context_seen(uint64_t hi, uint64_t lo) {
    if (m_scalable) return;
    const spec::context_entry ce{lo, hi};
    m_domain_aw[ce.did()] = ce.aw();
  }

  // Removes the mappings of `domain` overlapping [base, base + size): an invalidation covers them.
  void drop(uint16_t domain, uint64_t base, uint64_t size) {
    const uint64_t len = size == ~uint64_t{0} ? ~uint64_t{0} - base : size;
    for (const auto& [iova, m] : m_shadow.overlapping(domain, base, len)) {
      emit(make_unmap(m_time, domain, iova, m.size));
      m_shadow.remove(domain, iova);
    }
  }

  bool queued_now() const { return m_qi_ever; }

  void ensure_attached(uint16_t sid, uint16_t domain) {
    auto it = m_attached.find(sid);
    if (it != m_attached.end() && it->second == domain) return;
    if (it != m_attached.end()) {
      emit(make_detach(m_time, sid, it->second));
      emit(make_attach(m_time, sid, domain));
      synthesized("cc-inval device after a device changed domain",
                  make_cc_inval(m_time, granularity::device, 0, sid, 0, queued_now()));
      synthesized("iotlb-inval domain after a device changed domain",
                  make_iotlb_inval(m_time, granularity::domain, it->second, 0, 0, false, queued_now()));
    } else {
      emit(make_attach(m_time, sid, domain));
    }
    m_attached[sid] = domain;
  }

  void ensure_mapped(uint16_t domain, uint64_t iova, uint64_t size, uint64_t hpa, bool r, bool w) {
    const auto over = m_shadow.overlapping(domain, iova, size);
    if (over.size() == 1 && over[0].first == iova && over[0].second.size == size &&
        over[0].second.hpa == hpa && over[0].second.read == r && over[0].second.write == w)
      return;
    for (const auto& [o_iova, o] : over) {
      emit(make_unmap(m_time, domain, o_iova, o.size));
      m_shadow.remove(domain, o_iova);
    }
    emit(make_map(m_time, domain, iova, hpa, size, r, w));
    m_shadow.add(domain, iova, shadow_mapping{size, hpa, r, w});
    m_max_hpa = std::max(m_max_hpa, hpa + size);
    if (!over.empty())
      synthesized("iotlb-inval domain after a mapping changed with no invalidation in the log",
                  make_iotlb_inval(m_time, granularity::domain, domain, 0, 0, false, queued_now()));
  }

  void translated(uint16_t sid, uint64_t iova, uint64_t gpa, uint64_t mask) {
    const auto pending = m_iotlb.find(sid);
    std::optional<pending_iotlb> p;
    if (pending != m_iotlb.end()) {
      p = pending->second;
      m_iotlb.erase(pending);
    }
    const bool pt = m_pt.erase(sid) > 0;
    if (!m_dmar) return not_recovered("translation while DMA remapping was off (identity, not replayed)");
    if (mask == 0 || !std::has_single_bit(mask + 1))
      return not_recovered("translation with a mask that is not a page size");
    if (pt) {
      if (m_scalable || m_attached.count(sid))
        return not_recovered("pass-through translation of a device also seen translating");
      m_passthrough.insert(sid);
      add_dma(sid, iova, false, true, iova);
      return;
    }
    if (!p || (p->addr & ~mask) != iova)
      return not_recovered("translation without its IOTLB event (domain unknown)");
    const spec::sl_entry leaf{p->slpte};
    ensure_attached(sid, p->domain);
    ensure_mapped(p->domain, iova, mask + 1, gpa, leaf.r(), leaf.w());
    const uint64_t a = p->addr & ~uint64_t{kDmaBytes - 1};
    add_dma(sid, a, !leaf.r(), true, gpa + (a & mask));
  }

  void add_dma(uint16_t sid, uint64_t addr, bool write, bool ok, uint64_t hpa, uint8_t fault = 0) {
    m_out.translations.push_back(logged_translation{m_out.records.size(), m_line, ok, hpa, fault});
    emit(make_dma(m_time, sid, write ? dma_op::write : dma_op::read, addr & ~uint64_t{kDmaBytes - 1},
                  kDmaBytes));
  }

  void faulted(uint16_t sid, uint8_t reason, uint64_t addr, bool write) {
    m_iotlb.erase(sid);
    m_pt.erase(sid);
    if (auto it = m_attached.find(sid); it != m_attached.end()) {
      const uint16_t dom = it->second;
      // A page the importer mapped with the right that was refused was unmapped in the guest: drop it.
      // One mapped without that right explains the fault (legacy mode has one code for both, 5h/6h).
      const auto over = m_shadow.overlapping(dom, addr & ~(kPage - 1), kPage);
      if (!over.empty() && (write ? over[0].second.write : over[0].second.read)) {
        drop(dom, addr & ~(kPage - 1), kPage);
        synthesized("iotlb-inval domain after a fault on a page inferred as mapped",
                    make_iotlb_inval(m_time, granularity::domain, dom, 0, 0, false, queued_now()));
      }
    }
    add_dma(sid, addr, write, false, 0, reason);
  }

  void irte_seen(uint32_t index, uint64_t lo, uint64_t hi) {
    const spec::irte e{lo, hi};
    if (e.svt() == spec::source_validation::requester_id) m_msi_sid = e.sid();
    if (!e.present() || e.posted()) return;
    tables::irte_desc d;
    d.index = index;
    d.vector = e.vector();
    d.destination = e.destination(false);
    d.delivery_mode = e.dlm();
    d.level = e.tm();
    d.logical = e.dm();
    d.redirection_hint = e.rh();
    d.fpd = e.fpd();
    d.svt = e.svt();
    d.sid = e.sid();
    d.sq = e.sq();
    m_irtes[index] = d;  // the last value the log showed
  }

  void interrupt() {
    if (!m_msi) return;
    const auto [addr, data] = *m_msi;
    m_msi.reset();
    if (!m_msi_sid)
      return not_recovered("interrupt request whose source-id is unknown (no IRTE with SVT=01b)");
    emit(make_msi(m_time, *m_msi_sid, addr, uint32_t(data)));
  }

  std::optional<tables::platform_description> platform() const {
    if (!m_root_seen) return std::nullopt;
    tables::platform_description p;
    p.mode = m_scalable ? tables::platform_mode::scalable : tables::platform_mode::legacy;
    p.preset = m_scalable ? "qemu-sm" : "qemu";
    // QEMU's default aw-bits is 39: guest memory lies below 2^39. The builders' table region goes at its
    // top, above any guest RAM a mapping can point to.
    const unsigned haw = m_max_hpa <= (uint64_t{1} << 39) - (uint64_t{512} << 20) ? 39 : 48;
    p.haw = haw;
    p.memory_size = uint64_t{1} << haw;
    p.table_size = uint64_t{256} << 20;
    p.table_base = (uint64_t{1} << haw) - p.table_size;
    p.enable_translation = true;
    p.enable_qi = m_qi_ever;
    p.enable_interrupt_remapping = m_ir_ever && !m_irtes.empty();
    for (uint16_t id : m_domains) {
      tables::domain_desc d;
      d.id = id;
      auto aw = m_domain_aw.find(id);
      d.address_width = aw != m_domain_aw.end() ? spec::aw_to_agaw(aw->second) : 39;
      p.domains.push_back(d);
    }
    for (uint16_t sid : m_passthrough) {
      tables::device_desc d;
      d.sid = sid;
      d.tt = spec::translation_type::pass_through;
      p.devices.push_back(d);
    }
    if (p.enable_interrupt_remapping) {
      p.has_interrupts = true;
      p.ir_entries_log2 = m_ir_entries > 1 ? unsigned(std::bit_width(m_ir_entries - 1)) : 1;
      for (const auto& [i, d] : m_irtes) p.interrupts.push_back(d);
    }
    return p;
  }

  std::string m_name;
  import_result m_out;
  uint64_t m_line = 0, m_time = 0;
  std::vector<uint64_t> m_n;
  std::vector<std::string> m_words;
  bool m_root_seen = false, m_scalable = false, m_dmar = false, m_dmar_ever = false, m_ir_ever = false,
       m_qi_ever = false, m_next_queued = false;
  uint64_t m_ir_entries = 0, m_max_hpa = 0;
  std::map<uint16_t, pending_iotlb> m_iotlb;  // by source-id: the IOTLB event of the translation under way
  std::set<uint16_t> m_pt;                    // source-ids whose translation under way is pass-through
  std::map<uint16_t, uint16_t> m_attached;    // source-id -> domain, as written
  std::set<uint16_t> m_domains, m_passthrough;
  std::map<uint16_t, unsigned> m_domain_aw;
  mapping_shadow m_shadow;
  std::optional<std::pair<uint64_t, uint64_t>> m_msi;
  std::optional<uint16_t> m_msi_sid;
  std::map<uint32_t, tables::irte_desc> m_irtes;
};

}  // namespace

import_result import_qemu_log(const std::string& path) {
  qemu_importer imp(path);
  for_each_file_line(path, "QEMU trace log", [&](std::string_view l, uint64_t n) { imp.line(l, n); });
  return imp.finish();
}

import_result import_qemu_text(std::string_view text, const std::string& name) {
  qemu_importer imp(name);
  for_each_text_line(text, [&](std::string_view l, uint64_t n) { imp.line(l, n); });
  return imp.finish();
}

}  // namespace vtd::traces::import
