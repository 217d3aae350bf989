// A small persistent thread pool: the calling (JS) thread plus `threads - 1` workers share the tasks of one
// parallel region, claiming them from an atomic counter. Dynamic claiming matters on a shared machine: when a
// worker is descheduled, the caller simply runs the remaining tasks itself instead of waiting for a fixed share.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace sg {

class Pool {
 public:
  using TaskFn = void (*)(void* ctx, int task, int thread);

  explicit Pool(int threads);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int threads() const { return threads_; }

  // Runs fn(ctx, t, thread) for t in [0, tasks); returns when all are done. `thread` is in [0, threads()) and
  // identifies the executing thread (for per-thread scratch). Not re-entrant; call from one thread only.
  void run(int tasks, TaskFn fn, void* ctx);

  // Below this much work (multiply-adds, or elements moved) a region runs on the calling thread alone: waking a
  // sleeping worker costs tens to hundreds of microseconds on a busy or virtual machine, more than such a job takes,
  // and a worker spinning for the next region slows the JS thread's own work (V8's GC helpers, the wasm ops). 8 M:
  // the small dense AE's products (5 M) ran faster on one thread; the medium and big ones (50 M+) gain from two.
  static constexpr double kMinParallelWork = 1 << 23;

  // `work`: the job's size in multiply-adds or elements moved (default: large enough to always share).
  template <class F>
  void parallel_for(int tasks, F&& f, double work = 1e300) {
    if (work < kMinParallelWork) {
      for (int t = 0; t < tasks; t++) f(t, 0);
      return;
    }
    auto tramp = [](void* c, int t, int th) { (*static_cast<F*>(c))(t, th); };
    run(tasks, tramp, &f);
  }

 private:
  void worker(int index);
  void drain(int thread);

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  // The current region. fn_, ctx_ and tasks_ are written by run() only while no worker is inside a region.
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> next_{0};
  // Whether the region still takes helpers: run() closes it once it has drained the tasks itself, and then waits
  // only for workers that entered (active_), never for one that the OS has not scheduled yet.
  std::atomic<bool> open_{false};
  std::atomic<int> active_{0};
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false;
};

}  // namespace sg
