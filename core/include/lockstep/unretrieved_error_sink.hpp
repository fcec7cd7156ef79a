// Where a failed task's never-retrieved exception is reported.
#pragma once

#include <exception>
#include <string>

#include "lockstep/detail/task_control.hpp"

namespace lockstep {

// A failed task whose exception nobody retrieved says so when its last handle
// goes: by default with a line on stderr ("lockstep: task #N ... exception was
// never retrieved: ..."), as asyncio logs it. A harness can take these reports
// instead (the scenario harness makes each one a failure). The sink is per
// thread, as a loop is; the handler must not throw. Returns the sink before.
struct UnretrievedErrorSink {
  void (*handler)(void* context, TaskId id, const std::string& name, const std::exception_ptr& error) = nullptr;
  void* context = nullptr;  // passed back to handler
};
UnretrievedErrorSink set_unretrieved_error_sink(UnretrievedErrorSink sink) noexcept;

}  // namespace lockstep
