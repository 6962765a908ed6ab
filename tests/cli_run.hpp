// Running the built vtdsim from the end-to-end tests (tests/cli, tests/robustness): the popen plumbing in one
// place. VTDSIM_EXE is the binary's path, a compile definition of those test executables.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/test_temp_dir.hpp"

namespace vtd::test {

struct cli_result {
  int code = -1;  // the exit status; -1 when the process did not exit normally
  std::string out;
  std::string err;  // run_vtdsim_split only (run_vtdsim merges stderr into out)
};

namespace detail {
inline cli_result run_command(const std::string& cmd) {
  cli_result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}
}  // namespace detail

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `vtdsim ARGS` with stdout and stderr together in `out`.
inline cli_result run_vtdsim(const std::string& args) {
  return detail::run_command(std::string(VTDSIM_EXE) + " " + args + " 2>&1");
}

// `vtdsim ARGS` with stdout in `out` and stderr in `err` (JSON is parsed from stdout alone).
inline cli_result run_vtdsim_split(const std::string& args) {
  const std::string err_path = temp_dir() + "stderr.txt";
  cli_result r = detail::run_command(std::string(VTDSIM_EXE) + " " + args + " 2>" + err_path);
  r.err = slurp(err_path);
  return r;
}

// Writes `text` to a file of the test's temporary directory; returns its path.
inline std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = temp_dir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace vtd::test
