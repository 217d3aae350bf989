#include "pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#else
static inline void cpu_relax() {}
#endif

namespace sg {

Pool::Pool(int threads) : threads_(threads < 1 ? 1 : threads) {
  for (int i = 1; i < threads_; i++) workers_.emplace_back(&Pool::worker, this, i);
}

Pool::~Pool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void Pool::drain(int thread) {
  for (;;) {
    int t = next_.fetch_add(1, std::memory_order_relaxed);
    if (t >= tasks_) break;
    fn_(ctx_, t, thread);
  }
}

void Pool::run(int tasks, TaskFn fn, void* ctx) {
  if (tasks <= 0) return;
  if (threads_ == 1 || tasks == 1) {
    for (int t = 0; t < tasks; t++) fn(ctx, t, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn;
    ctx_ = ctx;
    tasks_ = tasks;
    next_.store(0, std::memory_order_relaxed);
    open_.store(true, std::memory_order_seq_cst);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  drain(0);
  // Every task is claimed. Close the region, then wait for the workers that entered it to finish their tasks: a
  // worker that enters after this sees the region closed and leaves without touching it (see worker()). On a
  // machine with more threads than cores, a worker may not run for milliseconds; the caller does not wait for it.
  open_.store(false, std::memory_order_seq_cst);
  for (int spin = 0; active_.load(std::memory_order_seq_cst) != 0; spin++) {
    if (spin < 2000) {
      cpu_relax();
    } else {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return active_.load(std::memory_order_seq_cst) == 0; });
    }
  }
}

void Pool::worker(int index) {
  // The generation the pool had when this thread was created (0), not whatever it is when the thread first runs: a
  // region that run() starts before a new thread gets scheduled must still be seen.
  uint64_t seen = 0;
  for (;;) {
    // Spin a little first: kernels of one training step come in quick succession, and waking a sleeping thread
    // costs tens of microseconds. Briefly: a spinning thread takes a core from whatever else runs (V8's GC helpers,
    // another process), so it sleeps after roughly 50 µs.
    uint64_t g = generation_.load(std::memory_order_acquire);
    for (int spin = 0; g == seen && spin < 2000; spin++) {
      cpu_relax();
      g = generation_.load(std::memory_order_acquire);
    }
    if (g == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      g = generation_.load();
    }
    seen = g;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
    }
    // Enter, then look: either run() sees this worker counted in active_ and waits for it, or this worker sees the
    // region closed and leaves (both are seq_cst, so one of the two orders holds).
    active_.fetch_add(1, std::memory_order_seq_cst);
    if (open_.load(std::memory_order_seq_cst)) drain(index);
    if (active_.fetch_sub(1, std::memory_order_seq_cst) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_all();
    }
  }
}

}  // namespace sg
