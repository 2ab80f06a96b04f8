/*
 * The generated structs (generated/sync_timer.h) against the BTF of the
 * compiled BPF objects: sync_timer_bitmap_entry in every object that shares
 * the map, the init, disarm and publish arguments and per-CPU counters in the timer's; same size,
 * same members at the same offsets with the same sizes. Reads ELF files only, so
 * it needs no privilege.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <bpf/btf.h>
#include <criterion/criterion.h>

#include "sync_timer.h"

#ifndef BPF_BUILD_DIR
#error "BPF_BUILD_DIR: the folder of the compiled .bpf.o files"
#endif

struct member {
	const char *name;
	size_t offset, size;
};

#define MEMBER(type, field) \
	{ #field, offsetof(struct type, field), sizeof(((struct type *)0)->field) }
#define NMEMBERS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct member bitmap_entry[] = {
	MEMBER(sync_timer_bitmap_entry, expected_cpu),
	MEMBER(sync_timer_bitmap_entry, trigger_mask),
};
static const struct member init_args[] = {
	MEMBER(sync_timer_init_args, mode),
	MEMBER(sync_timer_init_args, cpu),
	MEMBER(sync_timer_init_args, result),
	MEMBER(sync_timer_init_args, pad),
};
static const struct member disarm_args[] = {
	MEMBER(sync_timer_disarm_args, cpu),
	MEMBER(sync_timer_disarm_args, result),
};
static const struct member publish_args[] = {
	MEMBER(sync_timer_publish_args, assigned),
	MEMBER(sync_timer_publish_args, nr_cpus),
	MEMBER(sync_timer_publish_args, result),
};
static const struct member cpu_counts[] = {
	MEMBER(sync_timer_cpu_counts, ticks),
	MEMBER(sync_timer_cpu_counts, missed),
	MEMBER(sync_timer_cpu_counts, overrun),
	MEMBER(sync_timer_cpu_counts, cost_ns),
	MEMBER(sync_timer_cpu_counts, pad),
};

/* struct `type` in the BTF of the object at path: size, then each member's
   name, offset and size, in order. */
static void check_struct(const char *path, const char *type, size_t size,
			 const struct member *members, int n)
{
	const struct btf_member *m;
	const struct btf_type *t;
	struct btf *btf = btf__parse_elf(path, NULL);
	int id, i;

	cr_assert(btf, "%s: no BTF: %s", path, strerror(errno));
	id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	cr_assert_gt(id, 0, "%s: no struct %s in its BTF", path, type);
	t = btf__type_by_id(btf, (__u32)id);
	cr_expect_eq(t->size, size, "%s: %s size %u", path, type, t->size);
	cr_assert_eq(btf_vlen(t), n, "%s: %s has %u members", path, type, btf_vlen(t));
	m = btf_members(t);
	for (i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(btf, m[i].name_off);

		cr_expect_str_eq(name, members[i].name, "%s: %s member %d", path, type, i);
		cr_expect_eq(btf_member_bit_offset(t, (__u32)i), members[i].offset * 8,
			     "%s: %s.%s at bit %u", path, type, name, btf_member_bit_offset(t, (__u32)i));
		cr_expect_eq(btf_member_bitfield_size(t, (__u32)i), 0, "%s: %s.%s is a bit-field", path, type, name);
		cr_expect_eq(btf__resolve_size(btf, m[i].type), (long long)members[i].size,
			     "%s: %s.%s size", path, type, name);
	}
	btf__free(btf);
}

static void check_object(const char *path)
{
	check_struct(path, "sync_timer_bitmap_entry", sizeof(struct sync_timer_bitmap_entry),
		     bitmap_entry, NMEMBERS(bitmap_entry));
}

Test(btf_layout, timer_private_structs_match_the_generated_structs)
{
	check_struct(BPF_BUILD_DIR "/sync_timer.bpf.o", "sync_timer_init_args",
		     sizeof(struct sync_timer_init_args), init_args, NMEMBERS(init_args));
	check_struct(BPF_BUILD_DIR "/sync_timer.bpf.o", "sync_timer_disarm_args",
		     sizeof(struct sync_timer_disarm_args), disarm_args, NMEMBERS(disarm_args));
	check_struct(BPF_BUILD_DIR "/sync_timer.bpf.o", "sync_timer_publish_args",
		     sizeof(struct sync_timer_publish_args), publish_args, NMEMBERS(publish_args));
	check_struct(BPF_BUILD_DIR "/sync_timer.bpf.o", "sync_timer_cpu_counts",
		     sizeof(struct sync_timer_cpu_counts), cpu_counts, NMEMBERS(cpu_counts));
}

Test(btf_layout, timer_object_matches_the_generated_struct)
{
	check_object(BPF_BUILD_DIR "/sync_timer.bpf.o");
}

Test(btf_layout, test_subscriber_matches_the_generated_struct)
{
	check_object(BPF_BUILD_DIR "/test_subscriber.bpf.o");
}

Test(btf_layout, collector_subscriber_matches_the_generated_struct)
{
	check_object(BPF_BUILD_DIR "/sync_timer_collect.bpf.o");
}
