// Blocks of trace records read once and handed to several consumer threads, each of which sees every block in
// trace order (the replay of several remapping units: every unit's engine counts every record). There is no
// reader thread: the consumer that first needs a block not yet read reads it from the source (one at a time)
// into the next of `slots` buffers, so the reading is shared by whichever threads are ahead. A buffer is
// filled again only after every consumer has released it. A consumer that stops early (an error) must keep
// acquiring and releasing blocks (without using them) so that the others never wait for it.
#pragma once
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "traces/record.hpp"

namespace vtd::replay {

class block_ring {
 public:
  // `next`: the next block of the trace, empty at the end; it may throw (a bad trace): the ring then ends
  // there and read_error() says why. `stop`: asked before each read with the index of the block's first
  // record; true ends the ring there (a consumer failed at an earlier record). `progress`: records read so
  // far, after each block. All three are called by one thread at a time.
  using source = std::function<std::span<const traces::record>()>;
  block_ring(unsigned consumers, unsigned slots, source next, std::function<bool(uint64_t)> stop,
             std::function<void(uint64_t)> progress)
      : m_consumers(consumers),
        m_slots(slots),
        m_next(std::move(next)),
        m_stop(std::move(stop)),
        m_progress(std::move(progress)) {}

  struct block {
    std::span<const traces::record> records;
    uint64_t first = 0;  // the trace index of records[0]
  };
  // Block number `n` (each consumer asks for 0, 1, 2, ... in turn), read now if nobody has; false when the
  // trace ended before it. Valid until release(n).
  bool acquire(uint64_t n, block& out) {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
      if (m_published > n) {
        const slot& s = m_slots[n % m_slots.size()];
        out.records = s.records;
        out.first = s.first;
        return true;
      }
      if (m_ended) return false;
      if (m_reading) {
        m_changed.wait(lock);
        continue;
      }
      // This thread reads ahead: up to half the buffers, each once every consumer has released it (the first
      // one waits for that; the others stop the burst), so that the threads behind find work published and
      // do not wait while one reads.
      m_reading = true;
      for (unsigned burst = 0; burst < std::max(1u, unsigned(m_slots.size() / 2)) && !m_ended; ++burst) {
        slot& s = m_slots[m_published % m_slots.size()];
        if (burst == 0)
          m_changed.wait(lock, [&] { return s.readers == 0; });
        else if (s.readers != 0)
          break;
        lock.unlock();
        const bool end = read_into(s);
        lock.lock();
        if (end) {
          m_ended = true;
        } else {
          s.readers = m_consumers;
          ++m_published;
        }
        m_changed.notify_all();
      }
      m_reading = false;
      m_changed.notify_all();
    }
  }
  void release(uint64_t n) {
    bool now_free = false;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      now_free = --m_slots[n % m_slots.size()].readers == 0;
    }
    if (now_free) m_changed.notify_all();
  }

  // After every consumer is done: what the source threw, and the index of the record it was reading.
  const std::string& read_error() const { return m_error; }
  uint64_t read_error_at() const { return m_error_at; }
  uint64_t records_read() const { return m_read; }

 private:
  struct slot {
    std::vector<traces::record> records;
    uint64_t first = 0;
    unsigned readers = 0;  // consumers that have not released it yet
  };
  // Reads the next block into `s` (the reading thread alone touches it); true at the end of the trace.
  bool read_into(slot& s) {
    try {
      if (m_stop(m_read)) return true;
      const std::span<const traces::record> records = m_next();
      if (records.empty()) return true;
      s.records.assign(records.begin(), records.end());
      s.first = m_read;
      m_read += records.size();
      m_progress(m_read);
      return false;
    } catch (const std::exception& e) {
      m_error = e.what();
      m_error_at = m_read;
      return true;
    }
  }
  const unsigned m_consumers;
  std::vector<slot> m_slots;
  source m_next;
  std::function<bool(uint64_t)> m_stop;
  std::function<void(uint64_t)> m_progress;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  uint64_t m_published = 0;  // blocks read
  uint64_t m_read = 0;       // records read (the reading thread's; read by others after it published)
  bool m_reading = false, m_ended = false;
  std::string m_error;
  uint64_t m_error_at = 0;
};

}  // namespace vtd::replay
