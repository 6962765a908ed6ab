#include "apps/vtdsim/import_check.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "apps/replay/replay_engine.hpp"
#include "apps/replay/sim_config.hpp"
#include "apps/vtdsim/replay_system.hpp"
#include "model/spec/fault_reason.hpp"
#include "tables/text_parse.hpp"

namespace vtdsim::app {

import_check_result check_import(const std::string& platform_path,
                                 const vtd::traces::import::import_result& r, unsigned examples) {
  replay_system sys = make_replay_system(platform_path, vtd::replay::sim_preset("server"));
  vtd::replay::replay_options options;
  options.check_stale = false;  // the comparison is with the log, not with vtdsim's own tables
  vtd::replay::replay_engine engine(*sys.unit, *sys.driver, options);
  import_check_result out;
  std::size_t next = 0;  // the next logged translation, by record index
  for (std::size_t i = 0; i < r.records.size(); ++i) {
    vtd::replay::request_outcome got;
    try {
      got = engine.submit(r.records[i]);
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("--check: record {} of the imported trace: {}", i, e.what()));
    }
    if (next >= r.translations.size() || r.translations[next].record_index != i) continue;
    const auto& want = r.translations[next++];
    ++out.compared;
    const bool agree = want.ok ? (got.ok && got.hpa == want.hpa)
                               : (!got.ok && static_cast<uint8_t>(got.fault) == want.fault);
    if (agree) {
      ++out.agreed;
      ++(want.ok ? out.translations_agreed : out.faults_agreed);
      continue;
    }
    if (out.disagreements.size() >= examples) continue;
    const auto& rec = r.records[i];
    const std::string logged =
        want.ok ? fmt::format("HPA 0x{:x}", want.hpa) : fmt::format("fault {:#04x}", want.fault);
    const std::string replayed = got.ok ? fmt::format("HPA 0x{:x}", got.hpa)
                                        : fmt::format("fault {:#04x} ({})", static_cast<unsigned>(got.fault),
                                                      vtd::spec::to_string(got.fault));
    out.disagreements.push_back(fmt::format("log line {}: {} 0x{:x}: QEMU {}, vtdsim {}", want.line,
                                            vtd::tables::format_bdf(rec.id), rec.addr, logged, replayed));
  }
  return out;
}

}  // namespace vtdsim::app
