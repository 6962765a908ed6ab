// Timed replay through the SystemC shell (see header).
#include "apps/replay/timed/timed_replay.hpp"

#include <memory>
#include <systemc>

#include "model/sysc/memory_target.hpp"
#include "model/sysc/remapping_unit_module.hpp"
#include "model/sysc/request_initiator.hpp"

namespace vtd::replay {

namespace {

sysc::upstream_request to_upstream(const traces::record& r) {
  sysc::upstream_request u;
  u.time_ps = r.time_ps;
  u.source_id = r.id;
  u.address = r.addr;
  switch (r.kind) {
    case traces::record_kind::dma:
      u.what = sysc::upstream_request::kind::dma;
      u.length = r.length;
      u.write = r.op() == traces::dma_op::write;
      u.atomic = r.op() == traces::dma_op::atomic;
      u.at = static_cast<core::address_type>(r.at());
      u.has_pasid = r.has_pasid();
      u.pasid = static_cast<uint32_t>(r.value);
      break;
    case traces::record_kind::msi:
      u.what = sysc::upstream_request::kind::msi;
      u.msi_data = static_cast<uint32_t>(r.value);
      break;
    default:
      u.what = sysc::upstream_request::kind::other;
  }
  return u;
}

bool is_invalidation(traces::record_kind k) {
  return k == traces::record_kind::cc_inval || k == traces::record_kind::iotlb_inval ||
         k == traces::record_kind::iec_inval || k == traces::record_kind::devtlb_inval ||
         k == traces::record_kind::inv_wait;
}

}  // namespace

void run_timed(replay_engine& engine, core::iommu& unit, const timing::timing_params& params,
               const std::function<bool(traces::record&)>& next, const timed_options& options) {
  // SystemC's informational reports (timescale notes and the like) would mix into the tool's output.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  const sc_core::sc_time quantum(static_cast<double>(params.quantum_ps ? params.quantum_ps : 1),
                                 sc_core::SC_PS);
  auto iommu = std::make_unique<sysc::remapping_unit_module>("iommu", unit.unit(), params);
  auto memory =
      std::make_unique<sysc::memory_target>("memory", sc_core::sc_time(params.dma_access_ns, sc_core::SC_NS));
  auto port = std::make_unique<sysc::request_initiator>("root_port", quantum);
  port->socket.bind(iommu->upstream);
  iommu->downstream.bind(memory->socket);

  sc_core::sc_signal<unsigned> walkers_busy("walkers_busy"), walker_queue("walker_queue");
  sc_core::sc_trace_file* vcd = nullptr;
  if (!options.vcd_path.empty()) {
    std::string base = options.vcd_path;
    if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base.resize(base.size() - 4);
    vcd = sc_core::sc_create_vcd_trace_file(base.c_str());
    vcd->set_time_unit(1, sc_core::SC_PS);  // explicit, so SystemC does not print a note about its default
    sc_core::sc_trace(vcd, walkers_busy, "walkers_busy");
    sc_core::sc_trace(vcd, walker_queue, "walker_queue");
  }

  traces::record current;
  uint64_t pulled = 0;
  port->next = [&](sysc::upstream_request& u) {
    if (!next(current)) return false;
    ++pulled;
    u = to_upstream(current);
    return true;
  };
  port->on_other = [&](const sysc::upstream_request&, uint64_t now_ps) {
    engine.apply(current, nullptr);
    if (is_invalidation(current.kind)) {
      // Only context-cache and IOTLB invalidations have a register interface; the rest are always queued.
      const bool queued = current.queued() || (current.kind != traces::record_kind::cc_inval &&
                                               current.kind != traces::record_kind::iotlb_inval);
      const bool wait = current.kind == traces::record_kind::inv_wait;
      uint64_t done = iommu->latency().price_invalidation(now_ps, wait ? 0 : 1, queued, wait);
      engine.record_invalidation_time(done > now_ps ? done - now_ps : 0);
    }
  };
  port->on_complete = [&](const sysc::upstream_request&, const sysc::request_extension& ext) {
    engine.note_record(current);
    engine.begin_request(current);
    request_outcome out;
    if (ext.status == core::dma_status::interrupt || current.kind == traces::record_kind::msi)
      out = engine.observe_msi(current, ext.interrupt, &iommu->last_walk());
    else
      out = engine.observe_dma(current, replay_engine::to_request(current), ext.translation,
                               &iommu->last_walk());
    engine.record_latency(current, out, ext.timing);
  };
  port->on_sync = [&](uint64_t now_ps) {
    const unsigned busy = iommu->latency().walkers_busy(now_ps);
    const unsigned queued = iommu->latency().walker_queue_depth(now_ps);
    engine.sample_walkers(busy, queued);
    if (options.epochs)
      std::fprintf(options.epochs, "%.3f,%llu,%u,%u\n", double(now_ps) / 1000.0,
                   static_cast<unsigned long long>(pulled), busy, queued);
    if (vcd) {
      walkers_busy.write(busy);
      walker_queue.write(queued);
    }
    if (options.on_progress) options.on_progress(pulled);
  };
  sc_core::sc_start();
  if (vcd) sc_core::sc_close_vcd_trace_file(vcd);
  if (port->failure()) std::rethrow_exception(port->failure());
}

}  // namespace vtd::replay
