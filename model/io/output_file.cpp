// Output files: atomic for regular files, through symbolic links, direct for devices (see header).
#include "model/io/output_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace vtd::io {

// ------------------------------------------------------------------------------------ removal on signals
namespace {

// Fixed storage: the handler may only touch memory that is never allocated or freed under it.
constexpr int kSlots = 64;
struct cleanup_slot {
  std::atomic<bool> used{false};
  char path[PATH_MAX];
};
std::array<cleanup_slot, kSlots> g_slots;
std::atomic<int> g_claim{0};  // serialises claiming a slot (registration is rare)

extern "C" void remove_and_reraise(int sig) {
  for (auto& s : g_slots)
    if (s.used.load(std::memory_order_acquire)) ::unlink(s.path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

int remove_on_signal(const std::string& path) {
  if (path.size() >= PATH_MAX) return -1;
  int expected = 0;
  while (!g_claim.compare_exchange_weak(expected, 1)) expected = 0;
  int slot = -1;
  for (int i = 0; i < kSlots; ++i) {
    if (!g_slots[size_t(i)].used.load()) {
      std::memcpy(g_slots[size_t(i)].path, path.c_str(), path.size() + 1);
      g_slots[size_t(i)].used.store(true, std::memory_order_release);
      slot = i;
      break;
    }
  }
  g_claim.store(0);
  return slot;
}

int create_temporary(std::string& templ, int suffix_len, int& slot) {
  sigset_t block, old;
  sigemptyset(&block);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&block, sig);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  const int fd = mkostemps(templ.data(), suffix_len, O_CLOEXEC);
  const int saved = errno;
  slot = fd >= 0 ? remove_on_signal(templ) : -1;
  pthread_sigmask(SIG_SETMASK, &old,
                  nullptr);  // a signal that came meanwhile is delivered now: it removes it
  errno = saved;
  return fd;
}

void forget_on_signal(int slot) {
  if (slot >= 0 && slot < kSlots) g_slots[size_t(slot)].used.store(false, std::memory_order_release);
}

void remove_temporaries_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = remove_and_reraise;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

// ----------------------------------------------------------------------------------- same-file registry
namespace {

// A file by identity when it exists (device and inode: catches links and different spellings), else by its
// absolute path (two outputs naming the same new file).
struct file_identity {
  dev_t dev = 0;
  ino_t ino = 0;
  std::string path;
  bool same_as(const file_identity& o) const {
    if (ino != 0 && o.ino != 0) return dev == o.dev && ino == o.ino;
    return !path.empty() && path == o.path;
  }
};

std::string absolute(const std::string& p) {
  if (!p.empty() && p.front() == '/') return p;
  char cwd[PATH_MAX];
  return getcwd(cwd, sizeof cwd) ? std::string(cwd) + "/" + p : p;
}

file_identity identify(const std::string& resolved) {
  file_identity id;
  struct stat st {};
  if (::stat(resolved.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    id.dev = st.st_dev;
    id.ino = st.st_ino;
  }
  id.path = absolute(resolved);
  return id;
}

std::vector<file_identity> g_inputs;
std::vector<std::pair<int, file_identity>> g_outputs;  // claim number, identity
int g_next_claim = 0;

}  // namespace

void note_input(const std::string& path) {
  if (path.empty() || path == "-") return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;  // only regular files can be replaced
  const file_identity id = identify(path);
  for (const auto& [claim, out] : g_outputs)
    if (out.same_as(id))
      throw output_error(path + ": is also an output of this command (it would be replaced while read)");
  g_inputs.push_back(id);
}

// ------------------------------------------------------------------------------------------ output_file
namespace {

std::string dir_of(const std::string& p) {
  const auto slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

std::string base_of(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Follows symbolic links from `path` to the final name (which may not exist: a dangling link is written
// through to its target, as other tools do).
std::string follow_links(const std::string& user_path) {
  std::string p = user_path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    char buf[PATH_MAX];
    const ssize_t n = readlink(p.c_str(), buf, sizeof buf - 1);
    if (n < 0) throw output_error(user_path + ": cannot follow symbolic link: " + std::strerror(errno));
    std::string target(buf, size_t(n));
    p = target.front() == '/' ? target : dir_of(p) + "/" + target;
  }
  throw output_error(user_path + ": too many levels of symbolic links");
}

int default_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return int(0666 & ~mask);
}

}  // namespace

output_file::output_file(std::string path) : m_path(std::move(path)) {
  if (m_path.empty()) throw output_error("output file: empty file name");
  if (m_path == "-") {
    m_fd = 1;
    m_stream = stdout;
    return;
  }
  m_target = follow_links(m_path);
  struct stat st {};
  const bool exists = ::stat(m_target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) throw output_error(m_path + ": is a directory");
  if (exists && !S_ISREG(st.st_mode)) {
    // Devices, FIFOs and sockets are written, never replaced.
    m_fd = ::open(m_target.c_str(), O_WRONLY | O_CLOEXEC);
    if (m_fd < 0) throw output_error(m_path + ": cannot write: " + std::strerror(errno));
    m_stream = fdopen(m_fd, "wb");
    if (!m_stream) {
      ::close(m_fd);
      throw output_error(m_path + ": cannot write: " + std::strerror(errno));
    }
    return;
  }
  const file_identity id = identify(m_target);
  for (const auto& in : g_inputs)
    if (in.same_as(id))
      throw output_error(m_path + ": is also an input of this command (choose another output)");
  for (const auto& [claim, out] : g_outputs)
    if (out.same_as(id)) throw output_error(m_path + ": named as two outputs of this command");
  m_atomic = true;
  m_mode = exists ? int(st.st_mode & 07777) : default_mode();
  std::string templ = dir_of(m_target) + "/." + base_of(m_target) + ".vtdsim-XXXXXX";
  m_fd = create_temporary(templ, 0, m_cleanup_slot);
  if (m_fd < 0)
    throw output_error(m_path + ": cannot create: " + std::strerror(errno == EEXIST ? EACCES : errno));
  m_tmp = templ;
  m_claim = g_next_claim++;
  g_outputs.emplace_back(m_claim, id);
  m_stream = fdopen(m_fd, "w+b");
  if (!m_stream) {
    const int e = errno;
    discard();
    std::erase_if(g_outputs, [&](const auto& o) { return o.first == m_claim; });
    throw output_error(m_path + ": cannot create: " + std::strerror(e));
  }
}

output_file::~output_file() {
  if (!m_committed) discard();
  std::erase_if(g_outputs, [&](const auto& e) { return e.first == m_claim; });
}

void output_file::discard() noexcept {
  if (m_stream && m_stream != stdout)
    std::fclose(m_stream);
  else if (m_fd > 2)
    ::close(m_fd);
  m_stream = nullptr;
  m_fd = -1;
  if (m_atomic && !m_tmp.empty()) {
    ::unlink(m_tmp.c_str());
    forget_on_signal(m_cleanup_slot);
    m_cleanup_slot = -1;
    m_tmp.clear();
  }
}

void output_file::write(std::string_view bytes) {
  if (!m_stream) throw output_error(m_path + ": already closed");
  if (std::fwrite(bytes.data(), 1, bytes.size(), m_stream) != bytes.size())
    throw output_error(m_path + ": write failed: " + std::strerror(errno));
}

void output_file::commit() {
  if (m_committed) return;
  if (!m_stream) throw output_error(m_path + ": already closed");
  const bool flushed = std::fflush(m_stream) == 0 && !std::ferror(m_stream);
  const int flush_errno = errno;
  if (m_stream == stdout) {
    m_committed = true;
    m_stream = nullptr;
    if (!flushed) throw output_error("<stdout>: write failed: " + std::string(std::strerror(flush_errno)));
    return;
  }
  if (!m_atomic) {
    const bool closed = std::fclose(m_stream) == 0;
    m_stream = nullptr;
    m_fd = -1;
    m_committed = true;
    if (!flushed || !closed) throw output_error(m_path + ": write failed: " + std::strerror(flush_errno));
    return;
  }
  const bool ok = flushed && ::fchmod(m_fd, mode_t(m_mode)) == 0 && std::fclose(m_stream) == 0;
  m_stream = nullptr;
  m_fd = -1;
  if (!ok || std::rename(m_tmp.c_str(), m_target.c_str()) != 0) {
    const int e = errno;
    discard();
    throw output_error(m_path + ": could not be written: " + std::strerror(e));
  }
  forget_on_signal(m_cleanup_slot);
  m_cleanup_slot = -1;
  m_tmp.clear();
  m_committed = true;
}

}  // namespace vtd::io
