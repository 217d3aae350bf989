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
    busy_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  drain(0);
  // Wait for workers that claimed a task (or have not yet noticed the region): spin briefly, then sleep.
  for (int spin = 0; busy_.load(std::memory_order_acquire) != 0; spin++) {
    if (spin < 4000) {
      cpu_relax();
    } else {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait_for(lock, std::chrono::microseconds(200), [&] { return busy_.load() == 0; });
    }
  }
}

void Pool::worker(int index) {
  // The generation the pool had when this thread was created (0), not whatever it is when the thread first runs: a
  // region that run() starts before a new thread gets scheduled must still be joined, or run() waits for it forever.
  uint64_t seen = 0;
  for (;;) {
    // Spin a little first: kernels of one training step come in quick succession, and waking a sleeping thread
    // costs tens of microseconds. Then sleep, so that an idle process leaves the core to others.
    uint64_t g = generation_.load(std::memory_order_acquire);
    for (int spin = 0; g == seen && spin < 20000; spin++) {
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
    drain(index);
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_all();
    }
  }
}

}  // namespace sg
