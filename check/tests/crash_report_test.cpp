// Crash reports: when the code under test crashes the process, the run in
// progress is left behind as a compact trace that replays to the same crash.
// Each crash happens in a death test's child process (forked where the test
// stands: gtest's "fast" style); the parent reads the trace the child wrote.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "lockstep/check/crash_report.hpp"
#include "lockstep/check/runner.hpp"
#include "lockstep/check/trace.hpp"

using namespace lockstep;

namespace {

// Many choices after the second release.
const char* const kThreeTurns =
    "task 1: acquire; yield; release; yield; yield\ntask 2: acquire; yield; release; yield; yield\n"
    "task 3: acquire; yield; release; yield; yield\n";

// The real lock, except that its second release crashes the process with
// `signal` (SIGABRT: as std::terminate does).
template <int Signal>
struct SecondReleaseCrashes : check::LockAdapter<Lock> {
  void release() override {
    if (++releases == 2) std::raise(Signal);
    lock_.release();
  }
  int releases = 0;
};

template <class Lock>
check::LockFactory factory() {
  return [] { return std::make_unique<Lock>(); };
}

bool died(int status) { return !(WIFEXITED(status) && WEXITSTATUS(status) == 0); }

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class CrashReport : public testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::path(testing::TempDir()) /
            ("lockstep-crash-" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()) + ".trace");
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  void install() const { check::install_crash_report({path_.string(), "lockstep", "", ""}); }

  // Runs the program with seed 7's random decisions on `lock`.
  static void run_seed_7(const check::LockFactory& lock) {
    check::RandomSource source(7);
    (void)check::run_program(model::parse_program(kThreeTurns), source, lock);
  }

  std::filesystem::path path_;
};

// The same decisions as the crashed run, on the real lock, to the end.
std::vector<std::uint32_t> decisions_of_seed_7() {
  check::RandomSource source(7);
  return check::run_program(model::parse_program(kThreeTurns), source).decisions;
}

const char* const kCrashedDuringARun =
    "(crashed with signal [0-9]+ \\([A-Z]+|the sanitizer stopped the process).* during a run; its program and its "
    "[0-9]+ decision\\(s\\) so far are in .*\nreproduce: lockstep replay ";

TEST_F(CrashReport, ASegfaultInTheLockUnderTestLeavesTheRunInProgressAsATrace) {
  EXPECT_EXIT(
      {
        install();
        run_seed_7(factory<SecondReleaseCrashes<SIGSEGV>>());
      },
      died, kCrashedDuringARun);
  const check::Trace trace = check::parse_trace(read_file(path_));
  EXPECT_EQ(trace.program, model::parse_program(kThreeTurns));
  // The decisions taken before the crash: a start of the full run's, not all of them.
  const std::vector<std::uint32_t> full = decisions_of_seed_7();
  ASSERT_FALSE(trace.decisions.empty());
  ASSERT_LT(trace.decisions.size(), full.size());
  EXPECT_TRUE(std::equal(trace.decisions.begin(), trace.decisions.end(), full.begin()));
}

TEST_F(CrashReport, TheTraceOfACrashReplaysToTheSameCrash) {
  EXPECT_EXIT(
      {
        install();
        run_seed_7(factory<SecondReleaseCrashes<SIGABRT>>());
      },
      died, kCrashedDuringARun);
  const std::string first = read_file(path_);
  const check::Trace trace = check::parse_trace(first);
  std::filesystem::remove(path_);
  EXPECT_EXIT(
      {
        install();
        (void)check::replay(trace, factory<SecondReleaseCrashes<SIGABRT>>());
      },
      died, kCrashedDuringARun);
  EXPECT_EQ(read_file(path_), first);
  // On the real lock the same decisions run to the end and pass.
  EXPECT_TRUE(check::replay(trace).run.passed());
}

// The real lock, except that its second release never returns (an endless
// loop inside one step: no step budget sees it).
struct SecondReleaseHangs : check::LockAdapter<Lock> {
  void release() override {
    volatile bool forever = true;
    if (++releases == 2) {
      while (forever) {
      }
    }
    lock_.release();
  }
  int releases = 0;
};

TEST_F(CrashReport, ARunThatNeverEndsIsReportedAsAHangWithItsTrace) {
  EXPECT_EXIT(
      {
        check::install_crash_report({path_.string(), "lockstep", "", "", 1});
        run_seed_7(factory<SecondReleaseHangs>());
      },
      died, "hung: one run has taken more than 1 s of CPU time .* its program and its [0-9]+ decision\\(s\\) so far");
  const check::Trace trace = check::parse_trace(read_file(path_));
  const std::vector<std::uint32_t> full = decisions_of_seed_7();
  ASSERT_LT(trace.decisions.size(), full.size());
  EXPECT_TRUE(std::equal(trace.decisions.begin(), trace.decisions.end(), full.begin()));
}

TEST_F(CrashReport, AnAbortOutsideAnyRunSaysSoAndWritesNoTrace) {
  EXPECT_EXIT(
      {
        install();
        run_seed_7(check::make_production_lock);  // a run that ends: nothing in progress after it
        std::abort();
      },
      died, "crashed with signal [0-9]+ \\(SIGABRT.* outside any run of a program; no trace was written");
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(CrashReport, TheSummaryLineEndsStdoutAfterTheCrash) {
  const std::string line = "{\"summary\":\"test\",\"verdict\":\"fail\",\"failure\":\"crash\"}";
  EXPECT_EXIT(
      {
        check::install_crash_report({path_.string(), "lockstep", line, "no trace"});
        ::dup2(STDERR_FILENO, STDOUT_FILENO);  // stdout to stderr, which the death test matches
        run_seed_7(factory<SecondReleaseCrashes<SIGABRT>>());
      },
      died, "\\{\"summary\":\"test\",\"verdict\":\"fail\",\"failure\":\"crash\"\\}\n$");
}

}  // namespace
