// Shared helpers of the robustness suite: run the built vtdsim with a time bound, keep stdout, stderr and the
// exit code apart, make the standard generated inputs once per test process, and list what a directory holds
// (to prove that a failed command left no temporary or partial file behind).
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_temp_dir.hpp"

namespace vtd::robust {

struct run_result {
  int code = -1;           // exit status; -1 when killed by a signal or the time bound
  int signal = 0;          // the signal that ended the process, if any
  bool timed_out = false;  // the time bound was hit (the process was killed)
  std::string out, err;
  double seconds = 0;
};

// Runs `/bin/sh -c "vtdsim ARGS"` with stdin from `stdin_path` (default /dev/null) and kills it after
// `timeout_s` seconds. ARGS is shell syntax (quoting, redirections, <(...) need bash: use run_shell).
inline run_result run_shell(const std::string& script, double timeout_s = 60,
                            const std::string& stdin_path = "") {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe");
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int in = open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY);
    if (in >= 0) dup2(in, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    execl("/bin/bash", "bash", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  close(out_pipe[1]);
  close(err_pipe[1]);
  run_result r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    const double left =
        timeout_s - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (left <= 0) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, int(left * 1000) + 1) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, size_t(n));
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

inline std::string exe() {
  return VTDSIM_EXE;
}

// vtdsim ARGS (ARGS in bash syntax).
inline run_result vtdsim(const std::string& args, double timeout_s = 60, const std::string& stdin_path = "") {
  return run_shell(exe() + " " + args, timeout_s, stdin_path);
}

inline std::string tmp() {
  return vtd::test::temp_dir();
}

inline std::string write_file(const std::string& name, const std::string& bytes) {
  const std::string path = tmp() + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Names of the entries of a directory (not recursive).
inline std::set<std::string> listing(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// A vtdsim started in the background (argv, no shell, so that signals reach vtdsim itself); stdout and stderr
// go to files in tmp().
struct background {
  pid_t pid = -1;
  std::string out_path, err_path;
};
inline background spawn(const std::vector<std::string>& args, const std::string& tag) {
  background b{-1, tmp() + tag + ".stdout", tmp() + tag + ".stderr"};
  b.pid = fork();
  if (b.pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(b.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(b.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    std::string e = exe();
    argv.push_back(e.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return b;
}
// Waits up to `timeout_s` for the process; returns its wait status, or -1 (and kills it) on timeout.
inline int wait_for(pid_t pid, double timeout_s) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_s) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(10000);
  }
}
// True once `pred` holds, polling for up to `timeout_s`.
template <class Pred>
bool eventually(Pred pred, double timeout_s) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < timeout_s) {
    if (pred()) return true;
    usleep(10000);
  }
  return pred();
}
// Temporaries vtdsim's output files use (".NAME.vtdsim-XXXXXX") or any "*.tmp" file.
inline std::vector<std::string> temporaries(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& name : listing(dir))
    if (name.find(".vtdsim-") != std::string::npos ||
        (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0))
      found.push_back(name);
  return found;
}
// A fresh empty directory under tmp().
inline std::string fresh_dir(const std::string& name) {
  const std::string d = tmp() + name + "/";
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// A small generated workload, made once per test process: tmp()/t.vtdt (binary) and tmp()/p.json.
struct workload {
  std::string trace, platform;
};
inline const workload& small_workload() {
  static const workload w = [] {
    workload x{tmp() + "t.vtdt", tmp() + "p.json"};
    auto r = vtdsim("gen --dmas 2000 -o " + x.trace + " --platform-out " + x.platform + " -q");
    if (r.code != 0) throw std::runtime_error("gen failed: " + r.err);
    return x;
  }();
  return w;
}

// Where an example platform of the repository lives.
inline std::string example(const std::string& name) {
  return std::string(VTDSIM_SOURCE_DIR) + "/examples/" + name;
}

}  // namespace vtd::robust
