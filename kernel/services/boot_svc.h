/* The boot channel service: a kernel task holding the other end of every
 * app's handle 0, answering BootRequest.ConnectService. */
#ifndef KERNEL_SERVICES_BOOT_SVC_H
#define KERNEL_SERVICES_BOOT_SVC_H
#include "../chan.h"
#include "../sched.h"

/* A named service's connect function: stores the client's end of a new
 * channel in *client and returns 0, or returns why not ("busy"). */
typedef const char *(*service_connect_fn)(struct chan_end **client);

void boot_svc_init(void);
void boot_svc_register(const char *name, service_connect_fn connect);
/* Gives app t its boot channel as handle BOOT_HANDLE; 0 or -1. */
int boot_svc_attach(struct task *t);
#endif
