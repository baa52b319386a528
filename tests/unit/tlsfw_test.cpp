// TLS terminators and firewalls (issue 5): the shared OpenSSL/alert decoder, and every parser of
// the family against its corpus files and reference fixtures.
#include <gtest/gtest.h>

#include "../../parsers/tls_common.h"
#include "test_support.h"

using namespace rstscope;
using namespace rstscope::testing;

TEST(TlsCommon, DecodesOpenSsl3Codes) {
  tls::OpenSslError e;
  ASSERT_TRUE(tls::find_openssl_error("SSL_accept: x.c:1: error:0A00010B:SSL routines::wrong version number", e));
  EXPECT_EQ(e.reason, "wrong version number");
  EXPECT_EQ(e.reason_number, 267);
  EXPECT_TRUE(e.v3);
  EXPECT_EQ(e.code, 0x0A00010Bu);
  EXPECT_EQ(tls::tls_failure_category(e), "plain-http-to-https");
}

TEST(TlsCommon, DecodesOpenSsl11AndAlerts) {
  tls::OpenSslError e;
  ASSERT_TRUE(tls::find_openssl_error(
      "SSL_do_handshake() failed (SSL: error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake "
      "failure:SSL alert number 40) while SSL handshaking",
      e));
  EXPECT_FALSE(e.v3);
  EXPECT_EQ(e.function, "ssl3_read_bytes");
  EXPECT_EQ(e.reason, "sslv3 alert handshake failure");
  EXPECT_EQ(e.alert, 40);
  EXPECT_EQ(tls::tls_alert_name(e.alert), "handshake_failure");
  ASSERT_TRUE(tls::find_openssl_error("error:0A00042E:SSL routines::tlsv1 alert protocol version:SSL alert number 70", e));
  EXPECT_EQ(e.alert, 70);
  EXPECT_EQ(tls::tls_reason_class(e), "version");
  // The code wins over a truncated printed reason.
  EXPECT_EQ(tls::openssl_reason("error:14209102:SSL routines:tls_early_post_process_client_hello:unsupp"),
            "unsupported protocol");
  EXPECT_EQ(tls::openssl_reason("SSL routines:ssl3_get_record:wrong version number"), "wrong version number");
  EXPECT_EQ(tls::openssl_reason("no error here"), "");
  EXPECT_EQ(tls::openssl_reason_for_code(0x1408F10B), "wrong version number");
  EXPECT_EQ(tls::openssl_reason_for_code(0x0A000126), "unexpected eof while reading");
}

TEST(TlsCommon, AlertSpellings) {
  EXPECT_EQ(tls::tls_alert_from_text("remote error: tls: unknown certificate authority"), 48);
  EXPECT_EQ(tls::tls_alert_from_text("remote error: tls: unknown certificate"), 46);
  EXPECT_EQ(tls::tls_alert_from_text("tlsv1 alert unknown ca"), 48);
  EXPECT_EQ(tls::tls_alert_from_text("Received fatal alert: protocol_version"), 70);
  EXPECT_EQ(tls::tls_alert_from_text("local error: tls: alert(115)"), 115);
  EXPECT_EQ(tls::tls_alert_from_text("nothing"), -1);
  EXPECT_EQ(tls::tls_alert_name(112), "unrecognized_name");
  EXPECT_EQ(tls::tls_alert_go_text(70), "protocol version not supported");
}
