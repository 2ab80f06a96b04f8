#include "ulib.h"
int main(const char *arg) { (void)arg; sys_shutdown(1); return 1; }
