// Importing Linux IOMMU trace events (docs/trace-import.md, "Linux"): the text `trace-cmd report`,
// `perf script` or /sys/kernel/tracing/trace writes for iommu:map, iommu:unmap, iommu:io_page_fault,
// iommu:attach_device_to_domain / detach_device_from_domain (and the group events) and intel_iommu:qi_submit
// (the other intel_iommu events are counted). The source has the driver's side only; the device's DMAs are
// generated per mapped buffer by a pattern the caller chooses.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "traces/import/import_result.hpp"

namespace vtd::traces::import {

enum class dma_pattern {
  none,    // no DMAs: the trace has the driver's records only
  touch,   // one request at the start of every 4 KiB page of each new mapping, right after the map
  stream,  // `count` requests of `bytes` each, walking the mapping from its start (wrapping), after the map
};

struct linux_import_options {
  dma_pattern pattern = dma_pattern::touch;
  unsigned count = 16;             // stream: requests per mapping
  unsigned bytes = 64;             // bytes per generated request (at most 4096; never crosses a 4 KiB page)
  bool write = false;              // generated requests write (else read)
  std::optional<uint16_t> sid;     // the device the DMAs come from (default: the first attached device)
  std::optional<uint16_t> domain;  // the DID of the one domain the mappings go into (default: see docs)
};

import_result import_linux_log(const std::string& path, const linux_import_options& options);
import_result import_linux_text(std::string_view text, const std::string& name,
                                const linux_import_options& options);

}  // namespace vtd::traces::import
