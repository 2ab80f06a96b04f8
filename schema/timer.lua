-- The timer service protocol: a client asks for one wake-up after a duration
-- and receives Expired when that time has passed.

protocol "timer" {
  service = "timer", max_clients = "MAX_TIMER_CLIENTS", app_quota = "APP_MAX_TIMERS",
  refusal = [[A connection is refused by the boot service: `Error "busy"` when
the service already serves MAX_TIMER_CLIENTS clients, `Error "quota"` when
the app holds APP_MAX_TIMERS of them (or is at another of its quotas). `After` is never refused; a request
that does not decode is dropped unanswered (counted in the service's
malformed count).]],
  doc = [[A one-shot timer per channel. A client connects to the named service
"timer" over its boot channel and gets a channel of its own; it sends
`After { duration_us }` and receives `Expired {}` once the time has passed.
Each channel has at most one pending timer: a new `After` replaces the
deadline of the one before, which then never fires.]],
}

const "MAX_TIMER_CLIENTS" {
  type = "u32", value = 32, limit = true,
  doc = "Clients the timer service serves at once; the next connection is refused.",
}

const "TICKS_PER_US" {
  type = "u64", value = 10,
  doc = "rdtime ticks per microsecond (QEMU virt aclint-mtimer at 10 MHz).",
}

const "TIMER_TICK_US" {
  type = "u64", value = 100000, limit = true,
  doc = "The scheduler's regular tick (100 ms); a deadline sooner than the next tick re-arms the SBI timer.",
}

union "TimerRequest" {
  doc = "What a client sends on its timer channel.",
  variant "After" {
    tag = 0,
    doc = "Arm (or re-arm) this channel's timer to fire duration_us from now; saturates, never wraps.",
    field "duration_us" { "u64", doc = "Microseconds from the moment the service handles the request." },
  },
}

union "TimerResponse" {
  doc = "What the timer service sends back.",
  variant "Expired" {
    tag = 0,
    doc = "The channel's pending timer has passed its deadline.",
  },
}

invariant "MAX_TIMER_CLIENTS <= (NTASK - MAX_SERVICES - 1) * APP_MAX_TIMERS" {
  doc = "The apps that fit beside the services (and the first app) can hold every timer client, so the service can be filled.",
}

invariant "TIMER_TICK_US >= 1" {
  doc = "The scheduler's tick moves on by TIMER_TICK_US each time it passes (kernel/sched.c): 0 would never move it.",
}

invariant "MAX_TIMER_CLIENTS <= (NTASK - MAX_SERVICES - 1) * ((APP_MAX_ENDS - 2) / 2)" {
  doc = "The same with the apps' ends: a timer client is two ends charged to its app, beside its boot channel's two, so the apps beside the services can hold every client.",
}

invariant "MAX_TIMER_CLIENTS <= (NTASK - MAX_SERVICES - 1) * (MAX_HANDLES - 2)" {
  doc = "The same with the apps' handles: a timer client is a handle of its app, beside BOOT_HANDLE and SPAWN_HANDLE.",
}

invariant "APP_MAX_QUEUED >= APP_MAX_TIMERS + 1" {
  doc = "Every timer client an app may hold can have its Expired queued at once, beside a reply on its boot channel: replies are charged to the app, and one over its quota would be lost (the service never waits on a client).",
}

rpc "after" {
  request = "TimerRequest.After",
  response = "TimerResponse.Expired",
  doc = "Waits until duration_us has passed.",
}
