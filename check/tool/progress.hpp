// A one-line progress display for long runs: on a terminal only, redrawn at
// most five times a second. Reads the wall clock for display, never for a run.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace lockstep::tool {

class Progress {
 public:
  explicit Progress(std::string what) : what_(std::move(what)), on_terminal_(isatty(STDERR_FILENO) != 0) {}
  ~Progress() { finish(); }

  void update(std::size_t runs, const std::string& extra = {}) {
    if (!on_terminal_) return;
    const auto now = Clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\r\033[K%s: %zu runs, %.0f runs/s, %.1f s%s%s", what_.c_str(), runs,
                 elapsed > 0 ? static_cast<double>(runs) / elapsed : 0.0, elapsed, extra.empty() ? "" : ", ",
                 extra.c_str());
    drawn_ = true;
  }
  void finish() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
  }
  [[nodiscard]] double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  using Clock = std::chrono::steady_clock;
  std::string what_;
  bool on_terminal_;
  bool drawn_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace lockstep::tool
