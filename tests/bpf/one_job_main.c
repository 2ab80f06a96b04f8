// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The main of every tests/bpf binary: Criterion's own, but one test at a time
 * by default (the BPF tests share the machine's timers, and the CPU-hotplug
 * tests take a CPU offline), so that running a binary by hand behaves as
 * `ninja tests-bpf` does. `--jobs=N` or CRITERION_JOBS still override it.
 */
#include <criterion/criterion.h>
#include <criterion/options.h>

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int result = 0;

	criterion_options.jobs = 1;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
