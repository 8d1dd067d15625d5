/*
 * Unit tests of the HvCallSendSyntheticClusterIpi (0x000b) and ...Ex
 * (0x0015) input encodings (bench/hv_abi.c), which hv-ipi-invlpg issues:
 * the layout vector + reserved + mask, the Ex layout with its HV_VP_SET,
 * the call Linux would pick (Ex once a VP index is >= 64), and refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <bench/hv_abi.h>

static void test_plain_layout(void **state)
{
    const uint32_t vps[] = { 1, 3, 63 };
    uint64_t q[16];
    unsigned vh = 99;

    (void)state;
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI, 0xe0, vps, 3, q, 16, &vh), 2);
    /* Vector in bits 31:0, TargetVtl and the reserved bytes zero. */
    assert_int_equal(q[0], 0xe0);
    assert_int_equal(q[1], (1ull << 1) | (1ull << 3) | (1ull << 63));
    assert_int_equal(vh, 0);
    /* No target: an empty mask (sent to nobody). */
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI, 0x10, vps, 0, q, 16, &vh), 2);
    assert_int_equal(q[1], 0);
    assert_int_equal(hv_send_ipi_code_for(vps, 3), HVCALL_SEND_IPI);
}

/* A VP index >= 64 (bank 1, as KVM's selftest uses VP 65) needs Ex. */
static void test_ex_layout_vp65(void **state)
{
    const uint32_t vps[] = { 2, 65 };
    uint32_t back[4];
    uint64_t q[16];
    unsigned vh = 0;

    (void)state;
    assert_int_equal(hv_send_ipi_code_for(vps, 2), HVCALL_SEND_IPI_EX);
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI, 0xe0, vps, 2, q, 16, &vh),
                     HV_ENC_ERR_VP);
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI_EX, 0xe0, vps, 2, q, 16, &vh), 5);
    assert_int_equal(q[0], 0xe0);
    assert_int_equal(q[1], HV_GENERIC_SET_SPARSE_4K);
    assert_int_equal(q[2], 0x3);            /* banks 0 and 1 */
    assert_int_equal(q[3], 1ull << 2);
    assert_int_equal(q[4], 1ull << 1);      /* 65 = bank 1, bit 1 */
    assert_int_equal(vh, 2);                /* variable header: the bank qwords */
    assert_int_equal(hv_vpset_decode(q + 1, 4, back, 4), 2);
    assert_int_equal(back[0], 2);
    assert_int_equal(back[1], 65);
    /* Empty sparse set: format, mask 0, no bank. */
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI_EX, 0xe0, vps, 0, q, 16, &vh), 3);
    assert_int_equal(q[2], 0);
    assert_int_equal(vh, 0);
}

static void test_refusals(void **state)
{
    const uint32_t big[] = { 4096 }, one[] = { 1 };
    uint64_t q[16];
    unsigned vh;

    (void)state;
    assert_int_equal(hv_send_ipi_input(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0xe0, one, 1, q, 16,
                                       &vh), HV_ENC_ERR_CODE);
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI, 0x0f, one, 1, q, 16, &vh),
                     HV_ENC_ERR_VECTOR);
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI, 0x100, one, 1, q, 16, &vh),
                     HV_ENC_ERR_VECTOR);
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI_EX, 0xe0, big, 1, q, 16, &vh),
                     HV_ENC_ERR_VP);
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI_EX, 0xe0, one, 1, q, 3, &vh),
                     HV_ENC_ERR_SPACE);
    assert_int_equal(hv_send_ipi_input(HVCALL_SEND_IPI, 0xe0, one, 1, q, 1, &vh),
                     HV_ENC_ERR_SPACE);
    assert_string_equal(hv_enc_error_name(HV_ENC_ERR_VECTOR), "bad-vector");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_layout),
        cmocka_unit_test(test_ex_layout_vp65),
        cmocka_unit_test(test_refusals),
    };

    return cmocka_run_group_tests_name("hv_abi send-ipi", tests, NULL, NULL);
}
