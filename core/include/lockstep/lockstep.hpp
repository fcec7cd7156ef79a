// Everything a user of lockstep's core needs.
#pragma once

#include "lockstep/errors.hpp"      // IWYU pragma: export
#include "lockstep/event_loop.hpp"  // IWYU pragma: export
#include "lockstep/gather.hpp"      // IWYU pragma: export
#include "lockstep/lock.hpp"        // IWYU pragma: export
#include "lockstep/task.hpp"        // IWYU pragma: export
#include "lockstep/wait_for.hpp"    // IWYU pragma: export
