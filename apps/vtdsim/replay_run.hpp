// One replay, from options to outputs; shared by `replay`, `demo` and each point of `sweep`.
#pragma once
#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vtdsim::app {

struct replay_request {
  std::string platform, trace, config_file, preset = "server";
  std::vector<std::string> sets;
  bool functional = false, quiet = false, no_stale_check = false, no_progress = false;
  uint64_t warmup = 0;
  std::string stats_json, per_request_csv, vcd, epochs;
  std::string issue;  // "open" | "closed" | "" (the configuration's device.issue)
  // A platform with several remapping units: threads to run them on (0: one per unit, up to the cores).
  unsigned threads = 0;
};

void add_replay_options(boost::program_options::options_description& desc, replay_request& rq);

struct replay_result {
  std::string summary;             // human text
  nlohmann::ordered_json stats;    // the --stats-json document
  std::vector<std::string> wrote;  // output files written, as the user named them
};

// Throws std::runtime_error on bad input (nothing is left half-written).
replay_result run_replay_request(const replay_request& rq);

}  // namespace vtdsim::app
