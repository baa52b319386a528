// Decoder tables and helpers for parsers/tls_common.h. The OpenSSL reason table is every
// SSL_R_* reason of OpenSSL 3.0 (ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, r))), so the
// decoding does not depend on the OpenSSL version installed where rstscope runs.
#include "tls_common.h"

#include <algorithm>
#include <iterator>

#include "rstscope/text.h"

namespace rstscope::tls {
namespace {

struct Reason {
  int number;
  std::string_view text;
};

constexpr Reason kReasons[] = {
    {100, "app data in handshake"},
    {101, "no suitable key share"},
    {102, "bad dh value"},
    {103, "bad change cipher spec"},
    {104, "inconsistent extms"},
    {105, "bad hello request"},
    {106, "bad data returned by callback"},
    {107, "bad decompression"},
    {108, "bad key share"},
    {109, "cannot change cipher"},
    {110, "bad extension"},
    {111, "bad digest length"},
    {112, "missing sigalgs extension"},
    {113, "invalid configuration name"},
    {114, "bad psk identity"},
    {115, "bad packet length"},
    {116, "bad protocol version number"},
    {117, "ssl command section empty"},
    {118, "no suitable signature algorithm"},
    {119, "bad rsa encrypt"},
    {120, "invalid key update type"},
    {121, "still in init"},
    {122, "bad key update"},
    {123, "bad signature"},
    {124, "bad ssl filetype"},
    {125, "ssl command section not found"},
    {126, "ssl section empty"},
    {127, "bad write retry"},
    {128, "bio not set"},
    {129, "block cipher pad is wrong"},
    {130, "bn lib"},
    {131, "ca dn length mismatch"},
    {132, "too many key updates"},
    {133, "ccs received early"},
    {134, "certificate verify failed"},
    {135, "cert length mismatch"},
    {136, "ssl section not found"},
    {137, "cipher code wrong length"},
    {139, "unknown command"},
    {140, "compressed length too long"},
    {141, "compression failure"},
    {142, "compression library error"},
    {144, "connection type not set"},
    {145, "data between ccs and finished"},
    {146, "data length too long"},
    {147, "decryption failed"},
    {148, "dh public value length is wrong"},
    {149, "digest check failed"},
    {150, "encrypted length too long"},
    {151, "error in received cipher list"},
    {152, "excessive message size"},
    {153, "extra data in message"},
    {154, "got a fin before a ccs"},
    {155, "https proxy request"},
    {156, "http request"},
    {157, "tls invalid ecpointformat list"},
    {158, "at least (D)TLS 1.2 needed in Suite B mode"},
    {159, "length mismatch"},
    {160, "length too short"},
    {161, "library has no ciphers"},
    {162, "illegal point compression"},
    {163, "ext length mismatch"},
    {164, "too much early data"},
    {165, "missing dsa signing cert"},
    {166, "version too high"},
    {167, "context not dane enabled"},
    {168, "missing rsa certificate"},
    {169, "missing rsa encrypting cert"},
    {170, "missing rsa signing cert"},
    {171, "missing tmp dh key"},
    {172, "dane already enabled"},
    {173, "dane cannot override mtype full"},
    {174, "invalid max early data"},
    {175, "dane not enabled"},
    {176, "no certificates returned"},
    {177, "no certificate assigned"},
    {178, "unexpected end of early data"},
    {179, "no certificate set"},
    {180, "dane tlsa bad certificate"},
    {181, "no ciphers available"},
    {182, "not on record boundary"},
    {183, "no ciphers specified"},
    {184, "dane tlsa bad certificate usage"},
    {185, "no cipher match"},
    {186, "bad cipher"},
    {187, "no compression specified"},
    {188, "no method specified"},
    {189, "dane tlsa bad data length"},
    {190, "no private key assigned"},
    {191, "no protocols available"},
    {192, "dane tlsa bad digest length"},
    {193, "no shared cipher"},
    {194, "exceeds max fragment size"},
    {195, "null ssl ctx"},
    {196, "null ssl method passed"},
    {197, "old session cipher not returned"},
    {198, "packet length too long"},
    {199, "peer did not return a certificate"},
    {200, "dane tlsa bad matching type"},
    {201, "dane tlsa bad public key"},
    {202, "dane tlsa bad selector"},
    {203, "dane tlsa null data"},
    {204, "error setting tlsa base domain"},
    {205, "invalid alert"},
    {206, "custom ext handler already installed"},
    {207, "protocol is shutdown"},
    {208, "sct verification failed"},
    {209, "missing supported groups extension"},
    {210, "ssl session version mismatch"},
    {211, "read bio not set"},
    {212, "invalid ct validation type"},
    {213, "record length mismatch"},
    {214, "no change following hrr"},
    {215, "required cipher missing"},
    {216, "no valid scts"},
    {217, "unsolicited extension"},
    {218, "ciphersuite digest has changed"},
    {219, "bad psk"},
    {220, "signature for non signing certificate"},
    {221, "missing signing cert"},
    {222, "inconsistent early data alpn"},
    {223, "psk identity not found"},
    {224, "psk no client cb"},
    {225, "psk no server cb"},
    {226, "clienthello tlsext"},
    {227, "parse tlsext"},
    {228, "ssl ctx has no default ssl version"},
    {229, "ssl handshake failure"},
    {230, "ssl library has no ciphers"},
    {231, "inconsistent early data sni"},
    {232, "ssl3 ext invalid max fragment length"},
    {233, "bad early data"},
    {234, "callback failed"},
    {235, "no application protocol"},
    {236, "bad handshake state"},
    {237, "overflow error"},
    {238, "invalid certificate or alg"},
    {239, "unable to find public key parameters"},
    {240, "bad packet"},
    {241, "insufficient security"},
    {242, "unable to load ssl3 md5 routines"},
    {243, "unable to load ssl3 sha1 routines"},
    {244, "unexpected message"},
    {245, "unexpected record"},
    {246, "unknown alert type"},
    {247, "unknown certificate type"},
    {248, "unknown cipher returned"},
    {249, "unknown cipher type"},
    {250, "unknown key exchange type"},
    {251, "unknown pkey type"},
    {252, "unknown protocol"},
    {253, "binder does not verify"},
    {254, "unknown ssl version"},
    {255, "unknown state"},
    {256, "missing fatal"},
    {257, "unsupported compression algorithm"},
    {258, "unsupported protocol"},
    {259, "unsupported ssl version"},
    {260, "invalid ccs message"},
    {261, "wrong cipher returned"},
    {262, "unexpected ccs message"},
    {263, "bad hrr version"},
    {264, "wrong signature length"},
    {265, "wrong signature size"},
    {266, "wrong ssl version"},
    {267, "wrong version number"},
    {268, "x509 lib"},
    {269, "x509 verification setup problems"},
    {270, "path too long"},
    {271, "bad length"},
    {272, "attempt to reuse session in different context"},
    {273, "ssl session id context too long"},
    {274, "library bug"},
    {275, "serverhello tlsext"},
    {276, "uninitialized"},
    {277, "session id context uninitialized"},
    {278, "post handshake auth encoding err"},
    {279, "extension not received"},
    {280, "invalid command"},
    {281, "decryption failed or bad record mac"},
    {282, "invalid context"},
    {283, "invalid config"},
    {284, "not server"},
    {285, "request pending"},
    {286, "request sent"},
    {287, "no cookie callback set"},
    {288, "private key mismatch"},
    {289, "not replacing certificate"},
    {290, "missing parameters"},
    {291, "application data after close notify"},
    {292, "bad legacy version"},
    {293, "mixed handshake and non handshake data"},
    {294, "unexpected eof while reading"},
    {295, "no suitable groups"},
    {296, "copy parameters failed"},
    {297, "no suitable digest algorithm"},
    {298, "record too small"},
    {299, "cannot get group name"},
    {300, "ssl3 session id too long"},
    {301, "ssl session id callback failed"},
    {302, "ssl session id conflict"},
    {303, "ssl session id has bad length"},
    {304, "bad ecc cert"},
    {305, "ocsp callback failure"},
    {306, "bad ecpoint"},
    {307, "compression id not within private range"},
    {308, "cookie mismatch"},
    {309, "duplicate compression id"},
    {310, "missing psk kex modes extension"},
    {311, "missing tmp ecdh key"},
    {312, "read timeout expired"},
    {314, "unable to find ecdh parameters"},
    {315, "unsupported elliptic curve"},
    {318, "ecc cert not for signing"},
    {319, "ssl3 ext invalid servername"},
    {320, "ssl3 ext invalid servername type"},
    {324, "no required digest"},
    {325, "invalid ticket keys length"},
    {328, "invalid status response"},
    {329, "unsupported status type"},
    {330, "Peer haven't sent GOST certificate, required for selected ciphersuite"},
    {331, "no client cert method"},
    {332, "bad handshake length"},
    {333, "legacy sigalg disallowed or unsupported"},
    {334, "dtls message too big"},
    {335, "renegotiate ext too long"},
    {336, "renegotiation encoding err"},
    {337, "renegotiation mismatch"},
    {338, "unsafe legacy renegotiation disabled"},
    {339, "no renegotiation"},
    {340, "inconsistent compression"},
    {341, "invalid compression algorithm"},
    {342, "required compression algorithm missing"},
    {343, "compression disabled"},
    {344, "old session compression algorithm not returned"},
    {345, "scsv received when renegotiating"},
    {347, "bad srp a length"},
    {352, "bad srtp mki value"},
    {353, "bad srtp protection profile list"},
    {354, "empty srtp protection profile list"},
    {357, "invalid srp username"},
    {358, "can't find SRP server param"},
    {359, "no srtp profiles"},
    {360, "signature algorithms error"},
    {361, "error with the srp params"},
    {362, "srtp could not allocate profiles"},
    {363, "srtp protection profile list too long"},
    {364, "srtp unknown protection profile"},
    {367, "tls illegal exporter label"},
    {368, "unknown digest"},
    {369, "use srtp not negotiated"},
    {370, "wrong signature type"},
    {371, "bad srp parameters"},
    {372, "ssl negative length"},
    {373, "inappropriate fallback"},
    {374, "ecdh required for suiteb mode"},
    {376, "no shared signature algorithms"},
    {377, "cert cb error"},
    {378, "wrong curve"},
    {380, "illegal Suite B digest"},
    {381, "missing ecdsa signing cert"},
    {383, "wrong certificate type"},
    {384, "bad value"},
    {385, "invalid null cmd name"},
    {386, "unknown cmd name"},
    {388, "invalid serverinfo data"},
    {389, "no pem extensions"},
    {390, "bad data"},
    {391, "pem name bad prefix"},
    {392, "pem name too short"},
    {394, "dh key too small"},
    {396, "version too low"},
    {397, "ca key too small"},
    {398, "ca md too weak"},
    {399, "ee key too small"},
    {400, "cookie gen callback failure"},
    {401, "fragmented client hello"},
    {402, "invalid sequence number"},
    {403, "no verify cookie callback"},
    {404, "length too long"},
    {405, "failed to init async"},
    {406, "pipeline failure"},
    {407, "shutdown while in init"},
    {408, "ssl session id too long"},
    {409, "too many warn alerts"},
    {410, "no shared groups"},
    {443, "bad record type"},
    {999, "invalid session id"},
    {1010, "sslv3 alert unexpected message"},
    {1020, "sslv3 alert bad record mac"},
    {1021, "tlsv1 alert decryption failed"},
    {1022, "tlsv1 alert record overflow"},
    {1030, "sslv3 alert decompression failure"},
    {1040, "sslv3 alert handshake failure"},
    {1041, "sslv3 alert no certificate"},
    {1042, "sslv3 alert bad certificate"},
    {1043, "sslv3 alert unsupported certificate"},
    {1044, "sslv3 alert certificate revoked"},
    {1045, "sslv3 alert certificate expired"},
    {1046, "sslv3 alert certificate unknown"},
    {1047, "sslv3 alert illegal parameter"},
    {1048, "tlsv1 alert unknown ca"},
    {1049, "tlsv1 alert access denied"},
    {1050, "tlsv1 alert decode error"},
    {1051, "tlsv1 alert decrypt error"},
    {1060, "tlsv1 alert export restriction"},
    {1070, "tlsv1 alert protocol version"},
    {1071, "tlsv1 alert insufficient security"},
    {1080, "tlsv1 alert internal error"},
    {1086, "tlsv1 alert inappropriate fallback"},
    {1090, "tlsv1 alert user cancelled"},
    {1100, "tlsv1 alert no renegotiation"},
    {1109, "tlsv13 alert missing extension"},
    {1110, "tlsv1 unsupported extension"},
    {1111, "tlsv1 certificate unobtainable"},
    {1112, "tlsv1 unrecognized name"},
    {1113, "tlsv1 bad certificate status response"},
    {1114, "tlsv1 bad certificate hash value"},
    {1115, "tlsv1 alert unknown psk identity"},
    {1116, "tlsv13 alert certificate required"},
    {1120, "tlsv1 alert no application protocol"},
};

struct Alert {
  int number;
  std::string_view rfc;
  std::string_view go;
};

// signatures.md B19 (Go texts from crypto/tls/alert.go).
constexpr Alert kAlerts[] = {
    {0, "close_notify", "close notify"},
    {10, "unexpected_message", "unexpected message"},
    {20, "bad_record_mac", "bad record MAC"},
    {21, "decryption_failed", "decryption failed"},
    {22, "record_overflow", "record overflow"},
    {30, "decompression_failure", "decompression failure"},
    {40, "handshake_failure", "handshake failure"},
    {41, "no_certificate", ""},
    {42, "bad_certificate", "bad certificate"},
    {43, "unsupported_certificate", "unsupported certificate"},
    {44, "certificate_revoked", "revoked certificate"},
    {45, "certificate_expired", "expired certificate"},
    {46, "certificate_unknown", "unknown certificate"},
    {47, "illegal_parameter", "illegal parameter"},
    {48, "unknown_ca", "unknown certificate authority"},
    {49, "access_denied", "access denied"},
    {50, "decode_error", "error decoding message"},
    {51, "decrypt_error", "error decrypting message"},
    {60, "export_restriction", ""},
    {70, "protocol_version", "protocol version not supported"},
    {71, "insufficient_security", "insufficient security level"},
    {80, "internal_error", "internal error"},
    {86, "inappropriate_fallback", "inappropriate fallback"},
    {90, "user_canceled", "user canceled"},
    {100, "no_renegotiation", "no renegotiation"},
    {109, "missing_extension", "missing extension"},
    {110, "unsupported_extension", "unsupported extension"},
    {111, "certificate_unobtainable", ""},
    {112, "unrecognized_name", ""},
    {113, "bad_certificate_status_response", ""},
    {114, "bad_certificate_hash_value", ""},
    {115, "unknown_psk_identity", ""},
    {116, "certificate_required", ""},
    {120, "no_application_protocol", "no application protocol"},
};

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// True when s[i..i+8) are hex digits followed by ':'.
bool hex8_colon(std::string_view s, size_t i, uint32_t& code) {
  if (i + 9 > s.size() || s[i + 8] != ':') return false;
  uint32_t v = 0;
  for (size_t k = 0; k < 8; ++k) {
    int h = hexval(s[i + k]);
    if (h < 0) return false;
    v = (v << 4) | static_cast<uint32_t>(h);
  }
  code = v;
  return true;
}

// Reason text as printed: up to ':' (data follows), ')' or end; trimmed.
std::string_view printed_reason(std::string_view s) {
  size_t end = s.find_first_of(":)");
  std::string_view r = trim(s.substr(0, end));
  // Apache appends " (SSL alert number 48)" without a colon.
  size_t paren = r.find(" (");
  if (paren != std::string_view::npos) r = trim(r.substr(0, paren));
  return r;
}

int alert_number_after(std::string_view s) {
  size_t p = s.find("alert number ");
  if (p == std::string_view::npos) return -1;
  p += 13;
  int v = 0, digits = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9' && digits < 4) {
    v = v * 10 + (s[p] - '0');
    ++p;
    ++digits;
  }
  return digits ? v : -1;
}

bool has(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

}  // namespace

std::string_view openssl_reason_for_number(int n) {
  auto it = std::lower_bound(std::begin(kReasons), std::end(kReasons), n,
                             [](const Reason& r, int v) { return r.number < v; });
  if (it != std::end(kReasons) && it->number == n) return it->text;
  return {};
}

int openssl_reason_number(std::string_view reason) {
  if (reason.empty()) return 0;
  for (const Reason& r : kReasons)
    if (r.text == reason) return r.number;
  return 0;
}

std::string_view openssl_reason_for_code(uint32_t code) {
  if ((code >> 23) == 20) return openssl_reason_for_number(static_cast<int>(code & 0x7FFFFF));
  if ((code >> 24) == 20) return openssl_reason_for_number(static_cast<int>(code & 0xFFF));
  return {};
}

bool find_openssl_error(std::string_view text, OpenSslError& out) {
  out = OpenSslError{};
  // 1) "error:XXXXXXXX:" anywhere in the line.
  size_t pos = 0;
  while ((pos = text.find("error:", pos)) != std::string_view::npos) {
    uint32_t code;
    if (hex8_colon(text, pos + 6, code)) {
      out.code = code;
      std::string_view rest = text.substr(pos + 15);  // after "error:XXXXXXXX:"
      if ((code >> 23) == 20 && (code >> 24) != 20) {
        out.library = 20;
        out.v3 = true;
        out.reason_number = static_cast<int>(code & 0x7FFFFF);
      } else if ((code >> 24) == 20) {
        out.library = 20;
        out.reason_number = static_cast<int>(code & 0xFFF);
      } else if (code & 0x80000000u) {
        out.library = 0;  // system error packing (3.x ERR_SYSTEM_FLAG)
      } else {
        out.library = static_cast<int>(code >> 23);
        if (out.library > 127) out.library = static_cast<int>(code >> 24);
      }
      // "LIB routines:FUNC:REASON[:data]" (FUNC empty in 3.x ERR_error_string)
      size_t c1 = rest.find(':');
      std::string_view after_lib = c1 == std::string_view::npos ? std::string_view{} : rest.substr(c1 + 1);
      size_t c2 = after_lib.find(':');
      std::string_view printed;
      if (c2 != std::string_view::npos) {
        out.function = after_lib.substr(0, c2);
        printed = printed_reason(after_lib.substr(c2 + 1));
      }
      std::string_view canon = out.library == 20 ? openssl_reason_for_number(out.reason_number) : std::string_view{};
      out.reason = canon.empty() ? printed : canon;
      if (out.reason_number == 0 && !printed.empty()) out.reason_number = openssl_reason_number(printed);
      if (out.reason_number >= 1000 && out.reason_number < 1256) out.alert = out.reason_number - 1000;
      if (out.alert < 0) out.alert = alert_number_after(rest.substr(0, 200));
      return true;
    }
    pos += 6;
  }
  // 2) bare "SSL routines:FUNC:REASON"
  size_t r = text.find("SSL routines:");
  if (r == std::string_view::npos) return false;
  std::string_view rest = text.substr(r + 13);
  size_t c = rest.find(':');
  if (c == std::string_view::npos) return false;
  out.library = 20;
  out.function = rest.substr(0, c);
  std::string_view printed = printed_reason(rest.substr(c + 1));
  out.reason_number = openssl_reason_number(printed);
  std::string_view canon = openssl_reason_for_number(out.reason_number);
  out.reason = canon.empty() ? printed : canon;
  if (out.reason_number >= 1000 && out.reason_number < 1256) out.alert = out.reason_number - 1000;
  if (out.alert < 0) out.alert = alert_number_after(rest.substr(0, 200));
  return true;
}

std::string_view openssl_reason(std::string_view text) {
  OpenSslError e;
  if (!find_openssl_error(text, e)) return {};
  return e.reason;
}

std::string_view tls_alert_name(int alert) {
  for (const Alert& a : kAlerts)
    if (a.number == alert) return a.rfc;
  return {};
}

std::string_view tls_alert_go_text(int alert) {
  for (const Alert& a : kAlerts)
    if (a.number == alert) return a.go;
  return {};
}

int tls_alert_from_text(std::string_view text) {
  text = trim(text);
  if (text.empty()) return -1;
  int n = alert_number_after(text);
  if (n >= 0) return n;
  // OpenSSL reason "tlsv1 alert unknown ca" -> 1048
  int rn = openssl_reason_number(text);
  if (rn >= 1000 && rn < 1256) return rn - 1000;
  // Strip common prefixes: "remote error: tls: ", "local error: tls: ", "tls: ", "Received fatal alert: "
  for (std::string_view p : {std::string_view("remote error: "), std::string_view("local error: "),
                             std::string_view("Received fatal alert: "), std::string_view("tls: ")}) {
    size_t at = text.find(p);
    if (at != std::string_view::npos) text = text.substr(at + p.size());
  }
  text = trim(text);
  // Go "alert(N)"
  if (starts_with(text, "alert(")) {
    int64_t v;
    size_t close = text.find(')');
    if (close != std::string_view::npos && parse_int(text.substr(6, close - 6), v)) return static_cast<int>(v);
  }
  // Longest match first: "unknown certificate authority" before "unknown certificate".
  int best = -1;
  size_t best_len = 0;
  for (const Alert& a : kAlerts) {
    if (!a.rfc.empty() && text == a.rfc) return a.number;
    if (!a.go.empty() && starts_with(text, a.go) && a.go.size() > best_len &&
        (text.size() == a.go.size() || text[a.go.size()] == ' ' || text[a.go.size()] == ',' ||
         text[a.go.size()] == ')' || text[a.go.size()] == '"')) {
      best = a.number;
      best_len = a.go.size();
    }
  }
  return best;
}

std::string_view tls_failure_category(const OpenSslError& e) {
  switch (e.reason_number) {
    case 156:  // http request
    case 155:  // https proxy request
    case 267:  // wrong version number
      return "plain-http-to-https";
    case 294:  // unexpected eof while reading
      return "tls-handshake-closed";
    case 199:  // peer did not return a certificate
    case 134:  // certificate verify failed (our verification of the peer's certificate)
      return "tls-client-cert";
    default:
      break;
  }
  std::string_view r = e.reason;
  if (has(r, "http request")) return "plain-http-to-https";
  if (has(r, "wrong version number")) return "plain-http-to-https";
  if (has(r, "unexpected eof")) return "tls-handshake-closed";
  if (has(r, "no certificate returned") || has(r, "did not return a certificate")) return "tls-client-cert";
  return "tls-handshake-failed";
}

std::string_view tls_reason_class(const OpenSslError& e) {
  if (e.alert >= 0) {
    switch (e.alert) {
      case 70: case 71: case 86: return "version";
      case 41: case 42: case 43: case 44: case 45: case 46: case 48: case 116: return "cert";
      case 112: return "sni";
      case 120: return "alpn";
      default: return "peer-alert";
    }
  }
  std::string_view r = e.reason;
  if (r.empty()) return "other";
  if (has(r, "http request") || has(r, "https proxy request") || has(r, "wrong version number") ||
      has(r, "unknown protocol") || has(r, "record layer failure") || has(r, "packet length too long"))
    return "non-tls";
  if (has(r, "unsupported protocol") || has(r, "version too low") || has(r, "version too high") ||
      has(r, "inappropriate fallback") || has(r, "no protocols available") || has(r, "unsupported ssl version"))
    return "version";
  if (has(r, "cipher") || has(r, "key share") || has(r, "no shared") || has(r, "sigalg")) return "cipher";
  if (has(r, "certificate")) return "cert";
  if (has(r, "eof")) return "eof";
  if (has(r, "servername") || has(r, "server name")) return "sni";
  if (has(r, "application protocol") || has(r, "alpn")) return "alpn";
  return "other";
}

void add_openssl_fields(Event& ev, const OpenSslError& e) {
  if (!e.reason.empty()) ev.fields.add("tls_reason", e.reason);
  if (e.code) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = kHex[(e.code >> (28 - 4 * i)) & 0xF];
    ev.fields.add("tls_code", std::string_view(buf, 8));
  }
  if (!e.function.empty()) ev.fields.add("tls_function", e.function);
  if (e.alert >= 0) {
    ev.fields.add("tls_alert", static_cast<int64_t>(e.alert));
    std::string_view name = tls_alert_name(e.alert);
    if (!name.empty()) ev.fields.add("tls_alert_name", name);
  }
  ev.fields.add("tls_class", tls_reason_class(e));
}

void add_alert_fields(Event& ev, int alert) {
  if (alert < 0) return;
  ev.fields.add("tls_alert", static_cast<int64_t>(alert));
  std::string_view name = tls_alert_name(alert);
  if (!name.empty()) ev.fields.add("tls_alert_name", name);
  OpenSslError e;
  e.alert = alert;
  ev.fields.add("tls_class", tls_reason_class(e));
}

}  // namespace rstscope::tls
