/*
 * Preloaded before Debian's libfaketime 0.9.10 for the shifted-clock test run (.ci/run).
 *
 * With FAKETIME_DONT_FAKE_MONOTONIC=1 libfaketime leaves CLOCK_MONOTONIC alone (so Python's
 * timed lock waits, which use sem_clockwait on the monotonic clock and which libfaketime does
 * not wrap, still time out), but its clock_nanosleep() wrapper still shifts an absolute
 * CLOCK_MONOTONIC deadline by the fake offset, and Python's time.sleep() (an absolute
 * monotonic clock_nanosleep) then fails with EINVAL. Monotonic sleeps go straight to the
 * kernel here; every other clock goes on to libfaketime.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_nanosleep_fn)(clockid_t, int, const struct timespec *, struct timespec *);

int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *req, struct timespec *rem)
{
    if (clock_id == CLOCK_MONOTONIC) {
        long result = syscall(SYS_clock_nanosleep, clock_id, flags, req, rem);
        return result == 0 ? 0 : errno;
    }
    static clock_nanosleep_fn next;
    if (next == NULL) {
        next = (clock_nanosleep_fn)dlsym(RTLD_NEXT, "clock_nanosleep");
    }
    return next(clock_id, flags, req, rem);
}
