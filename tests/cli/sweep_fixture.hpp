// Shared helpers of the sweep tests: run the built vtdsim, tiny traces from `vtdsim gen`, CSV and file
// reading.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_temp_dir.hpp"

namespace vtd::sweep_test {

struct run_result {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command line; stdout and stderr kept apart.
inline run_result shell(const std::string& cmd) {
  static int n = 0;
  const std::string err = vtd::test::temp_dir() + "stderr." + std::to_string(n++);
  run_result r;
  FILE* p = popen((cmd + " 2>" + err).c_str(), "r");
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = slurp(err);
  return r;
}

inline run_result vtdsim(const std::string& args) {
  return shell(std::string(VTDSIM_EXE) + " " + args);
}

// Two tiny traces on one platform: the same generator seed with different lengths gives the same platform.
struct workload {
  std::string platform, a, b;
};

inline const workload& traces() {
  static const workload w = [] {
    const std::string d = vtd::test::temp_dir();
    workload x{d + "p.json", d + "a.vtdt", d + "b.vtdt"};
    auto r1 = vtdsim("gen -q --dmas 2000 --seed 1 -o " + x.a + " --platform-out " + x.platform);
    auto r2 = vtdsim("gen -q --dmas 1500 --seed 1 -o " + x.b + " --platform-out " + d + "p2.json");
    if (r1.code != 0 || r2.code != 0) throw std::runtime_error("gen failed: " + r1.err + r2.err);
    if (slurp(x.platform) != slurp(d + "p2.json"))
      throw std::runtime_error("the two traces need one platform");
    return x;
  }();
  return w;
}

inline std::vector<std::string> split(const std::string& line, char sep = ',') {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  for (std::string c; std::getline(ss, c, sep);) cells.push_back(c);
  return cells;
}

// The CSV as rows of cells, header first.
inline std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(path));
  for (std::string line; std::getline(in, line);) rows.push_back(split(line));
  return rows;
}

inline size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

inline size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

inline nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(slurp(path));
}

}  // namespace vtd::sweep_test
