// The records a device model has produced but not yet released, released in (time, emission order) order: the
// order the generator's merge has always used (a record emitted earlier goes first among records of one
// time).
//
// Two structures hold them. Most records come in time order (every GPU request; a packet's first DMA), so a
// record at or after the latest one appended goes to a FIFO ring, "the run", which is sorted by construction
// and costs a copy in and out. The others (a packet's DMAs issued while earlier packets' unmaps are still
// pending) go to a binary min-heap of 16-byte keys whose records sit in a slot table, so sifting moves keys,
// not 32-byte records. The head is the smaller of the two fronts; on equal times the run's, because a record
// goes to the heap only when it is before the run's tail, which stays in the run until every such record is
// out (the run is never empty while the heap is not): a heap record of the same time as a run record was
// emitted after it.
#pragma once
#include <cstdint>
#include <vector>

#include "traces/record.hpp"

namespace vtd::traces::gen {

class pending_records {
 public:
  bool empty() const { return m_run_size == 0 && m_heap.empty(); }
  size_t size() const { return m_run_size + m_heap.size(); }

  void push(const record& r) {
    if (m_run_size == 0 || r.time_ps >= m_run_tail_time) {
      if (m_run_size == m_run.size()) grow_run();
      m_run[(m_run_head + m_run_size) & m_run_mask] = r;
      ++m_run_size;
      m_run_tail_time = r.time_ps;
      return;
    }
    push_heap(r, m_seq++);
  }
  // Time of the first record. Not empty().
  uint64_t head_time() const { return run_first() ? m_run[m_run_head].time_ps : m_heap.front().time; }
  // Removes and returns the first record. Not empty().
  record pop() {
    if (!run_first()) return pop_heap();
    const record r = m_run[m_run_head];
    m_run_head = (m_run_head + 1) & m_run_mask;
    --m_run_size;
    return r;
  }

 private:
  // A heap key: the time, then the emission order (seq << kSlotBits | slot), so that keys compare as
  // (time, seq) and carry the slot of their record.
  struct key {
    uint64_t time, order;
  };
  static constexpr unsigned kSlotBits = 24;

  // The heap is empty whenever the run is (see above), and the run wins ties.
  bool run_first() const { return m_heap.empty() || m_run[m_run_head].time_ps <= m_heap.front().time; }
  void grow_run();
  void push_heap(const record& r, uint64_t seq);
  record pop_heap();

  std::vector<record> m_run;  // ring, a power of two long; m_run_size records from m_run_head
  size_t m_run_head = 0, m_run_size = 0, m_run_mask = 0;
  uint64_t m_run_tail_time = 0;  // time of the last record appended to the run
  std::vector<key> m_heap;       // min-heap by (time, seq)
  std::vector<record> m_slots;   // the heap's records
  std::vector<uint32_t> m_free;  // unused slots
  uint64_t m_seq = 0;            // heap pushes so far: ties in the heap go in emission order
};

}  // namespace vtd::traces::gen
