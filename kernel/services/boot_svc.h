/* The boot channel service: a kernel task holding the other end of every
 * app's handle BOOT_HANDLE, answering BootRequest.ConnectService. */
#ifndef KERNEL_SERVICES_BOOT_SVC_H
#define KERNEL_SERVICES_BOOT_SVC_H
#include "../chan.h"
#include "../sched.h"

/* A named service's connect function, for a request made on the boot
 * channel of app: stores the client's end of a new channel in *client and
 * returns 0, or -QUOTA (the app's share is taken), -NO_MEMORY (the service
 * is full), which the boot service answers as Error "quota" or "busy". */
typedef int (*service_connect_fn)(struct task *app, struct chan_end **client);

void boot_svc_init(void);
void boot_svc_register(const char *name, service_connect_fn connect);
/* Gives app t its boot channel as handle BOOT_HANDLE, charged to t: 0 or -QUOTA. */
int boot_svc_attach(struct task *t);
/* Requests that did not decode (kstat). */
uint64_t boot_svc_malformed(void);
#endif
