#pragma once

#include <sluice/concurrent/Future.h>

namespace sluice {

/// The handle of a scheduled task (Netty's ScheduledFuture): cancel() stops it from running
/// (again); a one-shot task's future succeeds when the task has run, and fails with what it
/// threw. A periodic task's future completes only by cancellation or shutdown.
using ScheduledFuture = Future<void>;

}  // namespace sluice
