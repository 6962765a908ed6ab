// GPU / accelerator model: large long-lived buffers mapped once with 2 MiB / 1 GiB aligned IOVAs and HPAs (so
// the tables use superpages), streamed or strided through at a given bandwidth.
#pragma once
#include "traces/gen/device_model.hpp"
#include "traces/gen/workload.hpp"

namespace vtd::traces::gen {

class gpu_model final : public device_model {
 public:
  gpu_model(unsigned index, const gpu_params& p, uint64_t seed, platform_parts& platform);

  // Every event is one DMA at the event's time, so once the pending record (if any) is out, the requests are
  // written out as they are made, without the pending queue.
  size_t release(record* out, size_t room, uint64_t& dma_budget, uint64_t until,
                 bool until_inclusive) override;

 private:
  void next_event() override;
  // Where the stream is: the random stream, the next request's time, its place in the buffers.
  struct stream {
    rng random;
    uint64_t next, offset, column;
    unsigned buffer;
  };
  stream load() const;
  void store(const stream& st);
  // The request at st.next; advances `st`.
  record next_request(stream& st) const;
  gpu_params m_p;
  std::vector<uint64_t> m_buffers;
  uint64_t m_offset = 0, m_column = 0;
  unsigned m_buffer = 0;
  uint64_t m_interval = 0;
  record m_request[2];  // a read and a write request at time 0, address 0
};

}  // namespace vtd::traces::gen
