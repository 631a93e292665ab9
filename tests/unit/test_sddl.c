/* SPDX-License-Identifier: MIT */
/* SDDL text and the self-relative binary form. */
#include <stdlib.h>

#include "wes_test.h"

/* Parses SDDL, prints it canonically, and checks the result. */
static void check_canon(const char *in, const char *want) {
  wes_sd_t *sd = NULL;
  wes_error_t err;
  char *out = NULL;
  wes_hresult_t hr = wes_sd_from_sddl(in, NULL, &sd, &err);
  if (WES_FAILED(hr)) {
    fail_msg("'%s': %s at %u: %s", in, wes_err_name(hr), err.column, err.text);
  }
  assert_hr_ok(wes_sd_to_sddl(sd, NULL, &out, &err));
  if (strcmp(out, want) != 0) {
    fail_msg("'%s' printed as '%s', expected '%s'", in, out, want);
  }
  wes_free(out);
  wes_sd_unref(sd);
}

/* Expects SDDL to fail with code at column. */
static void check_bad(const char *in, wes_hresult_t code, uint32_t column) {
  wes_sd_t *sd = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  wes_error_clear(&err);
  hr = wes_sd_from_sddl(in, NULL, &sd, &err);
  if (hr != code || err.column != column) {
    fail_msg("'%s': got %s at %u (%s), expected %s at %u", in, wes_err_name(hr),
             err.column, err.text, wes_err_name(code), column);
  }
  assert_null(sd);
  assert_true(err.text[0] != '\0');
}

static char *to_hex(const uint8_t *p, size_t n) {
  char *s = malloc(2 * n + 1);
  size_t i;
  for (i = 0; i < n; i++) {
    snprintf(s + 2 * i, 3, "%02x", p[i]);
  }
  s[2 * n] = '\0';
  return s;
}

static void check_hex(const char *in, const char *want) {
  wes_sd_t *sd = NULL, *back = NULL;
  uint8_t *bytes = NULL, *bytes2 = NULL;
  size_t len = 0, len2 = 0;
  char *hex;
  assert_hr_ok(wes_sd_from_sddl(in, NULL, &sd, NULL));
  assert_hr_ok(wes_sd_to_binary(sd, &bytes, &len, NULL));
  assert_int_equal(len, wes_sd_binary_length(sd));
  hex = to_hex(bytes, len);
  if (strcmp(hex, want) != 0) {
    fail_msg("'%s' encoded as\n%s\nexpected\n%s", in, hex, want);
  }
  /* Decoding and encoding again gives the same bytes. */
  assert_hr_ok(wes_sd_from_binary(bytes, len, &back, NULL));
  assert_hr_ok(wes_sd_to_binary(back, &bytes2, &len2, NULL));
  assert_int_equal(len, len2);
  assert_memory_equal(bytes, bytes2, len);
  free(hex);
  wes_free(bytes);
  wes_free(bytes2);
  wes_sd_unref(sd);
  wes_sd_unref(back);
}

static void test_sddl_wmi_doc_strings(void **state) {
  (void)state;
  /* The SDDL of the WMI docs (reference 12.2, 12.3, 4.1). */
  check_canon("O:BAG:BAD:(A;;0x40;;;BA)", "O:BAG:BAD:(A;;DT;;;BA)");
  check_canon("O:BAG:BAD:(A;;0x80;;;BA)", "O:BAG:BAD:(A;;LO;;;BA)");
  check_canon("O:BAG:BAD:(A;;0x1;;;BA)", "O:BAG:BAD:(A;;CC;;;BA)");
  /* WMI namespace default style. */
  check_canon("O:BAG:BAD:(A;CI;0x6003f;;;BA)(A;CI;0x13;;;NS)",
              "O:BAG:BAD:(A;CI;CCDCLCSWRPWPRCWD;;;BA)(A;CI;CCDCRP;;;NS)");
  /* MS-DTYP example and its reversed section order. */
  check_canon("O:BAG:BAD:P(A;CIOI;GRGX;;;BU)(A;CIOI;GA;;;BA)(A;CIOI;GA;;;SY)"
              "(A;CIOI;GA;;;CO)S:P(AU;FA;GR;;;WD)",
              "O:BAG:BAD:P(A;OICI;GXGR;;;BU)(A;OICI;GA;;;BA)(A;OICI;GA;;;SY)"
              "(A;OICI;GA;;;CO)S:P(AU;FA;GR;;;WD)");
  check_canon("O:BAG:BAS:P(AU;FA;GR;;;WD)D:P(A;CIOI;GRGX;;;BU)",
              "O:BAG:BAD:P(A;OICI;GXGR;;;BU)S:P(AU;FA;GR;;;WD)");
  /* A service descriptor as sc sdshow prints it. */
  check_canon("D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)"
              "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCLCSWLOCRRC;;;IU)",
              "D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)"
              "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCLCSWLOCRRC;;;IU)");
  /* File system style. */
  check_canon("D:PAI(A;;0x1301bf;;;SY)(A;OICIIO;GA;;;SY)(A;;0x1200a9;;;BU)",
              "D:PAI(A;;0x1301bf;;;SY)(A;OICIIO;GA;;;SY)(A;;0x1200a9;;;BU)");
  /* Strings as Windows prints them come back unchanged. */
  {
    static const char *const windows_output[] = {
        "O:BAG:SYD:(A;ID;FA;;;BA)(A;OICIIOID;GA;;;BA)(A;ID;FA;;;SY)"
        "(A;OICIIOID;GA;;;SY)(A;ID;0x1301bf;;;AU)(A;OICIIOID;SDGXGWGR;;;AU)"
        "(A;ID;0x1200a9;;;BU)(A;OICIIOID;GXGR;;;BU)",
        "O:BAG:SYD:(A;ID;KA;;;BA)(A;CIIOID;GA;;;CO)(A;CIID;KR;;;BU)",
        "D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)"
        "(A;;CCLCSWLOCRRC;;;IU)(A;;CCLCSWLOCRRC;;;SU)"
        "S:(AU;FA;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;WD)",
        "O:SYG:SYD:P(A;;GA;;;SY)(A;;GXGWGR;;;BA)S:(ML;;NW;;;ME)",
    };
    size_t i;
    for (i = 0; i < sizeof(windows_output) / sizeof(windows_output[0]); i++) {
      check_canon(windows_output[i], windows_output[i]);
    }
  }
  check_canon("", "");
  check_canon("O:SY", "O:SY");
}

static void test_sddl_rights_spelled_every_way(void **state) {
  static const struct {
    const char *rights;
    const char *canon;
  } cases[] = {
      {"0x40", "DT"},
      {"64", "DT"},
      {"0100", "DT"}, /* octal */
      {"00", ""},
      {"0X40", "DT"},
      {"DT", "DT"},
      {"0x1F01FF", "FA"},
      {"FA", "FA"},
      {"FR", "FR"},
      {"FW", "FW"},
      {"FX", "FX"},
      {"KA", "KA"},
      {"KR", "KR"},
      {"KX", "KR"}, /* same mask as KR, printed as KR */
      {"KW", "KW"},
      {"GA", "GA"},
      {"GRGWGXGA", "GAGXGWGR"},
      {"RCSDWDWO", "SDRCWDWO"},
      {"CCDCLCSWRPWPDTLOCR", "CCDCLCSWRPWPDTLOCR"},
      {"0x100000", "0x100000"}, /* SYNCHRONIZE has no code */
      {"0x1200a9", "0x1200a9"},
      {"0xF0000000", "GAGXGWGR"},
      {"0", ""},
      {"", ""},
      {"NR", "DC"}, /* 0x2 outside a label ACE prints as DC */
      {"0x01000000", "0x1000000"},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char in[128], want[128];
    snprintf(in, sizeof(in), "D:(A;;%s;;;WD)", cases[i].rights);
    snprintf(want, sizeof(want), "D:(A;;%s;;;WD)", cases[i].canon);
    check_canon(in, want);
  }
  check_canon("S:(ML;;NWNRNX;;;LW)", "S:(ML;;NWNRNX;;;LW)");
  check_canon("S:(ML;;NW;;;HI)", "S:(ML;;NW;;;HI)");
  check_canon("S:(ML;;0x8;;;ME)", "S:(ML;;0x8;;;ME)");
}

static void test_sddl_ace_types_and_flags(void **state) {
  (void)state;
  check_canon("D:(D;;GA;;;AN)(A;;GA;;;WD)", "D:(D;;GA;;;AN)(A;;GA;;;WD)");
  check_canon("S:(AU;SAFA;GA;;;WD)(AL;SA;GR;;;WD)",
              "S:(AU;SAFA;GA;;;WD)(AL;SA;GR;;;WD)");
  check_canon("D:(A;IDIONPCIOICR;GA;;;WD)", "D:(A;OICINPIOIDCR;GA;;;WD)");
  check_canon("D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)",
              "D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)");
  check_canon("D:(OD;CI;RPWP;;BF967ABA-0DE6-11D0-A285-00AA003049E2;AU)",
              "D:(OD;CI;RPWP;;bf967aba-0de6-11d0-a285-00aa003049e2;AU)");
  check_canon("S:(OU;SA;WP;bf967a86-0de6-11d0-a285-00aa003049e2;"
              "bf967aba-0de6-11d0-a285-00aa003049e2;WD)"
              "(OL;FA;CR;;;WD)",
              "S:(OU;SA;WP;bf967a86-0de6-11d0-a285-00aa003049e2;"
              "bf967aba-0de6-11d0-a285-00aa003049e2;WD)(OL;FA;CR;;;WD)");
  /* OA without GUIDs is a plain A (and the ACL stays revision 2). */
  check_canon("D:(OA;;CC;;;WD)", "D:(A;;CC;;;WD)");
  check_hex("D:(OA;;CC;;;WD)", "0100048000000000000000000000000014000000"
                               "02001c00010000000000140001000000"
                               "010100000000000100000000");
  check_canon("D:(OD;;CC;;;WD)", "D:(OD;;CC;;;WD)");
  check_canon("S:(SP;;;;;S-1-17-1)(TL;;0x1;;;S-1-19-512-1024)",
              "S:(SP;;;;;S-1-17-1)(TL;;CC;;;S-1-19-512-1024)");
  check_canon("D:PARAI(A;;GA;;;WD)S:PARAI", "D:PARAI(A;;GA;;;WD)S:PARAI");
  check_canon("D:AIARP", "D:PARAI");
}

static void test_sddl_null_and_empty_dacl(void **state) {
  wes_sd_t *sd = NULL;
  const wes_ace_t *aces = NULL;
  size_t n = 9;
  (void)state;
  assert_hr_ok(wes_sd_from_sddl("D:NO_ACCESS_CONTROL", NULL, &sd, NULL));
  assert_int_equal(wes_sd_get_dacl(sd, &aces, &n), WES_ACL_NULL);
  assert_int_equal(n, 0);
  assert_int_equal(wes_sd_get_control(sd),
                   WES_SE_SELF_RELATIVE | WES_SE_DACL_PRESENT);
  wes_sd_unref(sd);
  assert_hr_ok(wes_sd_from_sddl("D:", NULL, &sd, NULL));
  assert_int_equal(wes_sd_get_dacl(sd, &aces, &n), WES_ACL_PRESENT);
  assert_int_equal(n, 0);
  wes_sd_unref(sd);
  assert_hr_ok(wes_sd_from_sddl("O:BA", NULL, &sd, NULL));
  assert_int_equal(wes_sd_get_dacl(sd, NULL, NULL), WES_ACL_ABSENT);
  assert_int_equal(wes_sd_get_sacl(sd, NULL, NULL), WES_ACL_ABSENT);
  wes_sd_unref(sd);
  check_canon("D:NO_ACCESS_CONTROL", "D:NO_ACCESS_CONTROL");
  check_canon("D:PNO_ACCESS_CONTROL", "D:PNO_ACCESS_CONTROL");
  check_canon("D:", "D:");
  check_canon("D:S:", "D:S:");
  check_canon("S:NO_ACCESS_CONTROL", "S:NO_ACCESS_CONTROL");
  /* Binary: NULL DACL is PRESENT with offset 0; empty is an 8-byte ACL. */
  check_hex("D:NO_ACCESS_CONTROL", "0100048000000000000000000000000000000000");
  check_hex("D:", "01000480000000000000000000000000140000000200080000000000");
}

static void test_sddl_sid_forms(void **state) {
  (void)state;
  check_canon("O:S-1-5-32-544G:S-1-5-18", "O:BAG:SY");
  check_canon("O:s-1-5-32-544", "O:BA");
  check_canon("O:S-1-5-21-1-2-3-500G:S-1-5-21-1-2-3-513",
              "O:S-1-5-21-1-2-3-500G:S-1-5-21-1-2-3-513");
  check_canon("O:S-1-0x010000000000-1", "O:S-1-0x10000000000-1");
  check_canon("O:S-1-0x0000FFFFFFFF-1", "O:S-1-4294967295-1");
  check_canon("O:S-1-0xFFFFFFFF-1", "O:S-1-4294967295-1");
  check_canon("D:(A;;GA;;;S-1-15-2-1)(A;;GA;;;S-1-5-84-0-0-0-0-0)",
              "D:(A;;GA;;;AC)(A;;GA;;;UD)");
  check_canon("D:(A;;GA;;;S-1-3-4)(A;;GA;;;S-1-16-12288)",
              "D:(A;;GA;;;OW)(A;;GA;;;HI)");
}

static void test_sddl_domain_aliases(void **state) {
  wes_sid_t dom, mach;
  wes_sid_scope_t scope = {NULL, NULL, NULL};
  wes_sd_t *sd = NULL;
  wes_error_t err;
  char *out = NULL;
  (void)state;
  assert_hr_ok(wes_sid_parse("S-1-5-21-1-2-3", NULL, &dom, NULL));
  assert_hr_ok(wes_sid_parse("S-1-5-21-7-8-9", NULL, &mach, NULL));
  assert_hr_equal(wes_sd_from_sddl("O:DAG:DU", NULL, &sd, &err),
                  WES_E_NOT_FOUND);
  assert_int_equal(err.column, 3);
  assert_hr_equal(wes_sd_from_sddl("D:(A;;GA;;;LA)", NULL, &sd, &err),
                  WES_E_NOT_FOUND);
  assert_int_equal(err.column, 12);
  scope.domain = &dom;
  scope.machine = &mach;
  assert_hr_ok(wes_sd_from_sddl("O:DAG:DUD:(A;;GA;;;LA)(A;;GA;;;EA)", &scope,
                                &sd, NULL));
  assert_string_equal(
      "S-1-5-21-1-2-3-512",
      (wes_sid_to_string(wes_sd_get_owner(sd), err.text, sizeof(err.text)),
       err.text));
  assert_hr_ok(wes_sd_to_sddl(sd, &scope, &out, NULL));
  assert_string_equal(out, "O:DAG:DUD:(A;;GA;;;LA)(A;;GA;;;EA)");
  wes_free(out);
  /* Without the scope the same SIDs print in S-1 form. */
  assert_hr_ok(wes_sd_to_sddl(sd, NULL, &out, NULL));
  assert_string_equal(out, "O:S-1-5-21-1-2-3-512G:S-1-5-21-1-2-3-513"
                           "D:(A;;GA;;;S-1-5-21-7-8-9-500)"
                           "(A;;GA;;;S-1-5-21-1-2-3-519)");
  wes_free(out);
  wes_sd_unref(sd);
}

static void test_sddl_errors_with_position(void **state) {
  (void)state;
  check_bad("X:BA", WES_E_INVALID_PARAMETER, 1);
  check_bad("O:", WES_E_INVALID_PARAMETER, 3);
  check_bad("O:BAO:SY", WES_E_INVALID_PARAMETER, 5);
  check_bad("O:ZZ", WES_E_INVALID_PARAMETER, 3);
  check_bad("O:S-2-5", WES_E_INVALID_PARAMETER, 5);
  check_bad("O:S-1-5-", WES_E_INVALID_PARAMETER, 9);
  check_bad("O:S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
            WES_E_INVALID_PARAMETER, 45);
  check_bad("O:S-1-5-4294967296", WES_E_INVALID_PARAMETER, 9);
  check_bad("D:(A;;GA;;;WD", WES_E_INVALID_PARAMETER, 3);
  check_bad("D:(Q;;GA;;;WD)", WES_E_INVALID_PARAMETER, 4);
  check_bad("D:(A;XX;GA;;;WD)", WES_E_INVALID_PARAMETER, 6);
  check_bad("D:(A;;GZ;;;WD)", WES_E_INVALID_PARAMETER, 7);
  check_bad("D:(A;;G;;;WD)", WES_E_INVALID_PARAMETER, 7);
  check_bad("D:(A;;0x1G;;;WD)", WES_E_INVALID_PARAMETER, 10);
  check_bad("D:(A;;0x100000000;;;WD)", WES_E_INVALID_PARAMETER, 7);
  check_bad("D:(A;;018;;;WD)", WES_E_INVALID_PARAMETER, 9);
  check_bad("D:(A;;4294967296;;;WD)", WES_E_INVALID_PARAMETER, 7);
  check_bad("D:(A;;GA;;WD)", WES_E_INVALID_PARAMETER, 13);
  check_bad("D:(A;;GA;;;)", WES_E_INVALID_PARAMETER, 12);
  check_bad("D:(A;;GA;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)",
            WES_E_INVALID_PARAMETER, 10);
  check_bad("D:(OA;;GA;ab721a53-1e2f-11d0-9819;;WD)", WES_E_INVALID_PARAMETER,
            11);
  check_bad("D:(OA;;GA;ab721a53x1e2f-11d0-9819-00aa0040529b;;WD)",
            WES_E_INVALID_PARAMETER, 19);
  check_bad("D:Q(A;;GA;;;WD)", WES_E_INVALID_PARAMETER, 3);
  check_bad("D:(A;;GA;;;WD)x", WES_E_INVALID_PARAMETER, 15);
  check_bad("D:NO_ACCESS_CONTROL(A;;GA;;;WD)", WES_E_INVALID_PARAMETER, 20);
  check_bad("D:D:", WES_E_INVALID_PARAMETER, 3);
  check_bad("D:(XA;;FA;;;WD;(Member_of {SID(BA)}))", WES_E_NOT_SUPPORTED, 15);
  check_bad("D:(XA;;FA;;;WD)", WES_E_NOT_SUPPORTED, 4);
  check_bad("S:(FL;;FA;;;WD)", WES_E_NOT_SUPPORTED, 4);
  check_bad("D:(A;;FA;;;WD;(x))", WES_E_NOT_SUPPORTED, 14);
  check_bad("S:(RA;;;;;WD;(\"x\",TI,0,1))", WES_E_NOT_SUPPORTED, 13);
  check_bad("S:(RA;;;;;WD)", WES_E_NOT_SUPPORTED, 4);
  check_bad("\tO:BA", WES_E_INVALID_PARAMETER, 1);
  check_bad("O:BA D :S:", WES_E_INVALID_PARAMETER, 3);
}

/*
 * Cases whose Windows results are recorded in Samba's SDDL test-suite
 * (python/samba/tests/sddl.py, checked against the Windows API there),
 * with the domain SID S-1-2-3-4.
 */
static void check_scoped(const char *in, const char *want) {
  wes_sid_t dom;
  wes_sid_scope_t scope = {&dom, NULL, &dom};
  wes_sd_t *sd = NULL;
  wes_error_t err;
  char *out = NULL;
  wes_hresult_t hr;
  assert_hr_ok(wes_sid_parse("S-1-2-3-4", NULL, &dom, NULL));
  wes_error_clear(&err);
  hr = wes_sd_from_sddl(in, &scope, &sd, &err);
  if (want == NULL) {
    if (WES_SUCCEEDED(hr)) {
      fail_msg("'%s' was accepted; Windows refuses it", in);
    }
    assert_true(err.text[0] != '\0');
    return;
  }
  if (WES_FAILED(hr)) {
    fail_msg("'%s': %s at %u: %s", in, wes_err_name(hr), err.column, err.text);
  }
  assert_hr_ok(wes_sd_to_sddl(sd, &scope, &out, NULL));
  if (strcmp(out, want) != 0) {
    fail_msg("'%s' printed as '%s', Windows prints '%s'", in, out, want);
  }
  wes_free(out);
  wes_sd_unref(sd);
}

static void test_sddl_windows_verified(void **state) {
  static const char *const pairs[][2] = {
      {"D:(A;;CC;;;BA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)(A;;RPLCLORC;;;AU)",
       "D:(A;;CC;;;BA)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)(A;;LCRPLORC;;;AU)"},
      {"S:D:P", "D:PS:"},
      {"S:D:", "D:S:"},
      {"D:(A;;123456789;;;LG)", "D:(A;;0x75bcd15;;;LG)"},
      {"D:(A;;01234567;;;LG)", "D:(A;;0x53977;;;LG)"},
      {"D:(A;;16;;;LG)", "D:(A;;RP;;;LG)"},
      {"D:(A;;17;;;LG)", "D:(A;;CCRP;;;LG)"},
      {"D:(A;;0xff;;;LG)", "D:(A;;CCDCLCSWRPWPDTLO;;;LG)"},
      {"D:(A;;0xf01ff;;;LG)", "D:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;LG)"},
      {"D:(A;;0xe00f0000;;;LG)", "D:(A;;SDRCWDWOGXGWGR;;;LG)"},
      {"D:ARPAI(A;;GA;;;SY)", "D:PARAI(A;;GA;;;SY)"},
      {"D:AIPAR(A;;GA;;;SY)", "D:PARAI(A;;GA;;;SY)"},
      {"D:PARP(A;;GA;;;SY)", "D:PAR(A;;GA;;;SY)"},
      {"D:PPPPPPPPPPPP(A;;GA;;;SY)", "D:P(A;;GA;;;SY)"},
      {"D:(A;;CC;;;S-1-21474836480-32-579)",
       "D:(A;;CC;;;S-1-0x500000000-32-579)"},
      {"D:(A;;GA;;;S-1-5000000000-30-40)", "D:(A;;GA;;;S-1-0x12A05F200-30-40)"},
      {"D:(A;;GA;;;S-1-0x2-3-4)", "D:(A;;GA;;;S-1-2-3-4)"},
      {"D:(A;;GA;;;S-1-0x20-3-4)", "D:(A;;GA;;;S-1-32-3-4)"},
      {"D:(A;;GA;;;S-1-3-0x00000002-3-4)", "D:(A;;GA;;;S-1-3-2-3-4)"},
      {"D:(A;;GA;;;S-1-3-0xffffffff-3-4)", "D:(A;;GA;;;S-1-3-4294967295-3-4)"},
      {"D:(A;;GA;;;S-1-5-21-0x1-0x2-0x3-513)",
       "D:(A;;GA;;;S-1-5-21-1-2-3-513)"},
      {"D:(A;;GA;;;S-1-5-21-2447931902-1787058256-3961074038-0x4b1)",
       "D:(A;;GA;;;S-1-5-21-2447931902-1787058256-3961074038-1201)"},
      {"O:S-1-2-0x200D:", "O:S-1-2-512D:"},
      {"O:S-1-2-0x2D:(A;;GA;;;LG)", "O:S-1-2-2D:(A;;GA;;;LG)"},
      {"D:AI(A;CI;RP LCLORC;;;AU)", "D:AI(A;CI;LCRPLORC;;;AU)"},
      {"D:AI(A;CI;RP LCLO  RC;;;AU)", "D:AI(A;CI;LCRPLORC;;;AU)"},
      {"D:(A;; GA;;;LG)", "D:(A;;GA;;;LG)"},
      {"D:(A;;GA;;; LG)", "D:(A;;GA;;;LG)"},
      {"D: (A;;GA;;;LG)", "D:(A;;GA;;;LG)"},
      {"D: AI(A;;GA;;;LG)", "D:AI(A;;GA;;;LG)"},
      {"D:(a;;GA;;;LG)", "D:(A;;GA;;;LG)"},
      {"D:(A;;GA;;;lg)", "D:(A;;GA;;;LG)"},
      {"D:(A;;ga;;;LG)", "D:(A;;GA;;;LG)"},
      {"D: S:", "D:S:"},
      {"D: P(A;;GA;;;LG)", "D:P(A;;GA;;;LG)"},
      {"D:P (A;;GA;;;LG)", "D:P(A;;GA;;;LG)"},
      {"D:P(A;;GA;;;LG) (A;;GX;;;AA)", "D:P(A;;GA;;;LG)(A;;GX;;;AA)"},
      {"D:(A; ;GA;;;LG)", "D:(A;;GA;;;LG)"},
      {"D:AI (A;;GA;;;LG)", "D:AI(A;;GA;;;LG)"},
      {"D:(A;;GA;;; WD)", "D:(A;;GA;;;WD)"},
      {"D:(A;;GA;;;WD )", "D:(A;;GA;;;WD)"},
      {"D:(A;;GA;;; S-1-3-4)", "D:(A;;GA;;;OW)"},
      {"D:(A;;GA;; ;S-1-3-4)", "D:(A;;GA;;;OW)"},
      {"D:(A;;GA; ;;S-1-3-4)", "D:(A;;GA;;;OW)"},
      {"D:(A;;GA;;; S-1-333-4)", "D:(A;;GA;;;S-1-333-4)"},
      {" O:AA", "O:AA"},
      {"  O:AA  ", "O:AA"},
      {"  O:AA G:WD ", "O:AAG:WD"},
  };
  static const char *const same[] = {
      "O:S-1-5-21-1225132014-296224811-2507946102-512"
      "G:S-1-5-21-1225132014-296224811-2507946102-512D:P",
      "D:(A;;GA;;;SY)",
      "D:(A;;GA;;;RU)",
      "D:(A;;GA;;;LG)",
      "D:(A;;0x401200a0;;;LG)",
      "D:S:",
      "D:PS:",
      "D:(A;;GA;;;RS)",
      "S:(AU;SA;CR;;;WD)(AU;SA;CR;;;WD)",
      "S:(OU;CISA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;"
      "bf967aa5-0de6-11d0-a285-00aa003049e2;WD)"
      "(OU;CISA;WP;f30e3bbf-9ff0-11d1-b603-0000f80367c1;"
      "bf967aa5-0de6-11d0-a285-00aa003049e2;WD)",
      "D:(A;;GA;;;S-1-3-4294967295-3-4)",
      "D:(A;;GA;;;S-1-5-21-1-2-3-513)",
      "O:S-1-2-512D:",
      "D:PARAI(A;;GA;;;SY)",
      "D:P(A;;GA;;;LG)(A;;GX;;;AA)",
      "D:(A;;FA;;;WD)",
  };
  static const char *const refused[] = {
      "Z:(A;;GA;;;SY)",
      "D:(Antlers;;GA;;;SY)",
      "Q:(A;;GA;;;RU)",
      "d:(A;;GA;;;LG)",
      "D:((A;;GA;;;LG))",
      "D:(A;;GA;;)",
      "D :S:",
      "S:(AU;SA;CROOO;;;WD)(AU;SA;CR;;;WD)",
      "D:(A;;GA;;;S-1-0x1313131313131-513)",
      "D:(A;;GA;a;;S-1-5-21-2447931902-1787058256-0xec193176-1201)",
      "S:(OOU;CISA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;"
      "bf967aa5-0de6-11d0-a285-00aa003049e2;WD)",
      "S:(OU;CISA;WP;f30e3bbe-9ff0-11d1-b603-00potato7c1;"
      "bf967aa5-0de6-11d0-a285-00aa003049e2;WD)",
      "D:P:S:",
      "D:(\xc4\x80;;GA;;;LG)",
      "D:(A;;123456789 ;;;LG)",
      "D:(A;;0x75bcd15\t;;;LG)",
      "D:(A;; 0x75bcd15;;;LG",
      "D:(A;;0x 75bcd15;;;LG)",
      "D:(A;;GA ;;;LG)",
      "D:(A;;RP ;;;LG)",
      "D:(A;;GA;;;S-1-3-4 )",
      "D:(A;;GA; f30e3bbf-9ff0-11d1-b603-0000f80367c1;;WD)",
      "D:(A;;GA;f30e3bbf-9ff0-11d1-b603-0000f80367c1 ;;WD)",
      "D:(A;;GA;; f30e3bbf-9ff0-11d1-b603-0000f80367c1;WD)",
      "D:(A;;GA;;f30e3bbf-9ff0-11d1-b603-0000f80367c1 ;WD)",
      "D:(A;;GA;;{f30e3bbf-9ff0-11d1-b603-0000f80367c1};WD)",
      "D:(A;;GA;;0123456789abcdef;WD)",
      "D:(A;;GA;;0123456789abcdef0123456789abcdef;WD)",
      "D:AI(A;CI;RP LCLOR C;;;AU)",
      "D:AI(A;CI;RP LC\tLORC;;;AU)",
      "D:AI(A;CI;RP LC\t LORC;;;AU)",
      "O:S",
      "O:S-",
      "O:S-1",
      "O:S-10",
      "O:S-0",
      "O:S-1-",
      "O:S-0x1",
      "O:S-0x1-",
      "O:",
      "O:XX",
      /* Windows refuses audit ACEs in a DACL. */
      "D:(A;;RP;;;WD)(AU;SA;CR;;;BA)(AU;SA;CR;;;DU)",
      /* Windows saturates or wraps these silently; wes refuses them. */
      "D:(A;;0x123456789;;;LG)",
      "D:(A;;-99;;;LG)",
      "D:(A;;GA;;;S-1-3-4294967296-3-4)",
      "D:(A;;GA;;;S-1-3-0x100000000-3-4)",
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
    check_scoped(pairs[i][0], pairs[i][1]);
  }
  for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
    check_scoped(same[i], same[i]);
  }
  for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    check_scoped(refused[i], NULL);
  }
}

static void test_sddl_binary_exact(void **state) {
  (void)state;
  /* Layout: header, SACL, DACL, owner, group (Windows' order). */
  check_hex("O:BAG:BAD:(A;;0x40;;;BA)",
            "01000480340000004400000000000000140000000200200001000000"
            "000018004000000001020000000000052000000020020000"
            "01020000000000052000000020020000"
            "01020000000000052000000020020000");
  check_hex("O:BUG:BU", "010000801400000024000000000000000000000001020000"
                        "000000052000000021020000010200000000000520000000"
                        "21020000");
  check_hex("O:SYG:SYD:PAI(A;;GA;;;WD)S:(AU;FA;GA;;;WD)",
            /* header: control 0x9414, owner 0x4c, group 0x58, SACL 0x14,
               DACL 0x30 */
            "010014944c000000580000001400000030000000"
            /* SACL: rev 2, size 0x1c, 1 ACE: AU, FA flag, GA, WD */
            "02001c0001000000028014000000001001010000000000010000000"
            "0"
            /* DACL: A, GA, WD */
            "02001c000100000000001400000000100101000000000001000000"
            "00"
            /* owner, group: SY */
            "010100000000000512000000010100000000000512000000");
  /* Object ACE: ACL revision 4, flags, GUID in field order. */
  check_hex("D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)",
            "0100048000000000000000000000000014000000"
            "0400300001000000"
            "05002800000100000100000053"
            "1a72ab2f1ed011981900aa0040529b"
            "01010000000000050a000000");
}

static void test_sddl_binary_roundtrip_keeps_everything(void **state) {
  static const char *const in[] = {
      "O:BAG:BAD:(A;;0x40;;;BA)",
      "O:SYG:SYD:PARAI(A;OICI;GA;;;WD)(D;;0x10;;;AN)S:P(AU;SA;0x1;;;WD)",
      "D:NO_ACCESS_CONTROLS:NO_ACCESS_CONTROL",
      "O:S-1-5-21-1-2-3-1000G:S-1-22-2-100D:",
      "D:(OA;CI;RP;;bf967aba-0de6-11d0-a285-00aa003049e2;AU)",
      "S:(ML;;NW;;;LW)",
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
    wes_sd_t *a = NULL, *b = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    char *t1 = NULL, *t2 = NULL;
    assert_hr_ok(wes_sd_from_sddl(in[i], NULL, &a, NULL));
    assert_hr_ok(wes_sd_to_binary(a, &bytes, &len, NULL));
    assert_hr_ok(wes_sd_from_binary(bytes, len, &b, NULL));
    assert_hr_ok(wes_sd_to_sddl(a, NULL, &t1, NULL));
    assert_hr_ok(wes_sd_to_sddl(b, NULL, &t2, NULL));
    assert_string_equal(t1, t2);
    assert_int_equal(wes_sd_get_control(a), wes_sd_get_control(b));
    wes_free(t1);
    wes_free(t2);
    wes_free(bytes);
    wes_sd_unref(a);
    wes_sd_unref(b);
  }
}

/* Decoding must fail with INVALID_PARAMETER at the given byte (1-based). */
static void check_bad_bin(const uint8_t *p, size_t n, uint32_t column) {
  wes_sd_t *sd = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  wes_error_clear(&err);
  hr = wes_sd_from_binary(p, n, &sd, &err);
  if (hr != WES_E_INVALID_PARAMETER || (column != 0 && err.column != column)) {
    fail_msg("got %s at %u (%s), expected INVALID_PARAMETER at %u",
             wes_err_name(hr), err.column, err.text, column);
  }
  assert_null(sd);
  assert_true(err.text[0] != '\0');
}

static void test_sddl_binary_malformed(void **state) {
  wes_sd_t *sd = NULL;
  uint8_t *good = NULL, buf[256];
  size_t len = 0, i;
  (void)state;
  assert_hr_ok(wes_sd_from_sddl("O:BAG:BAD:(A;;0x40;;;BA)", NULL, &sd, NULL));
  assert_hr_ok(wes_sd_to_binary(sd, &good, &len, NULL));
  wes_sd_unref(sd);
  assert_int_equal(len, 84);
  /* Every truncation fails (the owner/group SIDs sit at the end). */
  for (i = 0; i < len; i++) {
    check_bad_bin(good, i, 0);
  }
  /* Revision. */
  memcpy(buf, good, len);
  buf[0] = 2;
  check_bad_bin(buf, len, 1);
  /* Not self-relative. */
  memcpy(buf, good, len);
  buf[3] = 0x00;
  check_bad_bin(buf, len, 3);
  /* Owner offset past the end, misaligned, inside the header. */
  memcpy(buf, good, len);
  buf[4] = 200;
  check_bad_bin(buf, len, 5);
  memcpy(buf, good, len);
  buf[4] = 0x35;
  check_bad_bin(buf, len, 5);
  memcpy(buf, good, len);
  buf[4] = 0x08;
  check_bad_bin(buf, len, 5);
  /* Overlapping: group = owner. */
  memcpy(buf, good, len);
  buf[8] = 0x34;
  check_bad_bin(buf, len, 0x35);
  /* Owner pointing into the DACL. */
  memcpy(buf, good, len);
  buf[4] = 0x24;
  check_bad_bin(buf, len, 0x25);
  /* DACL offset without DACL_PRESENT. */
  memcpy(buf, good, len);
  buf[2] = 0x00;
  check_bad_bin(buf, len, 17);
  /* ACL size lies: larger than the buffer, not a multiple of 4, < 8. */
  memcpy(buf, good, len);
  buf[0x16] = 0xF0;
  check_bad_bin(buf, len, 0x17);
  memcpy(buf, good, len);
  buf[0x16] = 0x21;
  check_bad_bin(buf, len, 0x17);
  memcpy(buf, good, len);
  buf[0x16] = 0x04;
  check_bad_bin(buf, len, 0x17);
  /* ACL size smaller than its ACE. */
  memcpy(buf, good, len);
  buf[0x16] = 0x10;
  check_bad_bin(buf, len, 0x1F);
  /* ACE count lies. */
  memcpy(buf, good, len);
  buf[0x18] = 2;
  check_bad_bin(buf, len, 0x35);
  memcpy(buf, good, len);
  buf[0x18] = 0xFF;
  check_bad_bin(buf, len, 0x19);
  /* ACL revision. */
  memcpy(buf, good, len);
  buf[0x14] = 1;
  check_bad_bin(buf, len, 0x15);
  /* ACE size 0, not aligned, past the ACL. */
  memcpy(buf, good, len);
  buf[0x1E] = 0;
  check_bad_bin(buf, len, 0x1F);
  memcpy(buf, good, len);
  buf[0x1E] = 0x19;
  check_bad_bin(buf, len, 0x1F);
  memcpy(buf, good, len);
  buf[0x1E] = 0x1C;
  check_bad_bin(buf, len, 0x1F);
  /* ACE SID: sub-authority count > 15, count larger than the ACE. */
  memcpy(buf, good, len);
  buf[0x25] = 16;
  check_bad_bin(buf, len, 0x26);
  memcpy(buf, good, len);
  buf[0x25] = 3;
  check_bad_bin(buf, len, 0x26);
  /* Owner SID revision and sub-authority count > 15. */
  memcpy(buf, good, len);
  buf[0x34] = 2;
  check_bad_bin(buf, len, 0x35);
  memcpy(buf, good, len);
  buf[0x35] = 15;
  check_bad_bin(buf, len, 0x36);
  /* Object ACE in a revision-2 ACL. */
  memcpy(buf, good, len);
  buf[0x1C] = WES_ACE_ACCESS_ALLOWED_OBJECT;
  check_bad_bin(buf, len, 0x1D);
  /* NULL arguments. */
  assert_hr_equal(wes_sd_from_binary(NULL, 10, &sd, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sd_from_binary(good, len, NULL, NULL),
                  WES_E_INVALID_PARAMETER);
  /* Trailing bytes after the descriptor are accepted. */
  memcpy(buf, good, len);
  assert_hr_ok(wes_sd_from_binary(buf, len + 8, &sd, NULL));
  wes_sd_unref(sd);
  wes_free(good);
}

static void test_sddl_binary_opaque_aces(void **state) {
  /* An ACL with a callback ACE (app data) and an unknown type 0x30: kept
   * byte for byte, not printable as SDDL. */
  static const uint8_t in[] = {0x01, 0x00, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0,
                               0, 0, 0, 0, 0x14, 0, 0, 0,
                               /* ACL rev 2, size 8+20+8 = 36, 2 ACEs */
                               0x02, 0x00, 36, 0, 2, 0, 0, 0,
                               /* XA: mask 1, SID S-1-1-0, 4 bytes app data */
                               0x09, 0x00, 20, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0,
                               0, 1, 0, 0, 0, 0, 'a', 'r', 't', 'x',
                               /* type 0x30, 8 bytes */
                               0x30, 0x01, 8, 0, 9, 9, 9, 9};
  wes_sd_t *sd = NULL;
  uint8_t *out = NULL;
  size_t len = 0, n = 0;
  const wes_ace_t *aces;
  char *text = NULL;
  wes_error_t err;
  (void)state;
  /* Fix the XA ACE size: 4 + 4 + 12 + 4 = 24. */
  {
    uint8_t b[sizeof(in)];
    memcpy(b, in, sizeof(in));
    b[0x16] = 8 + 24 + 8;
    b[0x1E] = 24;
    assert_hr_ok(wes_sd_from_binary(b, sizeof(b), &sd, &err));
    assert_int_equal(wes_sd_get_dacl(sd, &aces, &n), WES_ACL_PRESENT);
    assert_int_equal(n, 2);
    assert_int_equal(aces[0].type, WES_ACE_ACCESS_ALLOWED_CALLBACK);
    assert_int_equal(aces[0].app_data_len, 4);
    assert_memory_equal(aces[0].app_data, "artx", 4);
    assert_int_equal(aces[1].type, 0x30);
    assert_int_equal(aces[1].app_data_len, 4);
    assert_hr_ok(wes_sd_to_binary(sd, &out, &len, NULL));
    assert_int_equal(len, sizeof(b));
    assert_memory_equal(out, b, len);
    assert_hr_equal(wes_sd_to_sddl(sd, NULL, &text, &err), WES_E_NOT_SUPPORTED);
    assert_null(text);
    wes_free(out);
    wes_sd_unref(sd);
  }
}

static void test_sddl_sd_new_from_desc(void **state) {
  wes_sid_t ba, wd;
  wes_ace_t ace;
  wes_sd_desc_t d;
  wes_sd_t *sd = NULL;
  char *out = NULL;
  (void)state;
  assert_hr_ok(wes_sid_parse("BA", NULL, &ba, NULL));
  assert_hr_ok(wes_sid_parse("WD", NULL, &wd, NULL));
  memset(&ace, 0, sizeof(ace));
  ace.type = WES_ACE_ACCESS_ALLOWED;
  ace.mask = WES_WBEM_RIGHT_SUBSCRIBE;
  ace.sid = wd;
  memset(&d, 0, sizeof(d));
  d.owner = &ba;
  d.group = &ba;
  d.dacl_state = WES_ACL_PRESENT;
  d.dacl = &ace;
  d.dacl_count = 1;
  d.control = WES_SE_DACL_PROTECTED;
  assert_hr_ok(wes_sd_new(&d, &sd, NULL));
  assert_ptr_equal(wes_sd_ref(sd), sd);
  assert_null(wes_sd_unref(sd));
  assert_hr_ok(wes_sd_to_sddl(sd, NULL, &out, NULL));
  assert_string_equal(out, "O:BAG:BAD:P(A;;DT;;;WD)");
  wes_free(out);
  wes_sd_unref(sd);
  /* Bad descriptions. */
  d.dacl_state = 7;
  assert_hr_equal(wes_sd_new(&d, &sd, NULL), WES_E_INVALID_PARAMETER);
  d.dacl_state = WES_ACL_NULL;
  assert_hr_equal(wes_sd_new(&d, &sd, NULL), WES_E_INVALID_PARAMETER);
  d.dacl_state = WES_ACL_PRESENT;
  ace.sid.sub_count = 16;
  assert_hr_equal(wes_sd_new(&d, &sd, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sd_new(NULL, &sd, NULL), WES_E_INVALID_PARAMETER);
  assert_null(wes_sd_unref(NULL));
}

static void test_sddl_acl_size_limit(void **state) {
  /* 3300 ACEs of 20 bytes exceed 65535 bytes. */
  size_t n = 3300, i;
  char *s = malloc(n * 16 + 8);
  wes_sd_t *sd = NULL;
  wes_error_t err;
  (void)state;
  strcpy(s, "D:");
  for (i = 0; i < n; i++) {
    strcat(s, "(A;;GA;;;WD)");
  }
  assert_hr_equal(wes_sd_from_sddl(s, NULL, &sd, &err),
                  WES_E_INVALID_PARAMETER);
  assert_non_null(strstr(err.text, "65535"));
  free(s);
}

/* ---- allocation failures --------------------------------------------- */

static long chaos_countdown = -1; /* fail when it reaches 0; -1: never */
static long chaos_live;           /* blocks allocated and not freed */

static int chaos_fail(void) {
  if (chaos_countdown < 0) {
    return 0;
  }
  return chaos_countdown-- == 0;
}

static void *chaos_malloc(size_t n) {
  void *p = chaos_fail() ? NULL : malloc(n);
  chaos_live += p != NULL;
  return p;
}

static void *chaos_calloc(size_t c, size_t n) {
  void *p = chaos_fail() ? NULL : calloc(c, n);
  chaos_live += p != NULL;
  return p;
}

static void *chaos_realloc(void *q, size_t n) {
  void *p;
  if (chaos_fail()) {
    return NULL;
  }
  p = realloc(q, n);
  chaos_live += (p != NULL && q == NULL);
  return p;
}

static void chaos_free(void *p) {
  chaos_live -= p != NULL;
  free(p);
}

/* Every allocation of parse, print, encode and decode may fail: the
 * result is WES_E_OUT_OF_MEMORY and nothing leaks. */
static void test_sddl_out_of_memory(void **state) {
  static const char *const in =
      "O:BAG:BAD:PAI(A;;0x40;;;BA)(OA;;CR;ab721a53-1e2f-11d0-9819-"
      "00aa0040529b;;PS)S:(AU;SA;GA;;;WD)";
  long n, base = chaos_live;
  int done = 0;
  (void)state;
  for (n = 0; !done && n < 1000; n++) {
    wes_sd_t *sd = NULL, *back = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    char *text = NULL;
    wes_hresult_t hr;
    chaos_countdown = n;
    hr = wes_sd_from_sddl(in, NULL, &sd, NULL);
    if (WES_SUCCEEDED(hr)) {
      hr = wes_sd_to_binary(sd, &bytes, &len, NULL);
    }
    if (WES_SUCCEEDED(hr)) {
      hr = wes_sd_from_binary(bytes, len, &back, NULL);
    }
    if (WES_SUCCEEDED(hr)) {
      hr = wes_sd_to_sddl(back, NULL, &text, NULL);
    }
    chaos_countdown = -1;
    if (WES_SUCCEEDED(hr)) {
      assert_string_equal(text, "O:BAG:BAD:PAI(A;;DT;;;BA)(OA;;CR;"
                                "ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)"
                                "S:(AU;SA;GA;;;WD)");
      done = 1;
    } else {
      assert_hr_equal(hr, WES_E_OUT_OF_MEMORY);
    }
    wes_free(text);
    wes_free(bytes);
    wes_sd_unref(sd);
    wes_sd_unref(back);
    assert_int_equal(chaos_live, base);
  }
  assert_true(done);
  assert_true(n > 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sddl_wmi_doc_strings),
      cmocka_unit_test(test_sddl_rights_spelled_every_way),
      cmocka_unit_test(test_sddl_ace_types_and_flags),
      cmocka_unit_test(test_sddl_null_and_empty_dacl),
      cmocka_unit_test(test_sddl_sid_forms),
      cmocka_unit_test(test_sddl_domain_aliases),
      cmocka_unit_test(test_sddl_errors_with_position),
      cmocka_unit_test(test_sddl_windows_verified),
      cmocka_unit_test(test_sddl_binary_exact),
      cmocka_unit_test(test_sddl_binary_roundtrip_keeps_everything),
      cmocka_unit_test(test_sddl_binary_malformed),
      cmocka_unit_test(test_sddl_binary_opaque_aces),
      cmocka_unit_test(test_sddl_sd_new_from_desc),
      cmocka_unit_test(test_sddl_acl_size_limit),
      cmocka_unit_test(test_sddl_out_of_memory),
  };
  if (wes_replace_allocator(chaos_malloc, chaos_realloc, chaos_calloc,
                            chaos_free) != WES_S_OK) {
    return 1;
  }
  return cmocka_run_group_tests_name("sddl", tests, NULL, NULL);
}
