// Query files, shared by `translate --queries` and `walk --queries` (docs/cli.md): one query per line, '#'
// starts a comment, blank lines are skipped.
//   dma BDF IOVA read|write|atomic [LENGTH] [pasid=N] [priv] [exec]
//   msi BDF ADDRESS DATA
// Numbers as everywhere on the command line: decimal, 0x-hex, or a size such as 4KiB; LENGTH and DATA are
// 32-bit fields and refused, not truncated, above 0xffffffff. The keywords after LENGTH (any order, each at
// most once) are the request's PASID TLP prefix, under the rules of the --pasid, --priv and --exec options.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/core/request.hpp"
#include "model/spec/pasid_entry.hpp"

namespace vtdsim::app {

struct query {
  enum class kind : uint8_t { dma, msi };
  kind type = kind::dma;
  vtd::core::dma_request dma;        // when type == dma
  vtd::core::interrupt_request msi;  // when type == msi
};

// A malformed line: what is wrong and the 1-based column of the word at fault (for a missing word, the
// column just past the end of the line).
class query_syntax_error : public std::runtime_error {
 public:
  query_syntax_error(size_t column, const std::string& message)
      : std::runtime_error(message), m_column(column) {}
  size_t column() const { return m_column; }

 private:
  size_t m_column;
};

// The length of one DMA query given on the command line (`--length TEXT`; empty: the default), held to the
// same rules as a query file's: a 32-bit field never truncated, a request that never crosses a 4 KiB
// boundary. Throws usage_error naming the options.
uint32_t command_line_dma_length(const std::string& text, uint64_t address);

// What is wrong with a request's PASID prefix fields. Privileged Mode Requested and Execute Requested are
// fields of the PASID TLP prefix, so neither exists without a PASID; Execute Requested is defined for memory
// reads only (an instruction fetch is a read), so a write or an AtomicOp never carries it.
enum class pasid_prefix_problem : uint8_t { none, priv_without_pasid, exec_without_pasid, exec_without_read };
pasid_prefix_problem check_pasid_prefix(const vtd::core::dma_request& req);

// The PASID prefix of one DMA query given on the command line (`--pasid TEXT`, empty: none; `--priv`,
// `--exec`), set on `req` (whose access must already be set). Throws usage_error naming the options.
void command_line_pasid(vtd::core::dma_request& req, const std::string& pasid, bool priv, bool exec);

// One line of a query file; nullopt for a blank or comment-only line. Throws query_syntax_error.
std::optional<query> parse_query_line(std::string_view line);

// Reads the query file at `path` under the input-file rules (model/io/input_file.hpp: "-" is standard input,
// bounded lines and size) and calls `fn` with each query and its line number, in file order. A file that
// cannot be read or a malformed line throws vtd::io::input_error "PATH:LINE:COLUMN: message"; whatever `fn`
// throws passes through.
void for_each_query(const std::string& path, const std::function<void(const query& q, uint64_t line)>& fn);

}  // namespace vtdsim::app
