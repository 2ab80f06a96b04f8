# The kernel starts an app here with sp set and a0 = its argument string.
        .section .text.start
        .globl _start
_start:
        call main
        call sys_exit_from_start
1:      j 1b
