// Timed replay through the SystemC shell (see header).
#include "apps/replay/timed/timed_replay.hpp"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <systemc>

#include "apps/replay/timed/interrupt_counter.hpp"
#include "apps/replay/timed/tlm_port.hpp"
#include "model/io/output_file.hpp"
#include "model/sysc/memory_target.hpp"
#include "model/sysc/remapping_unit_module.hpp"
#include "model/sysc/request_initiator.hpp"

namespace vtd::replay {

namespace {

// The VCD SystemC writes while the model runs. sc_create_vcd_trace_file takes a base name and writes
// BASE.vcd itself, so it cannot write into a vtd::io::output_file: it writes a private temporary instead (a
// unique name ending in .vcd, next to where the result goes, removed by SIGINT/SIGTERM/SIGHUP and by every
// failure), which is copied into the output file only once the whole replay has succeeded.
class vcd_output {
 public:
  explicit vcd_output(const std::string& path) : m_out(path) {
    // Next to the destination (same file system) when it is a regular file; a device or standard output has
    // no directory of its own to write into.
    const std::filesystem::path dir = m_out.seekable()
                                          ? std::filesystem::path(m_out.temporary()).parent_path()
                                          : std::filesystem::temp_directory_path();
    std::string name = (dir / ".vtdsim-vcd-XXXXXX.vcd").string();
    const int fd = io::create_temporary(name, 4, m_slot);
    if (fd < 0)
      throw io::output_error(
          fmt::format("{}: cannot create a temporary in {}: {}", path, dir.string(), std::strerror(errno)));
    ::close(fd);
    m_tmp = name;
  }
  ~vcd_output() { remove_temporary(); }
  vcd_output(const vcd_output&) = delete;
  vcd_output& operator=(const vcd_output&) = delete;

  // The name to give sc_create_vcd_trace_file (it appends ".vcd").
  std::string base() const { return m_tmp.substr(0, m_tmp.size() - 4); }

  // After a successful run and sc_close_vcd_trace_file: the temporary becomes the user's file.
  void commit() {
    std::FILE* in = std::fopen(m_tmp.c_str(), "rb");
    if (!in) throw io::output_error(fmt::format("{}: the VCD written by SystemC is missing", m_out.path()));
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(in, &std::fclose);
    std::array<char, 1 << 16> buf;
    for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), in)) > 0;) m_out.write({buf.data(), n});
    if (std::ferror(in))
      throw io::output_error(fmt::format("{}: cannot read the VCD written by SystemC", m_out.path()));
    m_out.commit();
    remove_temporary();
  }

 private:
  void remove_temporary() noexcept {
    if (m_tmp.empty()) return;
    ::unlink(m_tmp.c_str());
    io::forget_on_signal(m_slot);
    m_tmp.clear();
  }

  io::output_file m_out;  // validates the destination before the replay runs
  std::string m_tmp;
  int m_slot = -1;
};

}  // namespace

timed_summary run_timed(replay_engine& engine, core::iommu& unit, const timing::timing_params& params,
                        const record_blocks& next_block, const timed_options& options) {
  // SystemC's informational reports (timescale notes and the like) would mix into the tool's output.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  std::optional<vcd_output> vcd_file;
  if (!options.vcd_path.empty()) vcd_file.emplace(options.vcd_path);

  const sc_core::sc_time quantum(static_cast<double>(params.quantum_ps ? params.quantum_ps : 1),
                                 sc_core::SC_PS);
  auto iommu = std::make_unique<sysc::remapping_unit_module>("iommu", unit.unit(), params);
  const bool closed = options.device && options.device->issue == issue_mode::closed;
  // Open loop: the lump round trip of the DMA (link and memory). Closed loop: memory only; the device's
  // link model adds the wire.
  const double access_ns = closed ? options.device->memory_ns : params.dma_access_ns;
  auto memory = std::make_unique<sysc::memory_target>("memory", sc_core::sc_time(access_ns, sc_core::SC_NS));
  // Driven from this function's loop, not from a SystemC thread: see request_initiator (exceptions).
  auto port = std::make_unique<sysc::request_initiator>("root_port", quantum, /*own_thread=*/false);
  auto apic = std::make_unique<interrupt_counter>("apic");
  port->socket.bind(iommu->upstream);
  iommu->downstream.bind(memory->socket);
  iommu->irq_out.bind(*apic);

  sc_core::sc_signal<unsigned> walkers_busy("walkers_busy"), walker_queue("walker_queue");
  sc_core::sc_trace_file* vcd = nullptr;
  if (vcd_file) {
    vcd = sc_core::sc_create_vcd_trace_file(vcd_file->base().c_str());
    vcd->set_time_unit(1, sc_core::SC_PS);  // explicit, so SystemC does not print a note about its default
    sc_core::sc_trace(vcd, walkers_busy, "walkers_busy");
    sc_core::sc_trace(vcd, walker_queue, "walker_queue");
  }

  // The engine's requests go through the SystemC shell for as long as the simulation runs.
  tlm_port transport(*port, *iommu);
  struct restore_port {
    replay_engine& engine;
    ~restore_port() { engine.use_port(nullptr); }
  } restore{engine};
  engine.use_port(&transport);

  // Elaboration (end_of_elaboration binds multi-sockets' callbacks) before the first request is issued.
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  uint64_t pulled = 0;
  uint64_t ignored = 0;
  uint64_t& counted = options.pulled ? *options.pulled : ignored;
  port->on_sync = [&](uint64_t now_ps) {
    const unsigned busy = iommu->latency().walkers_busy(now_ps);
    const unsigned queued = iommu->latency().walker_queue_depth(now_ps);
    if (options.epochs)
      std::fprintf(options.epochs, "%.3f,%llu,%u,%u\n", double(now_ps) / 1000.0,
                   static_cast<unsigned long long>(pulled), busy, queued);
    if (vcd) {
      walkers_busy.write(busy);
      walker_queue.write(queued);
    }
    if (options.on_progress) options.on_progress(pulled);
  };
  // Each record at its trace time, driver records included; the kernel runs once per quantum. An exception
  // (a bad record) leaves from here, on this stack: vcd_file's destructor then removes the VCD.
  std::map<uint16_t, closed_device_stats> devices;
  if (closed) {
    // Records reach the engine in the order they reach the unit, not the order they are read.
    closed_loop loop(
        engine, transport, *options.device, options.warmup, [&](picoseconds t) { port->advance_to(t); },
        options.per_device);
    std::span<const traces::record> block;
    size_t at = 0;
    loop.run(
        [&](traces::record& r) {
          if (at == block.size()) {
            block = next_block();
            at = 0;
            if (block.empty()) return false;
          }
          r = block[at++];
          ++pulled;
          ++counted;
          return true;
        },
        [&] {
          if (port->need_sync()) port->sync_kernel();
        });
    devices = loop.devices();
  } else {
    // The counts of records taken are brought up to date where someone reads them (a quantum boundary's
    // on_sync, the end of a block, an exception: the record that failed counts as taken), not per record.
    uint64_t taken = 0;  // records of the blocks before this one
    for (std::span<const traces::record> block; !(block = next_block()).empty();) {
      size_t i = 0;
      try {
        for (; i < block.size(); ++i) {
          port->advance_to(block[i].time_ps);
          engine.submit(block[i]);
          if (port->need_sync()) {
            pulled = taken + i + 1;
            port->sync_kernel();
          }
        }
      } catch (...) {
        counted += i + 1;
        throw;
      }
      taken += block.size();
      pulled = taken;
      counted += block.size();
    }
  }
  port->sync_kernel();
  if (vcd) {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // the last samples' signal updates reach the VCD
    sc_core::sc_close_vcd_trace_file(vcd);
  }
  // A replay whose warmup swallowed every request fails as a whole when its statistics are asked for
  // (replay_engine::report): it writes no VCD either. The error is left to report() so that it is not
  // mistaken for a fault of the trace's last record.
  if (vcd_file && engine.measured()) vcd_file->commit();
  timed_summary summary;
  summary.interrupts_remapped = apic->remapped();
  summary.notifications = apic->notifications();
  summary.devices = std::move(devices);
  return summary;
}

}  // namespace vtd::replay
