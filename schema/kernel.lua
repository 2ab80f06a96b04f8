-- The kernel ABI: syscall numbers with their arguments and results, the
-- message limits of channel IPC, and the error codes syscalls return.
-- A syscall returns a non-negative result or -kernel_error.

protocol "kernel" {
  doc = [[The system-call interface of the RISC-V kernel. An app calls `ecall`
with the syscall number in a7 and up to six arguments in a0..a5; the result
comes back in a0: a non-negative value on success, or the negated
`kernel_error` code. Every user pointer and length is checked by the kernel.]],
}

const "MAX_MSG_SIZE" { type = "u32", value = 1024, doc = "Largest channel message, in bytes." }
const "MAX_CAPS" { type = "u32", value = 4, doc = "Channel handles one message can carry." }
const "CHAN_QUEUE_DEPTH" { type = "u32", value = 64, doc = "Messages a channel end holds before send blocks (or fails with WOULD_BLOCK)." }
const "MAX_HANDLES" { type = "u32", value = 64, doc = "Channel handles one app can hold." }
const "BOOT_HANDLE" { type = "u32", value = 0, doc = "The boot channel's handle in every app." }
const "CHAN_NONBLOCK" { type = "u32", value = 1, doc = "flags bit: fail with WOULD_BLOCK instead of blocking." }

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
  doc = "Sleeps until a channel of the poll set has a message or is closed, or until deadline (rdtime ticks; 0 = none); returns the ready handle, or -WOULD_BLOCK at the deadline.",
  arg "deadline" { "u64" },
}

syscall "shutdown" {
  number = 12, result = "isize",
  doc = "Powers the machine off through SBI system reset; code 0 is a pass, any other a failure. Does not return.",
  arg "code" { "i32" },
}

syscall "spawn" {
  number = 13, result = "isize",
  doc = "Starts the app built into the kernel image under name (name_len bytes) with the argument string arg (arg_len bytes); returns a handle to a new channel whose other end is the child's handle 1. The child's end closes when it exits or is killed.",
  arg "name" { "uptr_in" }, arg "name_len" { "usize" },
  arg "arg" { "uptr_in" }, arg "arg_len" { "usize" },
}
