// Every output file vtdsim writes goes through output_file, which applies one rule set (docs/cli.md,
// "Output files"):
//   - a regular file or a missing path is written atomically: a hidden temporary in the same directory,
//   renamed
//     over the path by commit(); a command that fails, throws or is interrupted (SIGINT, SIGTERM, SIGHUP)
//     before commit() leaves the old file untouched and no temporary behind;
//   - a symbolic link is followed (up to 40 links) and its final target is written by the same rule, so the
//   link
//     stays a link;
//   - a character or block device, FIFO or socket ("/dev/null", "/dev/stdout", a named pipe) is written
//     directly, never replaced;
//   - "-" is standard output;
//   - a directory is refused.
// Messages always name the user's path, never the temporary.
#pragma once
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vtd::io {

class output_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class output_file {
 public:
  // Throws output_error when the path cannot be written (missing directory, a directory, no permission).
  explicit output_file(std::string path);
  ~output_file();  // without commit(): the temporary is removed, the destination untouched
  output_file(const output_file&) = delete;
  output_file& operator=(const output_file&) = delete;

  std::FILE* stream() { return m_stream; }
  int fd() const { return m_fd; }
  // True when writing a temporary regular file (which may be rewritten in place, e.g. to patch a header).
  bool seekable() const { return m_atomic; }
  const std::string& path() const { return m_path; }  // as the user gave it
  // The temporary's name while not committed (atomic mode; empty otherwise): for libraries that write by
  // name.
  const std::string& temporary() const { return m_tmp; }

  void write(std::string_view bytes);
  // Flushes and, in atomic mode, renames the temporary over the destination. Throws output_error.
  void commit();

 private:
  void discard() noexcept;

  std::string m_path;    // the user's path
  std::string m_target;  // after following symbolic links
  std::string m_tmp;     // atomic mode: the temporary
  std::FILE* m_stream = nullptr;
  int m_fd = -1;
  bool m_atomic = false;
  bool m_committed = false;
  int m_mode = 0644;  // permissions the committed file gets
  int m_cleanup_slot = -1;
  int m_claim = -1;  // this output's entry in the same-file registry
};

// One command never writes a file it also reads, or the same file twice: inputs are noted as they are opened
// (read_input_file, line_reader, the trace reader) and every output_file checks its destination against them
// and against the other outputs still open; an input opened after an output is checked the same way.
// Throws output_error (for an output) or a std::runtime_error naming the path (for an input).
void note_input(const std::string& path);

// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every uncommitted temporary and then end the
// process by the same signal (so the shell sees the usual status). Called once, at startup.
void remove_temporaries_on_signals();

// Creates a unique file from `templ` (mkstemps: "...XXXXXX" followed by `suffix_len` fixed characters; the
// name is written back into `templ`) and registers it for removal on a signal, with SIGINT, SIGTERM and
// SIGHUP blocked in between, so that no signal can leave it behind unregistered. Returns the open descriptor
// (-1 and errno on failure) and the registration slot in `slot`.
int create_temporary(std::string& templ, int suffix_len, int& slot);

// Registers a path to remove if a signal ends the process (a temporary written by name, e.g. by a library);
// returns a slot for forget_on_signal(). -1 when the table is full (the path is then not protected).
int remove_on_signal(const std::string& path);
void forget_on_signal(int slot);

}  // namespace vtd::io
