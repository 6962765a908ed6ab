// Replay on several remapping units (see header).
#include "apps/vtdsim/units_replay.hpp"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "apps/replay/block_ring.hpp"
#include "apps/replay/timed/timed_replay.hpp"
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
  const unsigned threads = std::clamp<unsigned>(m_options.threads, 1u, static_cast<unsigned>(m_units.size()));
  first_error error;
  // Applies one record to `engines` (every engine counts every record; each applies those its router sends
  // to its unit). False after an error (reported with the record's number).
  auto apply = [&](const std::vector<vtd::replay::replay_engine*>& engines, const vtd::traces::record& r,
                   uint64_t index) {
    try {
      for (vtd::replay::replay_engine* e : engines) e->submit(r);
      return true;
    } catch (const std::exception& e) {
      error.report(index, fmt::format("{}: record {}: {}", trace_path, index, e.what()));
      return false;
    }
  };
  std::vector<std::vector<vtd::replay::replay_engine*>> owned(threads);  // unit i on thread i mod threads
  for (size_t i = 0; i < m_units.size(); ++i) owned[i % threads].push_back(m_units[i]->engine.get());

  uint64_t index = 0;
  if (threads == 1) {
    try {
      for (std::span<const vtd::traces::record> block; !(block = trace.next_block()).empty();) {
        for (const vtd::traces::record& r : block) {
          if (!apply(owned[0], r, index)) break;
          ++index;
        }
        if (error.index.load() != std::numeric_limits<uint64_t>::max()) break;
        progress(index);
      }
    } catch (const std::exception& e) {
      error.report(index, e.what());  // the reader names the position itself
    }
  } else {
    // The trace is read once: each block by whichever thread first needs it (its fingerprint as it is read),
    // then applied by every thread to its own units.
    vtd::replay::block_ring ring(
        threads, 16, [&] { return trace.next_block(); },
        [&](uint64_t at) { return at > error.index.load(std::memory_order_relaxed); }, progress);
    auto work = [&](unsigned t) {
      bool failed = false;
      vtd::replay::block_ring::block b;
      for (uint64_t n = 0; ring.acquire(n, b); ++n) {
        if (!failed && b.first <= error.index.load(std::memory_order_relaxed))
          for (size_t k = 0; k < b.records.size() && !failed; ++k)
            failed = !apply(owned[t], b.records[k], b.first + k);
        ring.release(n);  // also after an error: the others go on until they pass it
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    if (!ring.read_error().empty()) error.report(ring.read_error_at(), ring.read_error());
  }
  if (error.index.load() != std::numeric_limits<uint64_t>::max()) throw std::runtime_error(error.message);
  // Every engine counted every record and request of the trace.
  m_records = m_units.front()->engine->records();
  m_requests = m_units.front()->engine->requests();
  m_parts.clear();
  m_stale.clear();
  for (const auto& u : m_units) {
    m_parts.push_back(u->engine->report(0, false));  // throws when the warmup left nothing to measure
    m_stale.push_back(u->engine->stale_events());
  }
}

namespace {

nlohmann::json save_stale(const std::vector<vtd::replay::stale_event>& events) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : events)
    out.push_back({{"record", e.record_index},
                   {"time_ps", e.time_ps},
                   {"sid", e.sid},
                   {"address", e.address},
                   {"has_pasid", e.has_pasid},
                   {"pasid", e.pasid},
                   {"served", e.served},
                   {"memory", e.memory},
                   {"changed", e.changed},
                   {"fix", e.fix},
                   {"device_tlb", e.device_tlb}});
  return out;
}

std::vector<vtd::replay::stale_event> restore_stale(const nlohmann::json& j) {
  std::vector<vtd::replay::stale_event> out;
  for (const auto& x : j) {
    vtd::replay::stale_event e;
    e.record_index = x.at("record").get<uint64_t>();
    e.time_ps = x.at("time_ps").get<uint64_t>();
    e.sid = x.at("sid").get<uint16_t>();
    e.address = x.at("address").get<uint64_t>();
    e.has_pasid = x.at("has_pasid").get<bool>();
    e.pasid = x.at("pasid").get<uint32_t>();
    e.served = x.at("served").get<std::string>();
    e.memory = x.at("memory").get<std::string>();
    e.changed = x.at("changed").get<std::string>();
    e.fix = x.at("fix").get<std::string>();
    e.device_tlb = x.at("device_tlb").get<bool>();
    out.push_back(std::move(e));
  }
  return out;
}

// One unit's timed replay, in its own process: what it sends back on `fd` (a JSON document, or "ERROR",
// the record number and the message on two lines). Never returns.
[[noreturn]] void timed_unit_process(int fd, vtd::replay::replay_engine& engine, vtd::core::iommu& unit,
                                     const std::map<uint16_t, vtd::replay::device_config>& devices,
                                     const std::string& trace_path, const vtd::replay::sim_config& config,
                                     uint64_t warmup, std::FILE* csv,
                                     const std::function<void(uint64_t)>* progress,
                                     const std::function<void()>* progress_done) {
  std::string out;
  uint64_t pulled = 0;
  struct read_error : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  try {
    trace_source src = open_trace(trace_path, false);
    vtd::replay::timed_options topt;
    topt.device = &config.device;
    topt.warmup = warmup;
    topt.pulled = &pulled;
    if (progress) topt.on_progress = *progress;
    if (!config.devices.empty()) topt.per_device = devices;
    auto next_block = [&]() -> std::span<const vtd::traces::record> {
      try {
        return src.next_block();
      } catch (const std::exception& e) {
        throw read_error(e.what());
      }
    };
    vtd::replay::run_timed(engine, unit, config.timing, next_block, topt);
    out = nlohmann::json{{"report", engine.report(0, true).save()},
                         {"stale", save_stale(engine.stale_events())},
                         {"records", engine.records()},
                         {"requests", engine.requests()}}
              .dump();
  } catch (const read_error& e) {
    out = fmt::format("ERROR\n{}\n{}", pulled, e.what());
  } catch (const std::exception& e) {
    out = fmt::format("ERROR\n{}\n{}: record {}: {}", pulled ? pulled - 1 : 0, trace_path,
                      pulled ? pulled - 1 : 0, e.what());
  }
  if (progress_done) (*progress_done)();
  if (csv) std::fflush(csv);
  for (size_t done = 0; done < out.size();) {
    const ssize_t n = write(fd, out.data() + done, out.size() - done);
    if (n <= 0) break;
    done += size_t(n);
  }
  close(fd);
  std::fflush(stderr);
  _exit(0);
}

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(fd);
  return out;
}

}  // namespace

void units_replay::run_timed(const std::string& trace_path, const vtd::replay::sim_config& config,
                             const std::function<void(uint64_t)>& progress,
                             const std::function<void()>& progress_done) {
  const unsigned at_once = std::clamp<unsigned>(m_options.threads, 1u, static_cast<unsigned>(m_units.size()));
  struct child {
    size_t unit = 0;
    pid_t pid = -1;
    int fd = -1;
  };
  std::vector<std::string> outputs(m_units.size());
  std::vector<child> running;
  auto finish = [&](const child& c) {
    outputs[c.unit] = read_all(c.fd);
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      outputs[c.unit] =
          fmt::format("ERROR\n{}\nthe replay process of unit {} failed", UINT64_MAX, m_units[c.unit]->name);
  };
  for (size_t i = 0; i < m_units.size(); ++i) {
    if (running.size() == at_once) {
      finish(running.front());
      running.erase(running.begin());
    }
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // dies with the replay
      close(fds[0]);
      unit& u = *m_units[i];
      timed_unit_process(fds[1], *u.engine, *u.sys.unit, u.sys.devices, trace_path, config, m_options.warmup,
                         u.csv, i == 0 ? &progress : nullptr, i == 0 ? &progress_done : nullptr);
    }
    close(fds[1]);
    running.push_back({i, pid, fds[0]});
  }
  for (const child& c : running) finish(c);
  // The first error in trace order; else every unit's results.
  uint64_t first = UINT64_MAX;
  std::string message;
  for (const std::string& o : outputs)
    if (o.rfind("ERROR\n", 0) == 0) {
      const size_t nl = o.find('\n', 6);
      const uint64_t at = std::strtoull(o.c_str() + 6, nullptr, 10);
      if (message.empty() || at < first) {
        first = at;
        message = nl == std::string::npos ? o.substr(6) : o.substr(nl + 1);
      }
    }
  if (!message.empty()) throw std::runtime_error(message);
  m_parts.clear();
  m_stale.clear();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const nlohmann::json j = nlohmann::json::parse(outputs[i], nullptr, false);
    if (j.is_discarded() || !j.contains("report"))
      throw std::runtime_error(
          fmt::format("the replay process of unit {} sent no statistics", m_units[i]->name));
    m_parts.push_back(vtd::replay::stats_report::restore(j["report"]));
    m_stale.push_back(restore_stale(j.at("stale")));
    m_records = j.at("records").get<uint64_t>();
    m_requests = j.at("requests").get<uint64_t>();
  }
}

vtd::replay::stats_report units_replay::report(double wall_seconds) const {
  const std::vector<vtd::replay::stats_report>& parts = m_parts;
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
  for (const auto& events : m_stale) all.insert(all.end(), events.begin(), events.end());
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.record_index < b.record_index; });
  if (all.size() > limit) all.resize(limit);
  return all;
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
