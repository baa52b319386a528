// Shared TLS decoding for every parser whose lines carry OpenSSL errors or TLS alerts
// (nginx, HAProxy, Apache mod_ssl, stunnel, Go/Caddy, Schannel). Internal to parsers/.
//
// Contract:
// - find_openssl_error() finds the FIRST OpenSSL error in a line and decodes it. It accepts
//     3.x   "error:0A00010B:SSL routines::wrong version number"
//     3.x   "40A7..:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:..."
//     1.1   "error:1408F10B:SSL routines:ssl3_get_record:wrong version number"
//     1.0   "error:14094410:SSL routines:SSL3_READ_BYTES:sslv3 alert handshake failure"
//     bare  "SSL routines:ssl3_get_record:wrong version number" (no code)
//   plus a trailing ":SSL alert number N" / "(SSL alert number N)".
// - The reason is canonical (OpenSSL 3.0 ERR_reason_error_string text, from a built-in table of
//   every SSL_R_* reason) when the code or the text is known; otherwise it points into the input.
//   Any string_view returned points either into static storage or into the caller's text; never
//   into temporary storage.
// - Code packing: 3.x = (lib << 23) | reason (SSL lib 20 -> 0x0A000000 | reason);
//   1.0/1.1 = (lib << 24) | (function << 12) | reason (SSL lib 20 -> 0x14FFFRRR).
//   Reasons 1000+N are "TLS alert N received from the peer" (alert = N).
// Cost: no allocation; one scan of the line; table lookups are binary searches.
// Thread-safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <string_view>

#include "rstscope/event.h"

namespace rstscope::tls {

struct OpenSslError {
  uint32_t code = 0;          // packed code as printed (0 when the text had none)
  int library = 0;            // ERR_LIB_* (20 = SSL); 0 when unknown
  int reason_number = 0;      // SSL_R_* number (1000+N for alerts); 0 when unknown
  int alert = -1;             // TLS alert number when the reason is a received alert, else -1
  bool v3 = false;            // true for 3.x packing (0x0A000xxx)
  std::string_view function;  // function name when printed (1.x; 3.x print-errors form), else ""
  std::string_view reason;    // canonical reason text (see contract), "" when none
};

// Decodes the first OpenSSL error in `text`; false when there is none.
bool find_openssl_error(std::string_view text, OpenSslError& out);

// Canonical OpenSSL reason of the first error in `text` ("" when none). E.g. for
// "SSL_accept: ...: error:0A00010B:SSL routines::wrong version number" -> "wrong version number".
std::string_view openssl_reason(std::string_view text);

// Reason text for a packed SSL-library code (3.x or 1.x); "" for other libraries or unknown reasons.
std::string_view openssl_reason_for_code(uint32_t code);
// Reason text for an SSL_R_* number ("" when unknown), and the inverse (0 when unknown).
std::string_view openssl_reason_for_number(int reason_number);
int openssl_reason_number(std::string_view reason);

// TLS alerts (RFC 5246/8446, IANA registry; signatures.md B19).
std::string_view tls_alert_name(int alert);      // "certificate_unknown"; "" when unknown
std::string_view tls_alert_go_text(int alert);   // Go crypto/tls text "unknown certificate"; "" when none
// Alert number from any spelling: RFC name ("unknown_ca"), Go text ("unknown certificate authority"),
// OpenSSL reason ("tlsv1 alert unknown ca"), Java ("Received fatal alert: unknown_ca"). -1 when none.
int tls_alert_from_text(std::string_view text);

// docs/categories.md word for a TLS failure as seen by the accepting (server) side:
//   "plain-http-to-https"  http request / https proxy request / wrong version number (non-TLS bytes)
//   "tls-handshake-closed" unexpected eof while reading / peer closed in the handshake
//   "tls-client-cert"      client certificate missing or rejected by us
//   "tls-handshake-failed" anything else (version, cipher, alerts received ...)
std::string_view tls_failure_category(const OpenSslError& e);
// Short cause class of a reason for reports and rules: "non-tls", "version", "cipher", "cert",
// "peer-alert", "eof", "sni", "alpn", "other".
std::string_view tls_reason_class(const OpenSslError& e);

// Adds the decoded error to ev.fields: tls_reason, tls_code ("0A00010B"), tls_function (when
// printed), tls_alert + tls_alert_name (received alerts), tls_class (tls_reason_class).
void add_openssl_fields(Event& ev, const OpenSslError& e);
// Adds tls_alert, tls_alert_name and tls_class for an alert number (Go, Schannel, Java texts).
void add_alert_fields(Event& ev, int alert);

}  // namespace rstscope::tls
