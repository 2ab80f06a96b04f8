/*
 * The generated sync_timer_bitmap_entry (generated/sync_timer.h) against the
 * BTF of every compiled BPF object that shares the map: same size, same
 * members at the same offsets with the same sizes. Reads ELF files only, so
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

static const struct member members[] = {
	{ "expected_cpu", offsetof(struct sync_timer_bitmap_entry, expected_cpu),
	  sizeof(((struct sync_timer_bitmap_entry *)0)->expected_cpu) },
	{ "trigger_mask", offsetof(struct sync_timer_bitmap_entry, trigger_mask),
	  sizeof(((struct sync_timer_bitmap_entry *)0)->trigger_mask) },
};

static void check_object(const char *path)
{
	const struct btf_member *m;
	const struct btf_type *t;
	struct btf *btf = btf__parse_elf(path, NULL);
	int id, i;

	cr_assert(btf, "%s: no BTF: %s", path, strerror(errno));
	id = btf__find_by_name_kind(btf, "sync_timer_bitmap_entry", BTF_KIND_STRUCT);
	cr_assert_gt(id, 0, "%s: no struct sync_timer_bitmap_entry in its BTF", path);
	t = btf__type_by_id(btf, (__u32)id);
	cr_expect_eq(t->size, sizeof(struct sync_timer_bitmap_entry), "%s: size %u", path, t->size);
	cr_assert_eq(btf_vlen(t), sizeof(members) / sizeof(members[0]), "%s: %u members", path,
		     btf_vlen(t));
	m = btf_members(t);
	for (i = 0; i < (int)btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(btf, m[i].name_off);

		cr_expect_str_eq(name, members[i].name, "%s: member %d", path, i);
		cr_expect_eq(btf_member_bit_offset(t, (__u32)i), members[i].offset * 8,
			     "%s: %s at bit %u", path, name, btf_member_bit_offset(t, (__u32)i));
		cr_expect_eq(btf_member_bitfield_size(t, (__u32)i), 0, "%s: %s is a bit-field", path, name);
		cr_expect_eq(btf__resolve_size(btf, m[i].type), (long long)members[i].size,
			     "%s: %s size", path, name);
	}
	btf__free(btf);
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
	check_object(BPF_BUILD_DIR "/synctimer_collect.bpf.o");
}
