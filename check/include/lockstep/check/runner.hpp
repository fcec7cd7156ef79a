// The runner: runs a Program on core's EventLoop and a lock under a choice
// source, feeds every step to the reference model, and after every step checks
// SEMANTICS OB-*. Deterministic: the same program and decisions give the same steps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/check/choice.hpp"
#include "lockstep/check/lock_under_test.hpp"
#include "lockstep/model/program.hpp"
#include "lockstep/model/step_record.hpp"

namespace lockstep::check {

enum class FailureKind : std::uint8_t {
  none,
  two_holders,           // mutual exclusion broken
  double_resume,         // a waiter woken while it was not suspended
  lost_wakeup,           // idle, lock free, a live waiter still queued
  deadlock,              // tasks stuck, and the model did not predict it
  lock_left_held,        // the end: held, though the model says free
  waiters_left_queued,   // the end: every task done, waiters still queued
  exception_escaped,     // a task failed where the model says it does not
  exception_swallowed,   // the model says a task fails; it did not
  model_disagreement,    // any other difference from the model
  step_budget_exceeded,  // livelock
  frames_leaked,         // a task's coroutine frame outlived the loop
  statistics_wrong,      // a lock's statistics() disagree with the queue it lists
};

std::string_view name_of(FailureKind kind);
std::optional<FailureKind> failure_kind_from_name(std::string_view name);

struct RunOptions {
  std::size_t step_budget = 10'000;
  // Off: only the model-free checks of SEMANTICS OB-* run (two holders, double
  // resume, lost wake-up, and at the end: any stuck task is a deadlock, a held
  // lock is left held, queued waiters are left queued).
  bool compare_with_model = true;
};

struct RunResult {
  std::vector<model::StepRecord> steps;
  std::vector<std::uint32_t> decisions;  // one per step that had a choice
  FailureKind failure = FailureKind::none;
  std::string message;                  // what went wrong, with the step number
  std::vector<int> predicted_deadlock;  // tasks the model also leaves stuck
  [[nodiscard]] bool passed() const { return failure == FailureKind::none; }
};

RunResult run_program(const model::Program& program, ChoiceSource& choices,
                      const LockFactory& make_lock = make_production_lock, const RunOptions& options = {});
// The same, into `result` (every field overwritten): the step records and
// decisions of the run `result` held before are reused, so a caller that runs
// many executions with one RunResult allocates no step records once they fit.
void run_program(const model::Program& program, ChoiceSource& choices, const LockFactory& make_lock,
                 const RunOptions& options, RunResult& result);

// OB-UNSTEERED: the program run by the loop's own drivers, with no policy and
// no stepping from outside (run_until_idle(); then run_ready() between single
// steps, which must not move the clock), ends as the model's run in asyncio's
// order (every decision 0): as many steps, the same clock, every task's
// outcome. Returns the difference, or "" (also for a run past the step budget).
// run_program makes this check after a passing run whose decisions are all 0
// (the FIFO run), when it compares with the model: once for each program that
// differs from the one this thread checked last.
std::string check_unsteered(const model::Program& program, const LockFactory& make_lock = make_production_lock);

}  // namespace lockstep::check
