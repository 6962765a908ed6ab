// Opening a trace for replay: any format the traces library reads (text or binary, plain or compressed,
// detected from the content), as a pull function, with what is known about it for reports.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "traces/record.hpp"

namespace vtdsim::app {

struct trace_source {
  std::function<bool(vtd::traces::record&)> next;  // throws std::runtime_error with the position on bad input
  // The same records a block at a time (trace_reader::next_block): one call per few thousand records. Empty
  // at the end; throws as `next` does. Use one of the two, not both.
  std::function<std::span<const vtd::traces::record>()> next_block;
  // The trace's fingerprint (trace_fingerprint's value), computed from the bytes as the reader read them:
  // once the trace has been read to its end, no second pass over the file. Asked earlier, a regular file is
  // read again for it.
  std::function<std::string()> fingerprint;
  uint64_t record_count = 0;  // 0 when unknown
  std::string description;    // e.g. "binary, zstd"
  uint64_t seed = 0;
  std::function<double()> fraction_read;  // 0..1 through the input file, -1 for a stream
  std::shared_ptr<void> state;
};

// Throws std::runtime_error naming the path when it cannot be read as a trace. A pipe, FIFO, device or "-" is
// read once, as a stream; its fingerprint is computed while it is read.
// `hash_while_reading` false: a regular file is not hashed as it is read (a further reader of a trace whose
// fingerprint another reader computes); its fingerprint, if asked, reads the file again.
trace_source open_trace(const std::string& path, bool hash_while_reading = true);

// FNV-1a over the file's bytes: identifies the trace in the statistics JSON. A regular file is read again
// (the replay asks its trace_source instead, which computed it while reading); for anything else (which
// cannot be read twice, and reopening a FIFO would wait for a writer) it is the value computed while
// open_trace's reader read it, or "unavailable (not a regular file)".
std::string trace_fingerprint(const std::string& path);

}  // namespace vtdsim::app
