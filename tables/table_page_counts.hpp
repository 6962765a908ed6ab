// The present-entry count of every table page of one paging tree: the builder's bookkeeping (never in
// simulated memory), asked on every map and unmap. An open-addressing hash map from page address to count
// (linear probing, backward-shift deletion): one multiply and a probe or two instead of std::unordered_map's
// division and node chase.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vtd::tables {

class table_page_counts {
 public:
  table_page_counts() : m_slots(16), m_shift(64 - 4) {}

  // The count of `page`, inserted as 0 when absent (as std::unordered_map::operator[]).
  uint16_t& operator[](uint64_t page) {
    size_t i = home(page);
    while (m_slots[i].page != page) {
      if (m_slots[i].page == kEmpty) {
        if (2 * (m_size + 1) > m_slots.size()) {  // keep the load at most 1/2: short probe runs
          grow();
          return (*this)[page];
        }
        m_slots[i] = {page, 0};
        ++m_size;
        return m_slots[i].count;
      }
      i = next(i);
    }
    return m_slots[i].count;
  }

  void erase(uint64_t page) {
    size_t i = home(page);
    while (m_slots[i].page != page) {
      if (m_slots[i].page == kEmpty) return;
      i = next(i);
    }
    // Backward-shift deletion: move up every later entry of the run that may sit at the hole, so that a
    // lookup never stops early at a gap.
    for (size_t j = next(i);; j = next(j)) {
      if (m_slots[j].page == kEmpty) break;
      const size_t h = home(m_slots[j].page);
      // Entry j may move to i when its home is not cyclically in (i, j].
      if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
        m_slots[i] = m_slots[j];
        i = j;
      }
    }
    m_slots[i] = {};
    --m_size;
  }

  size_t size() const { return m_size; }

 private:
  // Table pages are 4 KiB aligned, so this is never one.
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct slot {
    uint64_t page = kEmpty;
    uint16_t count = 0;
  };

  size_t home(uint64_t page) const { return size_t(((page >> 12) * 0x9E3779B97F4A7C15ull) >> m_shift); }
  size_t next(size_t i) const { return (i + 1) & (m_slots.size() - 1); }
  void grow() {
    std::vector<slot> old(m_slots.size() * 2);
    old.swap(m_slots);
    --m_shift;
    m_size = 0;
    for (const slot& s : old)
      if (s.page != kEmpty) (*this)[s.page] = s.count;
  }

  std::vector<slot> m_slots;  // a power of two
  unsigned m_shift;           // 64 - log2(slots)
  size_t m_size = 0;
};

}  // namespace vtd::tables
