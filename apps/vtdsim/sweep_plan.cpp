// Sweep plans (see header).
#include "apps/vtdsim/sweep_plan.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "model/io/input_file.hpp"
#include "model/io/output_file.hpp"

namespace vtdsim::app {

nlohmann::ordered_json common_to_json(const replay_request& rq) {
  nlohmann::ordered_json j;
  j["platform"] = rq.platform;
  j["preset"] = rq.preset;
  j["config"] = rq.config_file;
  j["sets"] = rq.sets;
  j["functional"] = rq.functional;
  j["issue"] = rq.issue;
  j["warmup"] = rq.warmup;
  j["no_stale_check"] = rq.no_stale_check;
  j["per_request"] = rq.per_request_csv;
  j["epochs"] = rq.epochs;
  j["vcd"] = rq.vcd;
  return j;
}

replay_request common_from_json(const nlohmann::json& j) {
  replay_request rq;
  rq.platform = j.at("platform").get<std::string>();
  rq.preset = j.at("preset").get<std::string>();
  rq.config_file = j.at("config").get<std::string>();
  rq.sets = j.at("sets").get<std::vector<std::string>>();
  rq.functional = j.at("functional").get<bool>();
  rq.issue = j.at("issue").get<std::string>();
  rq.warmup = j.at("warmup").get<uint64_t>();
  rq.no_stale_check = j.at("no_stale_check").get<bool>();
  rq.per_request_csv = j.at("per_request").get<std::string>();
  rq.epochs = j.at("epochs").get<std::string>();
  rq.vcd = j.at("vcd").get<std::string>();
  return rq;
}

nlohmann::ordered_json plan_to_json(const sweep_plan& plan) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["kind"] = "vtdsim sweep plan";
  j["replay"] = common_to_json(plan.common);
  j["parameters"] = point_keys(plan.points);
  auto& pts = j["points"] = nlohmann::ordered_json::array();
  for (const auto& p : plan.points) {
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const auto& [k, v] : p.params) params[k] = v;
    pts.push_back({{"id", p.id}, {"trace", p.trace}, {"params", params}});
  }
  return j;
}

sweep_plan plan_from_json(const nlohmann::json& j, const std::string& where) {
  try {
    if (j.at("kind") != "vtdsim sweep plan") throw std::runtime_error("not a sweep plan");
    sweep_plan plan;
    plan.common = common_from_json(j.at("replay"));
    const auto keys = j.at("parameters").get<std::vector<std::string>>();
    for (const auto& e : j.at("points")) {
      sweep_point p;
      p.id = e.at("id").get<std::string>();
      p.trace = e.at("trace").get<std::string>();
      // Keys in the grid's order (a JSON object does not keep it everywhere).
      for (const auto& k : keys)
        if (e.at("params").contains(k)) p.params.emplace_back(k, e.at("params").at(k).get<std::string>());
      plan.points.push_back(std::move(p));
    }
    return plan;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: not a sweep plan ({})", where, e.what()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", where, e.what()));
  }
}

sweep_plan read_plan(const std::string& dir) {
  const std::string path = plan_path(dir);
  const std::string text = vtd::io::read_input_file(path, vtd::io::max_json_bytes, "sweep plan");
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(fmt::format("{}: not JSON", path));
  return plan_from_json(j, path);
}

std::string plan_path(const std::string& dir) {
  return (std::filesystem::path(dir) / "plan.json").string();
}

std::string point_result_path(const std::string& dir, const std::string& id) {
  return (std::filesystem::path(dir) / "points" / (id + ".json")).string();
}

std::string point_failure_path(const std::string& dir, const std::string& id) {
  return (std::filesystem::path(dir) / "points" / (id + ".failed.json")).string();
}

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string sbatch_script(const std::string& dir, size_t count) {
  const std::string q = shell_quote(dir);
  // One array task per line of the jobs file; each task is one replay on one core. Slurm's MaxArraySize
  // (1001 by default) bounds --array: larger plans need the site's limit raised or the jobs file split.
  return fmt::format(
      "#!/bin/bash\n"
      "# vtdsim sweep plan: one Slurm array task per line of {0}/jobs ({1} points).\n"
      "# Submit with: sbatch {0}/sbatch.sh   then merge: vtdsim sweep collect {0}\n"
      "#SBATCH --job-name=vtdsim-sweep\n"
      "#SBATCH --array=1-{1}\n"
      "#SBATCH --ntasks=1\n"
      "#SBATCH --cpus-per-task=1\n"
      "#SBATCH --output={0}/slurm/%A_%a.out\n"
      "set -euo pipefail\n"
      "line=$(sed -n \"${{SLURM_ARRAY_TASK_ID}}p\" {2}/jobs)\n"
      "exec bash -c \"$line\"\n",
      dir, count, q);
}

void write_plan_files(const std::string& dir, const sweep_plan& plan, const std::string& exe) {
  std::filesystem::create_directories(std::filesystem::path(dir) / "points");
  std::filesystem::create_directories(std::filesystem::path(dir) / "slurm");
  {
    vtd::io::output_file f(plan_path(dir));
    f.write(plan_to_json(plan).dump(2) + "\n");
    f.commit();
  }
  {
    std::string jobs;
    for (const auto& p : plan.points)
      jobs += fmt::format("{} sweep point {} {}\n", shell_quote(exe), shell_quote(dir), p.id);
    vtd::io::output_file f((std::filesystem::path(dir) / "jobs").string());
    f.write(jobs);
    f.commit();
  }
  {
    const std::string path = (std::filesystem::path(dir) / "sbatch.sh").string();
    vtd::io::output_file f(path);
    f.write(sbatch_script(dir, plan.points.size()));
    f.commit();
    std::filesystem::permissions(path,
                                 std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec,
                                 std::filesystem::perm_options::add);
  }
}

}  // namespace vtdsim::app
