// The pictures of a trace (show --svg, show --html) say what the steps say:
// labels on the lanes, one-step holds, wake-ups, marks, the failing step, the
// time axis, and text that cannot break the SVG or the page.
#include <gtest/gtest.h>

#include <string>

#include "lockstep/check/show.hpp"
#include "lockstep/check/trace.hpp"

namespace lockstep::check {
namespace {

// check/traces/cancel_waiters.trace: task 1 releases and wakes task 4 at
// step 3; task 4 takes and releases the lock within step 8.
const char* const kCancelWaiters = R"(lockstep trace v2
strategy: random seed=19
program:
  task 1: acquire; yield; cancel 3; release; yield; cancel 2
  task 2: acquire; release
  task 3: acquire; release
  task 4: acquire; release
decisions: 0 2 2 1 0 1 1
steps: 8
  1 @0 t1,t2,t3,t4 #0: acquire a ok => t2,t3,t4,t1 | 1=ready:yield,2=ready,3=ready,4=ready | a=held(1)[] | -
  2 @0 t2,t3,t4,t1 #2: - => t2,t3,t1 | 1=ready:yield,2=ready,3=ready,4=parked:acquire | a=held(1)[4] | -
  3 @0 t2,t3,t1 #2: yield ok, cancel 3 yes, release a ok => t2,t3,t4,t1 | 1=ready:yield,2=ready,3=ready c1,4=ready:acquire | a=free[4w] | -
  4 @0 t2,t3,t4,t1 #1: - => t2,t4,t1 | 1=ready:yield,2=ready,3=cancelled c1,4=ready:acquire | a=free[4w] | -
  5 @0 t2,t4,t1 #0: - => t4,t1 | 1=ready:yield,2=parked:acquire,3=cancelled c1,4=ready:acquire | a=free[4w,2] | -
  6 @0 t4,t1 #1: yield ok, cancel 2 yes, end ok => t4,t2 | 1=ok,2=ready:acquire c1,3=cancelled c1,4=ready:acquire | a=free[4w,2x] | -
  7 @0 t4,t2 #1: acquire a cancelled, end cancelled => t4 | 1=ok,2=cancelled c1,3=cancelled c1,4=ready:acquire | a=free[4w] | -
  8 @0 t4 #0: acquire a ok, release a ok, end ok => - | 1=ok,2=cancelled c1,3=cancelled c1,4=ok | a=free[] | -
verdict: pass
)";

// Mutant 07's lost wake-up (check/traces/lost_wakeup.trace, steps 4 to 7 of it
// renumbered): the clock jumps to 2 s, task 3 times out, tasks 1 and 4 stay stuck.
const char* const kLostWakeup = R"(lockstep trace v2
strategy: random seed=3
program:
  task 1: scoped { yield; sleep 1; throw }
  task 2: acquire; yield; release; acquire; release
  task 3: yield; cancel 2; acquire_timeout 2; release
  task 4: scoped { yield }; try_acquire; release
decisions: 1 1 1 2 0
steps: 7
  1 @0 t1,t2,t3,t4 #1: acquire a ok => t1,t3,t4,t2 | 1=ready,2=ready:yield,3=ready,4=ready | a=held(2)[] | -
  2 @0 t1,t3,t4,t2 #1: - => t1,t4,t2,t3 | 1=ready,2=ready:yield,3=ready:yield,4=ready | a=held(2)[] | -
  3 @0 t1,t4,t2,t3 #1: - => t1,t2,t3 | 1=ready,2=ready:yield,3=ready:yield,4=parked:scoped | a=held(2)[4] | -
  4 @0 t1,t2,t3 #2: yield ok, cancel 2 yes => t1,t2 | 1=ready,2=ready:yield c1,3=parked:acquire_timeout,4=parked:scoped | a=held(2)[4,3] | 2:t3
  5 @0 t1,t2 #0: - => t2 | 1=parked:scoped,2=ready:yield c1,3=parked:acquire_timeout,4=parked:scoped | a=held(2)[4,3,1] | 2:t3
  6 @0 t2 #0: yield cancelled, end cancelled => - | 1=parked:scoped,2=cancelled c1,3=parked:acquire_timeout,4=parked:scoped | a=held(2)[4,3,1] | 2:t3
  7 @2 t3 #0: acquire_timeout a timeout, release a ok, end ok => - | 1=parked:scoped,2=cancelled c1,3=ok,4=parked:scoped | a=free[4,1] | -
verdict: lost-wakeup: after step 7: nothing can run, lock a is free, and 2 live waiter(s) are still queued
)";

std::string with_verdict(const std::string& trace, const std::string& verdict) {
  return trace.substr(0, trace.rfind("verdict: ")) + "verdict: " + verdict + "\n";
}

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(ShowSvg, WritesEachStepsOperationsOnTheLaneAsText) {
  const std::string svg = timeline_svg(parse_trace(kCancelWaiters));
  EXPECT_NE(svg.find(">yield ok</text>"), std::string::npos);
  EXPECT_NE(svg.find(">cancel 3 yes</text>"), std::string::npos);
  EXPECT_NE(svg.find(">~acquire</text>"), std::string::npos);
}

TEST(ShowSvg, MarksAHoldThatStartsAndEndsInOneStep) {
  EXPECT_NE(timeline_svg(parse_trace(kCancelWaiters)).find("holds a within step 8"), std::string::npos);
}

TEST(ShowSvg, DrawsAnArrowFromTheReleaseToTheWaiterItWoke) {
  const std::string svg = timeline_svg(parse_trace(kCancelWaiters));
  EXPECT_EQ(count(svg, "marker-end=\"url(#arrow)\""), 1);
  EXPECT_NE(svg.find("t1 wakes t4 (lock a)"), std::string::npos);
}

TEST(ShowSvg, MarksTimeoutsCancellationsAndStuckTasks) {
  const std::string svg = timeline_svg(parse_trace(kLostWakeup));
  EXPECT_NE(svg.find("<title>acquire_timeout a timeout</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>yield cancelled</title>"), std::string::npos);
  EXPECT_EQ(count(svg, ">stuck at scoped</text>"), 2);
}

TEST(ShowSvg, MarksAnException) {
  const std::string trace = R"(lockstep trace v2
strategy: s
program:
  task 1: throw
decisions:
steps: 1
  1 @0 t1 #0: throw error, end error => - | 1=error | a=free[] | -
verdict: pass
)";
  EXPECT_NE(timeline_svg(parse_trace(trace)).find("<title>throw error</title>"), std::string::npos);
}

TEST(ShowSvg, FramesTheStepTheFailureNamesAndStatesTheInvariant) {
  const std::string svg = timeline_svg(parse_trace(kLostWakeup));
  EXPECT_NE(svg.find("failing step 7"), std::string::npos);
  EXPECT_NE(svg.find("broken invariant: lost-wakeup: after step 7: nothing can run"), std::string::npos);
  const std::string earlier = with_verdict(kLostWakeup, "model-disagreement: step 4: queue after: expected t3, got -");
  EXPECT_NE(timeline_svg(parse_trace(earlier)).find("failing step 4"), std::string::npos);
  const std::string nameless = with_verdict(kLostWakeup, "deadlock: tasks 1 and 4 are stuck");
  EXPECT_NE(timeline_svg(parse_trace(nameless)).find("failing step 7"), std::string::npos);
}

TEST(ShowSvg, APassingTraceHasNoFailingStep) {
  const std::string svg = timeline_svg(parse_trace(kCancelWaiters));
  EXPECT_EQ(svg.find("failing step"), std::string::npos);
  EXPECT_EQ(svg.find("broken invariant"), std::string::npos);
}

TEST(ShowSvg, ShowsVirtualTimeAndWhereTheClockJumps) {
  const std::string svg = timeline_svg(parse_trace(kLostWakeup));
  EXPECT_NE(svg.find(">@0s</text>"), std::string::npos);
  EXPECT_NE(svg.find(">+2s</text>"), std::string::npos);
  EXPECT_NE(svg.find(">@2s</text>"), std::string::npos);
}

TEST(ShowSvg, EscapesTheTracesText) {
  const std::string svg = timeline_svg(parse_trace(with_verdict(kLostWakeup, "lost-wakeup: <b>\"&'")));
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;b&gt;&quot;&amp;&#39;"), std::string::npos);
}

TEST(ShowHtml, EmbedsTheTraceSoThatNoTextCanEndTheScript) {
  const std::string html = timeline_html(parse_trace(with_verdict(kLostWakeup, "lost-wakeup: </script><!-- \"x\"")));
  EXPECT_EQ(count(html, "</script>"), 2);  // the end of the data and of the code, nothing else
  EXPECT_EQ(html.find("<!--"), std::string::npos);
  EXPECT_NE(html.find("\\u003c/script\\u003e\\u003c!-- \\\"x\\\""), std::string::npos);
}

TEST(ShowHtml, IsOneSelfContainedPage) {
  const std::string html = timeline_html(parse_trace(kLostWakeup));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("\"failing\":6"), std::string::npos);  // 0-based in the data
}

}  // namespace
}  // namespace lockstep::check
