-- The kernel ABI: syscall numbers with their arguments and results, the
-- message limits of channel IPC, and the error codes syscalls return.
-- A syscall returns a non-negative result or -kernel_error.

protocol "kernel" {
  doc = [[The system-call interface of the RISC-V kernel. An app calls `ecall`
with the syscall number in a7 and up to six arguments in a0..a5; the result
comes back in a0: a non-negative value on success, or the negated
`kernel_error` code. Every user pointer and length is checked by the kernel.]],
}

const "MAX_MSG_SIZE" { type = "u32", value = 1024, limit = "message_bytes", doc = "Largest channel message, in bytes." }
const "MAX_CAPS" { type = "u32", value = 4, limit = "message_caps", doc = "Channel handles one message can carry." }
const "CHAN_QUEUE_DEPTH" { type = "u32", value = 64, limit = true, doc = "Messages a channel end holds before send blocks (or fails with WOULD_BLOCK)." }
const "MAX_HANDLES" { type = "u32", value = 64, limit = true, doc = "Channel handles one app can hold." }
const "BOOT_HANDLE" { type = "u32", value = 0, doc = "The boot channel's handle in every app." }
const "SPAWN_HANDLE" { type = "u32", value = 1, doc = "A spawned app's channel to its parent (the parent holds the other end, returned by spawn)." }
const "APP_MAX_ENDS" { type = "u32", value = 128, limit = true, doc = "Quota: channel ends one app may have made (its own, given away, queued, and its boot, spawn and service channels) and not yet freed." }
const "APP_MAX_QUEUED" { type = "u32", value = 256, limit = true, doc = "Quota: messages queued on one app's account and not yet received (those it sent, and the replies services queued for it)." }
const "APP_MAX_TIMERS" { type = "u32", value = 16, limit = true, doc = "Quota: timer service clients one app may have connected at once." }
const "NTASK" { type = "u32", value = 64, limit = true, doc = "Task slots: apps and the kernel's service tasks (one per service)." }
const "MAX_SERVICES" { type = "u32", value = 8, limit = "services", doc = "Kernel services the schemas may declare (protocol \"P\" { service = \"NAME\" }); kstat reports each." }
const "CHAN_NONBLOCK" { type = "u32", value = 1, doc = "flags bit: fail with WOULD_BLOCK instead of blocking." }

-- What the kernel and every app need of the limits (a --set that breaks
-- one is refused; tests/tree/limits runs the smallest value of each limit).
invariant "MAX_HANDLES > BOOT_HANDLE && MAX_HANDLES > SPAWN_HANDLE" {
  doc = "Every app is given its boot channel at BOOT_HANDLE, a spawned app its parent's channel at SPAWN_HANDLE: both are handles of the table.",
}

invariant "MAX_HANDLES >= 4" {
  doc = "An app holds BOOT_HANDLE and SPAWN_HANDLE (or, first in bootargs, a handle in its place) and still makes a channel pair (chan_create installs two handles at once).",
}

invariant "APP_MAX_ENDS >= 4" {
  doc = "An app's boot channel is two ends charged to it; it must still make one channel of its own or connect one service (two ends more), or it can do nothing.",
}

invariant "CHAN_QUEUE_DEPTH >= 1" {
  doc = "A channel holds a message: a request until its service takes it, a reply until the app takes it.",
}

invariant "NTASK > MAX_SERVICES" {
  doc = "A task slot per service and one for the first app named in bootargs.",
}

enum "kernel_error" {
  type = "u32",
  doc = "Why a syscall failed; returned negated in a0.",
  value "OK" { 0, doc = "Not an error." },
  value "NO_SYSCALL" { 1, doc = "Unknown syscall number." },
  value "BAD_HANDLE" { 2, doc = "The handle names no open channel of this app." },
  value "BAD_ADDRESS" { 3, doc = "A pointer or length reaches outside the app's memory." },
  value "TOO_BIG" { 4, doc = "Message over MAX_MSG_SIZE or more than MAX_CAPS capabilities." },
  value "WOULD_BLOCK" { 5, doc = "CHAN_NONBLOCK given and the call would have waited." },
  value "CLOSED" { 6, doc = "The peer closed the channel and nothing is left to receive." },
  value "NO_MEMORY" { 7, doc = "The kernel is out of memory or handles." },
  value "INVALID" { 8, doc = "An argument is out of its range." },
  value "BUFFER_TOO_SMALL" { 9, doc = "The receive buffer is shorter than the message (it stays queued)." },
  value "DENIED" { 10, doc = "Only the first app (the one named first in bootargs) may do this." },
  value "QUOTA" { 11, doc = "The app's quota (APP_MAX_ENDS, APP_MAX_QUEUED, a service's app_quota) is used up." },
  value "NOT_FOUND" { 12, doc = "No app or service has that name." },
}

syscall "console_write" {
  number = 1, result = "isize",
  doc = "Writes len bytes to the console; returns len.",
  arg "buf" { "uptr_in" }, arg "len" { "usize" },
}

syscall "exit" {
  number = 2, result = "isize",
  doc = "Ends the calling app; its handles are closed. Does not return.",
  arg "code" { "i32" },
}

syscall "yield" {
  number = 3, result = "isize",
  doc = "Gives up the rest of the time slice; returns 0.",
}

syscall "time_now" {
  number = 4, result = "u64",
  doc = "The current rdtime value, in ticks (TICKS_PER_US per microsecond).",
}

syscall "chan_create" {
  number = 5, result = "isize",
  doc = "Makes a channel pair; stores its two handles at ends[0], ends[1]; returns 0.",
  arg "ends" { "uptr_out" },
}

syscall "chan_send" {
  number = 6, result = "isize",
  doc = "Queues one message with ncaps handles (moved to the receiver); returns 0.",
  arg "handle" { "u32" }, arg "buf" { "uptr_in" }, arg "len" { "usize" },
  arg "caps" { "uptr_in" }, arg "ncaps" { "u32" }, arg "flags" { "u32" },
}

syscall "chan_recv" {
  number = 7, result = "isize",
  doc = "Takes one message: its bytes into buf, its handles into caps and their count into *ncaps; returns its length.",
  arg "handle" { "u32" }, arg "buf" { "uptr_out" }, arg "cap" { "usize" },
  arg "caps" { "uptr_out" }, arg "ncaps" { "uptr_out" }, arg "flags" { "u32" },
}

syscall "chan_close" {
  number = 8, result = "isize",
  doc = "Closes a handle; the peer's receive then returns CLOSED once its queue is empty.",
  arg "handle" { "u32" },
}

syscall "chan_poll_add" {
  number = 9, result = "isize",
  doc = "Adds a channel to the app's poll set, which block waits on.",
  arg "handle" { "u32" },
}

syscall "chan_poll_remove" {
  number = 10, result = "isize",
  doc = "Removes a channel from the app's poll set.",
  arg "handle" { "u32" },
}

syscall "block" {
  number = 11, result = "isize",
  doc = "Sleeps until a channel of the poll set has a message or is closed, or until deadline (rdtime ticks; 0 = none); returns a ready handle (ready handles take turns, oldest-ready first), or -WOULD_BLOCK at the deadline. An empty poll set with no deadline is -INVALID.",
  arg "deadline" { "u64" },
}

syscall "shutdown" {
  number = 12, result = "isize",
  doc = "Powers the machine off through SBI system reset; code 0 is a pass, any other a failure. Only the first app may: any other gets -DENIED. Does not return.",
  arg "code" { "i32" },
}

syscall "spawn" {
  number = 13, result = "isize",
  doc = "Starts the app built into the kernel image under name (name_len bytes) with the argument string arg (arg_len bytes); returns a handle to a new channel whose other end is the child's handle SPAWN_HANDLE. The child's end closes when it exits or is killed. -NOT_FOUND for a name no app has, -INVALID for a name or argument out of range, -NO_MEMORY when no task slot or memory is left.",
  arg "name" { "uptr_in" }, arg "name_len" { "usize" },
  arg "arg" { "uptr_in" }, arg "arg_len" { "usize" },
}

syscall "kstat" {
  number = 14, result = "isize",
  doc = "Copies the kernel's counters (struct kernel_stats) to buf; len below sizeof(struct kernel_stats) is -BUFFER_TOO_SMALL. Returns the size written.",
  arg "buf" { "uptr_out" }, arg "len" { "usize" },
}

syscall "kill" {
  number = 15, result = "isize",
  doc = "Ends the child at the other end of handle, a channel spawn returned: its handles are closed and the channel then reports CLOSED, even where the child had moved its end (that end is cut). A child holding its parent's end of its own spawn channel that kills with it ends itself, as by exit. Returns 0; -BAD_HANDLE if handle is no open channel, -INVALID if it is not a spawn channel of a running child.",
  arg "handle" { "u32" },
}

const "REG_MSG_BYTES" {
  type = "u32", value = 48, limit = "message_registers",
  doc = "Largest message call and reply_recv hand straight to a receiver already waiting in call or reply_recv (at most six registers' worth: t0..t2, t3..t5 in the register form); it is never queued. Longer messages, and messages with handles, are queued as chan_send queues them. The generated docs mark an rpc whose request and replies all fit.",
}

invariant "REG_MSG_BYTES <= 48" {
  doc = "The register form carries a message in six 8-byte registers (t0..t2, t3..t5).",
}

struct "chan_io" {
  layout = "c",
  doc = "One message for call and reply_recv. To send: buf and len are its bytes, caps and ncaps its handles (moved). To receive: buf and len are the buffer and its size, caps room for MAX_CAPS handles; the kernel writes the message's length to len, the handles to caps and their count to ncaps, and status.",
  field "buf" { "u64", doc = "Address of the bytes." },
  field "len" { "u64", doc = "Bytes to send; to receive, the buffer's size, then the message's length." },
  field "caps" { "u64", doc = "Address of the handles (u32 each); 0 for none." },
  field "ncaps" { "u32", doc = "Handles to send; received, their count." },
  field "status" { "i32", doc = "Received: 0, or the negated kernel_error of the end returned (-CLOSED: its peer closed and nothing is queued; -BUFFER_TOO_SMALL: len is the length needed, the message stays queued)." },
}

const "CHAN_REG_LEN_SHIFT" { type = "u32", value = 8, doc = "call and reply_recv: a length in flags (the message sent in registers) and in a1 (the one received in them) sits at this bit, CHAN_REG_LEN_MASK wide." }
const "CHAN_REG_LEN_MASK" { type = "u32", value = 255, doc = "The width of the length at CHAN_REG_LEN_SHIFT." }
invariant "REG_MSG_BYTES <= CHAN_REG_LEN_MASK && CHAN_REG_LEN_SHIFT >= 2" {
  doc = "A length in registers fits its field, above the CHAN_REG_IN and CHAN_REG_OUT bits.",
}
const "CHAN_REG_IN" { type = "u32", value = 1, doc = "call and reply_recv flags bit: a message received of at most REG_MSG_BYTES without handles may come back in registers (t0..t2, t3..t5, little-endian, a1 = (length << CHAN_REG_LEN_SHIFT) | CHAN_REG_IN; a1 = 0 when it came into the chan_io instead). Only a wrapper that declares those registers may set it (clients/lib: chan_call, chan_reply_recv)." }
const "CHAN_REG_OUT" { type = "u32", value = 2, doc = "call and reply_recv flags bit: the message sent is in registers t0..t2, t3..t5, its length in flags at CHAN_REG_LEN_SHIFT (at most REG_MSG_BYTES, no handles); its chan_io is not read." }

syscall "call" {
  number = 16, result = "isize",
  doc = "Sends req on handle and waits for the next message on that same end, received into rep, in one entry: the message's length, or -WOULD_BLOCK at deadline (rdtime ticks; 0: none; the request was sent), -CLOSED when the peer closes first. flags: CHAN_REG_OUT, CHAN_REG_IN (the register form); cap: the size of the buffer a message in registers goes to. A request of at most REG_MSG_BYTES without handles goes straight to a receiver waiting in call or reply_recv, which runs next. Errors of the send (-BAD_HANDLE, -TOO_BIG, -QUOTA, ...) come before anything is sent; a reply too long for rep is -BUFFER_TOO_SMALL, left queued.",
  arg "handle" { "u32" }, arg "req" { "uptr_in" }, arg "rep" { "uptr_out" }, arg "deadline" { "u64" },
  arg "flags" { "u64" }, arg "cap" { "u64" },
}

syscall "reply_recv" {
  number = 17, result = "isize",
  doc = "A server's loop in one entry: sends rep on handle (rep 0 without CHAN_REG_OUT: no reply), then waits, as block does, for the oldest ready end of the poll set and receives its message into req: returns that end's handle, req.status saying whether a message came. flags and cap as call's. A reply of at most REG_MSG_BYTES without handles goes straight to a client waiting in call, which runs next if nothing else is ready. -INVALID with nothing polled and no deadline (nothing is sent), -WOULD_BLOCK at deadline, the reply's send error (nothing waited for).",
  arg "handle" { "u32" }, arg "rep" { "uptr_in" }, arg "req" { "uptr_out" }, arg "deadline" { "u64" },
  arg "flags" { "u64" }, arg "cap" { "u64" },
}

struct "service_stats" {
  layout = "c",
  doc = "One kernel service's counters in kstat (kernel_stats.services[SERVICE_ID_name], generated/services.h).",
  field "clients" { "u32", doc = "Clients connected." },
  field "app_clients" { "u32", doc = "Clients charged to the caller (the service's app_quota)." },
  field "pending" { "u64", doc = "Work the service holds for its clients (its pending hook; the timer service: armed deadlines)." },
  field "served" { "u64", doc = "Requests decoded and handed to a handler." },
  field "malformed" { "u64", doc = "Requests that did not decode (dropped, or answered by the malformed hook)." },
  field "refused" { "u64", doc = "Connects refused: max_clients connected, the app's app_quota reached, or the connect hook said no." },
  field "replies" { "u64", doc = "Replies queued to clients." },
  field "send_failed" { "u64", doc = "Replies a client's channel refused (full queue, quota, closed)." },
}

struct "kernel_stats" {
  layout = "c",
  doc = "What kstat reports: the kernel's pools, the caller's use of its quotas, and the services' counters.",
  field "free_pages" { "u64", doc = "Pages free for the kernel to use: the page allocator's free list, less the pages promised to apps' memory they have not touched yet." },
  field "ends_in_use" { "u32", doc = "Channel ends allocated, kernel-wide." },
  field "ends_total" { "u32", doc = "Size of the channel end pool." },
  field "msgs_queued" { "u32", doc = "Messages queued on all channels." },
  field "tasks" { "u32", doc = "Task slots in use (apps, services, and exited apps whose charges are not yet released)." },
  field "app_ends" { "u32", doc = "Ends charged to the caller (APP_MAX_ENDS)." },
  field "app_queued" { "u32", doc = "Messages charged to the caller (APP_MAX_QUEUED)." },
  field "app_handles" { "u32", doc = "Handles the caller holds (MAX_HANDLES)." },
  field "services_count" { "u32", doc = "Services the kernel runs: the first services_count entries of services are used." },
  field "unknown_syscalls" { "u64", doc = "Syscalls with a number the schema does not define, from every app." },
  field "idle_ticks" { "u64", doc = "rdtime ticks the hart has spent idle (in wfi) since boot." },
  field "services" { "service_stats", count = "MAX_SERVICES", doc = "Each service's counters, by SERVICE_ID_name." },
}

