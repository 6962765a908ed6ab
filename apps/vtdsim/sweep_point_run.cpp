// One sweep point (see header).
#include "apps/vtdsim/sweep_point_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/vtdsim/sweep_plan.hpp"
#include "model/io/output_file.hpp"

namespace vtdsim::app {

std::string point_tag(const sweep_point& p, bool with_trace) {
  std::string tag;
  for (const auto& [k, v] : p.params) {
    if (!tag.empty()) tag += '.';
    tag += k;
    tag += '=';
    tag += v;
  }
  if (with_trace) {
    std::string name = std::filesystem::path(p.trace).filename().string();
    name = name.substr(0, name.find('.'));
    if (!tag.empty()) tag += '.';
    tag += "trace=";
    tag += name;
  }
  // A value never makes a path climb into another directory.
  for (char& c : tag)
    if (c == '/') c = '_';
  return tag.empty() ? p.id : tag;
}

std::string tagged_path(const std::string& path, const std::string& tag) {
  if (path.empty() || path == "-") return path;
  const auto slash = path.rfind('/');
  const auto dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1)
    return path + "." + tag;
  return path.substr(0, dot) + "." + tag + path.substr(dot);
}

replay_request point_request(const replay_request& common, const sweep_point& p, const std::string& tag) {
  replay_request rq = common;
  rq.trace = p.trace;
  for (const auto& [k, v] : p.params) rq.sets.push_back(k + "=" + v);
  rq.quiet = true;
  rq.no_progress = true;
  rq.stats_json = tagged_path(rq.stats_json, tag);
  rq.per_request_csv = tagged_path(rq.per_request_csv, tag);
  rq.epochs = tagged_path(rq.epochs, tag);
  rq.vcd = tagged_path(rq.vcd, tag);
  return rq;
}

point_outcome run_point(const replay_request& rq) {
  point_outcome o;
  const auto start = std::chrono::steady_clock::now();
  try {
    o.doc = run_replay_request(rq).stats;
    o.st = point_outcome::state::ok;
  } catch (const std::exception& e) {
    o.st = point_outcome::state::failed;
    o.error = e.what();
    o.exit_status = 1;
  }
  o.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return o;
}

nlohmann::ordered_json point_block(const sweep_point& p, const point_outcome& o) {
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  for (const auto& [k, v] : p.params) params[k] = v;
  nlohmann::ordered_json b;
  b["id"] = p.id;
  b["params"] = params;
  b["trace"] = p.trace;
  b["status"] = o.st == point_outcome::state::ok ? "ok" : "failed";
  b["exit_status"] = o.exit_status;
  if (!o.error.empty()) b["error"] = o.error;
  b["wall_s"] = o.wall_s;
  return b;
}

void record_outcome(const std::string& dir, const sweep_point& p, point_outcome& o) {
  switch (o.st) {
    case point_outcome::state::ok: {
      o.doc["sweep_point"] = point_block(p, o);
      vtd::io::output_file f(point_result_path(dir, p.id));
      f.write(o.doc.dump(2) + "\n");
      f.commit();
      std::error_code ignored;
      std::filesystem::remove(point_failure_path(dir, p.id), ignored);
      return;
    }
    case point_outcome::state::failed: {
      o.doc = nlohmann::ordered_json{{"sweep_point", point_block(p, o)}};
      vtd::io::output_file f(point_failure_path(dir, p.id));
      f.write(o.doc.dump(2) + "\n");
      f.commit();
      return;
    }
    case point_outcome::state::missing:
      return;
  }
}

namespace {
bool read_json(const std::string& path, nlohmann::ordered_json& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = nlohmann::ordered_json::parse(ss.str(), nullptr, false);
  return !out.is_discarded() && out.is_object();
}
}  // namespace

point_outcome load_outcome(const std::string& dir, const sweep_point& p) {
  point_outcome o;
  nlohmann::ordered_json j;
  if (read_json(point_result_path(dir, p.id), j) && j.contains("stats")) {
    o.st = point_outcome::state::ok;
    o.wall_s = j.value("/sweep_point/wall_s"_json_pointer, 0.0);
    o.doc = std::move(j);
  } else if (read_json(point_failure_path(dir, p.id), j)) {
    o.st = point_outcome::state::failed;
    o.error = j.value("/sweep_point/error"_json_pointer, std::string("failed"));
    o.exit_status = j.value("/sweep_point/exit_status"_json_pointer, 1);
    o.wall_s = j.value("/sweep_point/wall_s"_json_pointer, 0.0);
    o.doc = std::move(j);
  }
  return o;
}

}  // namespace vtdsim::app
