// GPU / accelerator model: large long-lived buffers mapped once with 2 MiB / 1 GiB aligned IOVAs and HPAs (so
// the tables use superpages), streamed or strided through at a given bandwidth.
#pragma once
#include "traces/gen/device_model.hpp"
#include "traces/gen/workload.hpp"

namespace vtd::traces::gen {

class gpu_model final : public device_model {
 public:
  gpu_model(unsigned index, const gpu_params& p, uint64_t seed, platform_parts& platform);

 private:
  void next_event() override;
  gpu_params m_p;
  std::vector<uint64_t> m_buffers;
  uint64_t m_offset = 0, m_column = 0;
  unsigned m_buffer = 0;
  uint64_t m_interval = 0;
};

}  // namespace vtd::traces::gen
