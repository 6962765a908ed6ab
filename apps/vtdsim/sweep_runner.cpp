// Local sweep runner (see header).
#include "apps/vtdsim/sweep_runner.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace vtdsim::app {

namespace {

struct child {
  size_t index = 0;
  pid_t pid = -1;
  int fd = -1;
  std::string output;
  std::chrono::steady_clock::time_point start;
};

child start(const replay_request& rq, size_t index) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    // The point dies with the sweep (its own handler then removes its temporaries).
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1) _exit(1);
    close(fds[0]);
    point_outcome o = run_point(rq);
    const std::string out = o.st == point_outcome::state::ok ? o.doc.dump() : "ERROR " + o.error;
    for (size_t done = 0; done < out.size();) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += size_t(n);
    }
    close(fds[1]);
    _exit(o.exit_status);
  }
  close(fds[1]);
  child c;
  c.index = index;
  c.pid = pid;
  c.fd = fds[0];
  c.start = std::chrono::steady_clock::now();
  return c;
}

// Reads what is available; true when the child closed its end.
bool drain(child& c) {
  char buf[65536];
  ssize_t n = read(c.fd, buf, sizeof buf);
  if (n > 0) {
    c.output.append(buf, size_t(n));
    return false;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return false;
  return true;
}

point_outcome finish(child& c) {
  close(c.fd);
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  point_outcome o;
  o.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.start).count();
  o.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
  if (c.output.rfind("ERROR ", 0) == 0) {
    o.st = point_outcome::state::failed;
    o.error = c.output.substr(6);
  } else if (o.exit_status != 0 || c.output.empty()) {
    o.st = point_outcome::state::failed;
    o.error = WIFSIGNALED(status)
                  ? fmt::format("the point's replay process was killed by signal {}", WTERMSIG(status))
                  : std::string("the point's replay process failed");
  } else {
    o.doc = nlohmann::ordered_json::parse(c.output, nullptr, false);
    if (o.doc.is_discarded()) {
      o.st = point_outcome::state::failed;
      o.error = "the point's replay process sent no statistics";
    } else {
      o.st = point_outcome::state::ok;
    }
  }
  return o;
}

}  // namespace

void run_local(const std::vector<replay_request>& requests, const std::vector<size_t>& todo, unsigned jobs,
               const std::function<void(size_t, point_outcome&)>& done) {
  size_t next = 0;
  std::vector<child> running;
  while (next < todo.size() || !running.empty()) {
    while (running.size() < jobs && next < todo.size()) {
      running.push_back(start(requests[todo[next]], todo[next]));
      ++next;
    }
    // Wait for whichever child has something to say, so that a slow point does not hold back the report
    // (and the next start) of the quick ones.
    std::vector<pollfd> fds;
    for (const auto& c : running) fds.push_back({c.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    }
    for (size_t i = running.size(); i-- > 0;) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (!drain(running[i])) continue;
      child c = std::move(running[i]);
      running.erase(running.begin() + long(i));
      point_outcome o = finish(c);
      done(c.index, o);
    }
  }
}

}  // namespace vtdsim::app
