/*
 * Unit tests of the Hyper-V flush ABI encodings (bench/hv_abi.c): the
 * control word and the truncation of its fields, sparse HV_VP_SET encoding
 * (the TLFS example, VP 4095, empty sets, duplicates, out-of-range indexes,
 * random round trips), the non-Ex ProcessorMask, GvaRange lists, the flush
 * input block layout and the status and call names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bench/hv_abi.h>

static void test_control_word_fields(void **state)
{
    uint64_t c;

    (void)state;
    c = hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 0);
    assert_true(c == 0x0002);
    c = hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, true, 3, 10, 7);
    assert_true((c & 0xffff) == 0x0014);
    assert_true(c & HV_HYPERCALL_FAST_BIT);
    assert_int_equal((c >> HV_HYPERCALL_VARHEAD_SHIFT) & 0x3ff, 3);
    assert_int_equal((c >> HV_HYPERCALL_REP_COUNT_SHIFT) & 0xfff, 10);
    assert_int_equal((c >> HV_HYPERCALL_REP_START_SHIFT) & 0xfff, 7);
    assert_true((c & HV_HYPERCALL_RSVD_MASK) == 0);
    /* Exact word: 0x0014 | fast | 3 << 17 | 10 << 32 | 7 << 48. */
    assert_true(c == (0x0014ull | (1ull << 16) | (3ull << 17) | (10ull << 32) | (7ull << 48)));
}

static void test_control_word_truncation(void **state)
{
    uint64_t c;

    (void)state;
    /* Every field at its maximum: nothing spills into reserved bits. */
    c = hv_control(0xffff, true, 0x3ff, 0xfff, 0xfff);
    assert_true((c & HV_HYPERCALL_RSVD_MASK) == 0);
    assert_true(c == 0x0fff0fff07ffffffull);
    /* One past each field's width is cut to the width. */
    c = hv_control(0x0003, false, 0x400, 0x1000, 0x1001);
    assert_true((c & HV_HYPERCALL_RSVD_MASK) == 0);
    assert_int_equal((c >> HV_HYPERCALL_VARHEAD_SHIFT) & 0x3ff, 0);
    assert_int_equal((c >> HV_HYPERCALL_REP_COUNT_SHIFT) & 0xfff, 0);
    assert_int_equal((c >> HV_HYPERCALL_REP_START_SHIFT) & 0xfff, 1);
    c = hv_control(0x0002, false, 0xffffffffu, 0xffffffffu, 0xffffffffu);
    assert_true((c & HV_HYPERCALL_RSVD_MASK) == 0);
    /* The reserved mask covers 31:27 (Nested included), 47:44, 63:60. */
    assert_true(HV_HYPERCALL_RSVD_MASK & HV_HYPERCALL_NESTED_BIT);
    assert_true(HV_HYPERCALL_RSVD_MASK == (0x1full << 27 | 0xfull << 44 | 0xfull << 60));
}

static void test_result_fields(void **state)
{
    uint64_t rax = 0xffff0abc12340003ull;

    (void)state;
    assert_int_equal(hv_result_status(rax), 3);
    assert_int_equal(hv_result_reps(rax), 0xabc);
}

static void test_vpset_tlfs_example(void **state)
{
    const uint32_t vps[] = { 0, 5, 130 };
    uint64_t set[8];
    uint32_t back[8];

    (void)state;
    assert_int_equal(hv_vpset_sparse(vps, 3, set, 8), 2);
    assert_true(set[0] == HV_GENERIC_SET_SPARSE_4K);
    assert_true(set[1] == 0x5);
    assert_true(set[2] == 0x21);
    assert_true(set[3] == 0x4);
    assert_int_equal(hv_vpset_decode(set, 4, back, 8), 3);
    assert_int_equal(back[0], 0);
    assert_int_equal(back[1], 5);
    assert_int_equal(back[2], 130);
}

static void test_vpset_edges(void **state)
{
    const uint32_t top[] = { 4095 };
    const uint32_t dup[] = { 7, 7, 3, 7, 3 };
    const uint32_t bad[] = { 1, 4096 };
    uint64_t set[70];
    uint32_t back[8];

    (void)state;
    /* VP 4095: bank 63, bit 63. */
    assert_int_equal(hv_vpset_sparse(top, 1, set, 70), 1);
    assert_true(set[1] == 1ull << 63);
    assert_true(set[2] == 1ull << 63);
    assert_int_equal(hv_vpset_decode(set, 3, back, 8), 1);
    assert_int_equal(back[0], 4095);
    /* Empty set: format and an empty mask, no banks. */
    assert_int_equal(hv_vpset_sparse(NULL, 0, set, 2), 0);
    assert_true(set[0] == 0 && set[1] == 0);
    assert_int_equal(hv_vpset_decode(set, 2, back, 8), 0);
    /* Duplicates collapse. */
    assert_int_equal(hv_vpset_sparse(dup, 5, set, 70), 1);
    assert_true(set[1] == 1 && set[2] == ((1ull << 7) | (1ull << 3)));
    assert_int_equal(hv_vpset_decode(set, 3, back, 8), 2);
    assert_int_equal(back[0], 3);
    assert_int_equal(back[1], 7);
    /* Out of range, and too little room. */
    assert_int_equal(hv_vpset_sparse(bad, 2, set, 70), -1);
    assert_int_equal(hv_vpset_sparse(top, 1, set, 2), -1);
    assert_int_equal(hv_vpset_sparse(NULL, 0, set, 1), -1);
}

static void test_vpset_decode_malformed(void **state)
{
    uint64_t set[4] = { HV_GENERIC_SET_SPARSE_4K, 0x3, 0x1, 0x0 };
    uint32_t back[4];

    (void)state;
    /* An all-zero bank is legal. */
    assert_int_equal(hv_vpset_decode(set, 4, back, 4), 1);
    assert_int_equal(back[0], 0);
    /* The bank count must match the mask. */
    assert_int_equal(hv_vpset_decode(set, 3, back, 4), -1);
    assert_int_equal(hv_vpset_decode(set, 1, back, 4), -1);
    set[0] = HV_GENERIC_SET_ALL;
    assert_int_equal(hv_vpset_decode(set, 4, back, 4), -1);
    set[0] = HV_GENERIC_SET_SPARSE_4K;
    set[2] = ~0ull;
    assert_int_equal(hv_vpset_decode(set, 4, back, 4), -1);   /* 64 VPs > max */
}

static void test_vpset_random_roundtrip(void **state)
{
    uint32_t vps[200], back[4096];
    uint64_t set[2 + 64];
    unsigned round;

    (void)state;
    srand(12345);
    for (round = 0; round < 2000; round++) {
        static unsigned char seen[4096];
        unsigned n = (unsigned)rand() % 200, i, distinct = 0;
        int nb, nd;
        uint32_t prev;

        memset(seen, 0, sizeof(seen));
        for (i = 0; i < n; i++) {
            /* Cluster some rounds in few banks, spread others. */
            vps[i] = (uint32_t)rand() % (round & 1 ? 4096 : 130);
            if (!seen[vps[i]]++)
                distinct++;
        }
        nb = hv_vpset_sparse(vps, n, set, 66);
        assert_true(nb >= 0 && nb <= 64);
        assert_int_equal(hv_popcount64(set[1]), nb);
        nd = hv_vpset_decode(set, 2 + (unsigned)nb, back, 4096);
        assert_int_equal(nd, distinct);
        for (i = 0; i < (unsigned)nd; i++) {
            assert_true(seen[back[i]]);
            if (i)
                assert_true(back[i] > prev);
            prev = back[i];
        }
    }
}

static void test_processor_mask(void **state)
{
    const uint32_t vps[] = { 0, 4, 6 };
    const uint32_t high[] = { 63 };
    const uint32_t over[] = { 2, 64 };
    uint64_t m = 0x1234;

    (void)state;
    assert_true(hv_processor_mask(vps, 3, &m));
    assert_true(m == 0x51);     /* the TLFS example: VPs 0, 4 and 6 */
    assert_true(hv_processor_mask(high, 1, &m));
    assert_true(m == 1ull << 63);
    assert_true(hv_processor_mask(NULL, 0, &m));
    assert_true(m == 0);
    m = 0x1234;
    assert_false(hv_processor_mask(over, 2, &m));
    assert_true(m == 0x1234);   /* untouched on failure */
}

static void test_gva_ranges(void **state)
{
    const uint64_t va = 0x0000008000000000ull;
    uint64_t out[8];

    (void)state;
    assert_int_equal(hv_gva_ranges(va, 1, out, 8), 1);
    assert_true(out[0] == va);
    assert_int_equal(hv_gva_ranges(va, 4096, out, 8), 1);
    assert_true(out[0] == (va | 0xfff));
    assert_int_equal(hv_gva_ranges(va, 4097, out, 8), 2);
    assert_true(out[0] == (va | 0xfff));
    assert_true(out[1] == va + (4096ull << 12));
    assert_int_equal(hv_gva_ranges(va, 10000, out, 8), 3);
    assert_true(out[0] == (va | 0xfff));
    assert_true(out[1] == ((va + (4096ull << 12)) | 0xfff));
    assert_true(out[2] == ((va + (8192ull << 12)) | (10000 - 8192 - 1)));
    assert_int_equal(hv_gva_ranges(va, 0, out, 8), 0);
    /* Misaligned, too little room, past the top of the address space. */
    assert_int_equal(hv_gva_ranges(va + 8, 1, out, 8), -1);
    assert_int_equal(hv_gva_ranges(va + 0x800, 1, out, 8), -1);
    assert_int_equal(hv_gva_ranges(va, 10000, out, 2), -1);
    assert_int_equal(hv_gva_ranges(0xfffffffffffff000ull, 1, out, 8), 1);
    assert_int_equal(hv_gva_ranges(0xfffffffffffff000ull, 2, out, 8), -1);
}

static void test_flush_input_layout(void **state)
{
    const uint32_t vps[] = { 1, 65 };
    const uint64_t gva[] = { 0x1000, 0x5003 };
    uint64_t q[16];
    unsigned vh = 99, reps = 99;

    (void)state;
    /* Space: AS, flags, mask. */
    assert_int_equal(hv_flush_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0xabc000, 0,
                                    vps, 1, false, NULL, 0, q, 16, &vh, &reps), 3);
    assert_true(q[0] == 0xabc000 && q[1] == 0 && q[2] == 0x2);
    assert_int_equal(vh, 0);
    assert_int_equal(reps, 0);
    /* All processors: the flag, an empty mask. */
    assert_int_equal(hv_flush_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0,
                                    HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, NULL, 0, true,
                                    NULL, 0, q, 16, &vh, &reps), 3);
    assert_true(q[1] == (HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES));
    assert_true(q[2] == 0);
    /* Non-Ex cannot name VP 65. */
    assert_int_equal(hv_flush_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 0, vps, 2, false,
                                    gva, 2, q, 16, &vh, &reps), HV_ENC_ERR_VP);
    /* List: mask then GVAs, reps = entries. */
    assert_int_equal(hv_flush_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 0, vps, 1, false,
                                    gva, 2, q, 16, &vh, &reps), 5);
    assert_true(q[3] == 0x1000 && q[4] == 0x5003);
    assert_int_equal(reps, 2);
    /* SpaceEx: format, bank mask, banks; varhead = banks. */
    assert_int_equal(hv_flush_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 0, 0, vps, 2, false,
                                    NULL, 0, q, 16, &vh, &reps), 6);
    assert_true(q[2] == 0 && q[3] == 0x3 && q[4] == 0x2 && q[5] == 0x2);
    assert_int_equal(vh, 2);
    assert_int_equal(reps, 0);
    /* ListEx with the ALL set: no banks, then GVAs. */
    assert_int_equal(hv_flush_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 0, 0, vps, 2, true,
                                    gva, 2, q, 16, &vh, &reps), 6);
    assert_true(q[2] == HV_GENERIC_SET_ALL && q[3] == 0 && q[4] == 0x1000);
    assert_int_equal(vh, 0);
    assert_int_equal(reps, 2);
    /* Space limits and bad codes. */
    assert_int_equal(hv_flush_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 0, 0, vps, 2, false,
                                    gva, 2, q, 7, &vh, &reps), HV_ENC_ERR_SPACE);
    assert_int_equal(hv_flush_input(0x0fff, 0, 0, NULL, 0, true, NULL, 0, q, 16, &vh, &reps),
                     HV_ENC_ERR_CODE);
    assert_int_equal(hv_flush_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 0, NULL, 0, true,
                                    gva, 4096, q, 16, &vh, &reps), HV_ENC_ERR_REPS);
    assert_string_equal(hv_enc_error_name(HV_ENC_ERR_SPACE), "no-space");
    assert_string_equal(hv_enc_error_name(3), "ok");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(hv_status_name(0), "SUCCESS");
    assert_string_equal(hv_status_name(2), "INVALID_HYPERCALL_CODE");
    assert_string_equal(hv_status_name(3), "INVALID_HYPERCALL_INPUT");
    assert_string_equal(hv_status_name(4), "INVALID_ALIGNMENT");
    assert_string_equal(hv_status_name(5), "INVALID_PARAMETER");
    assert_string_equal(hv_status_name(6), "ACCESS_DENIED");
    assert_string_equal(hv_status_name(0xe), "INVALID_VP_INDEX");
    assert_string_equal(hv_status_name(0x11), "INVALID_PORT_ID");
    assert_string_equal(hv_status_name(0x1), "UNKNOWN");
    assert_string_equal(hv_status_name(0xffff), "UNKNOWN");
    assert_string_equal(hv_call_name(0x0002), "hv-space");
    assert_string_equal(hv_call_name(0x0003), "hv-list");
    assert_string_equal(hv_call_name(0x0013), "hv-space-ex");
    assert_string_equal(hv_call_name(0x0014), "hv-list-ex");
    assert_null(hv_call_name(0x0fff));
    assert_true(hv_call_is_ex(0x0013) && hv_call_is_ex(0x0014) && !hv_call_is_ex(0x0002));
    assert_true(hv_call_is_list(0x0003) && hv_call_is_list(0x0014) && !hv_call_is_list(0x0013));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_word_fields),
        cmocka_unit_test(test_control_word_truncation),
        cmocka_unit_test(test_result_fields),
        cmocka_unit_test(test_vpset_tlfs_example),
        cmocka_unit_test(test_vpset_edges),
        cmocka_unit_test(test_vpset_decode_malformed),
        cmocka_unit_test(test_vpset_random_roundtrip),
        cmocka_unit_test(test_processor_mask),
        cmocka_unit_test(test_gva_ranges),
        cmocka_unit_test(test_flush_input_layout),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests_name("hv_abi", tests, NULL, NULL);
}
