// Replay on several remapping units (see header).
#include "apps/vtdsim/units_replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "traces/record_kinds.hpp"

namespace vtdsim::app {

using vtd::replay::unit_mask;

struct units_replay::unit {
  std::string name;
  replay_system sys;
  std::unique_ptr<vtd::replay::replay_engine> engine;
  std::FILE* csv = nullptr;  // per-request lines (a temporary file), when asked for
  ~unit() {
    if (csv) std::fclose(csv);
  }
};

units_replay::units_replay(const vtd::tables::platform_units& platform, const std::string& platform_path,
                           const vtd::replay::sim_config& config, const units_replay_options& options)
    : m_options(options) {
  std::vector<const vtd::tables::platform_description*> descs;
  for (const auto& u : platform.units) descs.push_back(&u.platform);
  check_device_keys(descs, config);
  auto scopes = std::make_shared<std::vector<vtd::replay::unit_scope>>();
  for (const auto& u : platform.units) {
    vtd::replay::unit_scope scope;
    scope.name = u.name;
    scope.include_all = u.include_all;
    for (const auto& d : u.platform.devices) scope.sids.push_back(d.sid);
    for (const auto& d : u.platform.domains) scope.domains.push_back(d.id);
    scopes->push_back(std::move(scope));
  }
  vtd::replay::replay_options ro;
  ro.check_stale = options.check_stale;
  ro.warmup = options.warmup;  // the whole trace's requests: every engine counts every record
  ro.units = scopes;
  for (size_t i = 0; i < platform.units.size(); ++i) {
    const vtd::tables::unit_desc& u = platform.units[i];
    auto one = std::make_unique<unit>();
    one->name = u.name;
    // Errors of building a unit's tables name the unit: "FILE: units[1]: devices[0]: ...".
    one->sys =
        make_unit_system(load_platform(u.platform, fmt::format("{}: units[{}]", platform_path, i)), config);
    vtd::replay::replay_options mine = ro;
    mine.unit_index = i;
    if (options.per_request) {
      one->csv = std::tmpfile();
      if (!one->csv)
        throw std::runtime_error(fmt::format("cannot create a temporary file: {}", std::strerror(errno)));
      mine.per_request_csv = one->csv;
    }
    one->engine = std::make_unique<vtd::replay::replay_engine>(*one->sys.unit, *one->sys.driver, mine);
    one->engine->use_ats(one->sys.ats.get());
    std::map<uint16_t, std::string> names;
    for (const auto& d : u.platform.devices)
      if (!d.name.empty()) names[d.sid] = d.name;
    one->engine->set_device_names(std::move(names));
    m_units.push_back(std::move(one));
  }
}

units_replay::~units_replay() = default;

const std::string& units_replay::name(size_t i) const {
  return m_units[i]->name;
}
const vtd::replay::replay_engine& units_replay::engine(size_t i) const {
  return *m_units[i]->engine;
}

namespace {

// The first error in trace order over every thread: each thread stops once it is past the earliest error
// seen so far, so the error a sequential run would report is always found.
struct first_error {
  std::atomic<uint64_t> index{std::numeric_limits<uint64_t>::max()};
  std::mutex lock;
  std::string message;
  void report(uint64_t at, std::string msg) {
    std::lock_guard<std::mutex> g(lock);
    if (at < index.load()) {
      index.store(at);
      message = std::move(msg);
    }
  }
};

}  // namespace

void units_replay::run(trace_source& trace, const std::string& trace_path,
                       const std::function<void(uint64_t)>& progress) {
  m_trace_path = trace_path;
  const bool stream = trace_path == "-";  // read once: every unit on this thread
  const unsigned threads =
      stream ? 1u : std::clamp<unsigned>(m_options.threads, 1u, static_cast<unsigned>(m_units.size()));
  m_threads_used = threads;
  first_error error;

  // One thread's replay: reads the whole trace, routes every record, submits those of its units (unit i
  // belongs to thread i mod threads).
  auto work = [&](unsigned t, trace_source& src, const std::function<void(uint64_t)>* show) {
    std::vector<vtd::replay::replay_engine*> mine;
    for (size_t i = t; i < m_units.size(); i += threads) mine.push_back(m_units[i]->engine.get());
    uint64_t index = 0;
    try {
      for (std::span<const vtd::traces::record> block; !(block = src.next_block()).empty();) {
        if (index > error.index.load(std::memory_order_relaxed)) return;
        for (const vtd::traces::record& r : block) {
          try {
            for (vtd::replay::replay_engine* e : mine) e->submit(r);
          } catch (const std::exception& e) {
            error.report(index, fmt::format("{}: record {}: {}", trace_path, index, e.what()));
            return;
          }
          ++index;
        }
        if (show) (*show)(index);
      }
    } catch (const std::exception& e) {
      error.report(index, e.what());  // the reader names the position itself
    }
  };

  std::vector<std::thread> pool;
  std::vector<trace_source> sources;
  sources.reserve(threads);
  try {
    // The calling thread's reader computes the trace's fingerprint; the others need not.
    for (unsigned t = 1; t < threads; ++t) sources.push_back(open_trace(trace_path, false));
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what());
  }
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t, std::ref(sources[t - 1]), nullptr);
  work(0, trace, &progress);
  for (auto& th : pool) th.join();
  if (error.index.load() != std::numeric_limits<uint64_t>::max()) throw std::runtime_error(error.message);
  // Every engine counted every record and request of the trace.
  m_records = m_units.front()->engine->records();
  m_requests = m_units.front()->engine->requests();
}

vtd::replay::stats_report units_replay::report(double wall_seconds) {
  std::vector<vtd::replay::stats_report> parts;
  for (const auto& u : m_units) parts.push_back(u->engine->report(wall_seconds, false));
  std::vector<const vtd::replay::stats_report*> ptrs;
  for (const auto& p : parts) ptrs.push_back(&p);
  vtd::replay::stats_report total = vtd::replay::merge_reports(ptrs);
  // Every unit counted the whole trace (sim.records, sim.warmup_requests, sim.trace_span_ns are the same in
  // each: merged as maxima); the host time is the whole run's.
  const double requests = total.find("iommu_requests") ? total.find("iommu_requests")->value : 0.0;
  total.set("sim.wall_seconds", wall_seconds);
  total.set("sim.requests_per_second", wall_seconds > 0 ? requests / wall_seconds : 0.0);
  total.add("sim.units", double(m_units.size()), "count", "remapping units (DRHDs) of the platform");
  for (size_t i = 0; i < m_units.size(); ++i)
    total.add_prefixed("unit." + m_units[i]->name + ".", parts[i],
                       [](const std::string& n) { return n.rfind("sim.", 0) != 0; });
  return total;
}

std::vector<vtd::replay::stale_event> units_replay::stale_events(size_t limit) const {
  std::vector<vtd::replay::stale_event> all;
  for (const auto& u : m_units)
    all.insert(all.end(), u->engine->stale_events().begin(), u->engine->stale_events().end());
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.record_index < b.record_index; });
  if (all.size() > limit) all.resize(limit);
  return all;
}

uint64_t units_replay::stale_count() const {
  uint64_t n = 0;
  for (const auto& u : m_units) n += u->engine->stale_count();
  return n;
}

void units_replay::write_per_request(std::FILE* out) const {
  // Each unit's lines are in trace order and a request goes to one unit: a merge by the first field (the
  // record index) gives the lines of a one-unit replay's order.
  struct cursor {
    std::FILE* f;
    std::string line;
    uint64_t index = 0;
    bool next() {
      line.clear();
      for (int c; (c = std::fgetc(f)) != EOF;) {
        line.push_back(static_cast<char>(c));
        if (c == '\n') break;
      }
      if (line.empty()) return false;
      index = std::strtoull(line.c_str(), nullptr, 10);
      return true;
    }
  };
  std::vector<cursor> cs;
  for (const auto& u : m_units)
    if (u->csv) {
      std::fflush(u->csv);
      std::rewind(u->csv);
      cursor c{u->csv, {}, 0};
      if (c.next()) cs.push_back(std::move(c));
    }
  while (!cs.empty()) {
    auto it = std::min_element(cs.begin(), cs.end(),
                               [](const cursor& a, const cursor& b) { return a.index < b.index; });
    std::fputs(it->line.c_str(), out);
    if (!it->next()) cs.erase(it);
  }
}

}  // namespace vtdsim::app
