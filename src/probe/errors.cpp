// Error vocabulary of the probe: errno names with their Windows Sockets twins, getaddrinfo codes,
// failure kinds (shared/spec/incidents.md) and TLS alert names (RFC 8446 / IANA registry).
#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include "probe/probe.h"

namespace rstscope::probe {
namespace {

// Linux errno -> Winsock code (winerror.h WSABASEERR 10000 + BSD number). Only socket-relevant ones.
constexpr ErrnoInfo kErrnos[] = {
    {EINTR, "EINTR", 10004, "WSAEINTR"},
    {EBADF, "EBADF", 10009, "WSAEBADF"},
    {EACCES, "EACCES", 10013, "WSAEACCES"},
    {EFAULT, "EFAULT", 10014, "WSAEFAULT"},
    {EINVAL, "EINVAL", 10022, "WSAEINVAL"},
    {EMFILE, "EMFILE", 10024, "WSAEMFILE"},
    {EAGAIN, "EAGAIN", 10035, "WSAEWOULDBLOCK"},
    {EINPROGRESS, "EINPROGRESS", 10036, "WSAEINPROGRESS"},
    {EALREADY, "EALREADY", 10037, "WSAEALREADY"},
    {ENOTSOCK, "ENOTSOCK", 10038, "WSAENOTSOCK"},
    {EDESTADDRREQ, "EDESTADDRREQ", 10039, "WSAEDESTADDRREQ"},
    {EMSGSIZE, "EMSGSIZE", 10040, "WSAEMSGSIZE"},
    {EPROTOTYPE, "EPROTOTYPE", 10041, "WSAEPROTOTYPE"},
    {ENOPROTOOPT, "ENOPROTOOPT", 10042, "WSAENOPROTOOPT"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT", 10043, "WSAEPROTONOSUPPORT"},
    {EOPNOTSUPP, "EOPNOTSUPP", 10045, "WSAEOPNOTSUPP"},
    {EAFNOSUPPORT, "EAFNOSUPPORT", 10047, "WSAEAFNOSUPPORT"},
    {EADDRINUSE, "EADDRINUSE", 10048, "WSAEADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL", 10049, "WSAEADDRNOTAVAIL"},
    {ENETDOWN, "ENETDOWN", 10050, "WSAENETDOWN"},
    {ENETUNREACH, "ENETUNREACH", 10051, "WSAENETUNREACH"},
    {ENETRESET, "ENETRESET", 10052, "WSAENETRESET"},
    {ECONNABORTED, "ECONNABORTED", 10053, "WSAECONNABORTED"},
    {ECONNRESET, "ECONNRESET", 10054, "WSAECONNRESET"},
    {ENOBUFS, "ENOBUFS", 10055, "WSAENOBUFS"},
    {EISCONN, "EISCONN", 10056, "WSAEISCONN"},
    {ENOTCONN, "ENOTCONN", 10057, "WSAENOTCONN"},
    {ESHUTDOWN, "ESHUTDOWN", 10058, "WSAESHUTDOWN"},
    {ETIMEDOUT, "ETIMEDOUT", 10060, "WSAETIMEDOUT"},
    {ECONNREFUSED, "ECONNREFUSED", 10061, "WSAECONNREFUSED"},
    {ELOOP, "ELOOP", 10062, "WSAELOOP"},
    {ENAMETOOLONG, "ENAMETOOLONG", 10063, "WSAENAMETOOLONG"},
    {EHOSTDOWN, "EHOSTDOWN", 10064, "WSAEHOSTDOWN"},
    {EHOSTUNREACH, "EHOSTUNREACH", 10065, "WSAEHOSTUNREACH"},
    // No Winsock twin: Windows reports a write into a reset connection as 10053/10054.
    {EPIPE, "EPIPE", 0, ""},
    {EPROTO, "EPROTO", 0, ""},
    {EIO, "EIO", 0, ""},
};

struct WsaText {
  int code;
  std::string_view text;
};
// Texts as quoted in shared/reference/signatures.md A1 (Windows system message table, en-US).
constexpr WsaText kWsaTexts[] = {
    {10050, "A socket operation encountered a dead network."},
    {10051, "A socket operation was attempted to an unreachable network."},
    {10052, "The connection has been broken due to keep-alive activity detecting a failure while the "
            "operation was in progress."},
    {10053, "An established connection was aborted by the software in your host machine."},
    {10054, "An existing connection was forcibly closed by the remote host."},
    {10060, "A connection attempt failed because the connected party did not properly respond after a "
            "period of time, or established connection failed because connected host has failed to respond."},
    {10061, "No connection could be made because the target machine actively refused it."},
    {10065, "A socket operation was attempted to an unreachable host."},
    {11001, "No such host is known."},
    {11002, "This is usually a temporary error during hostname resolution and means that the local "
            "server did not receive a response from an authoritative server."},
};

struct Alert {
  int code;
  std::string_view name;
};
constexpr Alert kAlerts[] = {
    {0, "close_notify"},           {10, "unexpected_message"},
    {20, "bad_record_mac"},        {21, "decryption_failed"},
    {22, "record_overflow"},       {30, "decompression_failure"},
    {40, "handshake_failure"},     {41, "no_certificate"},
    {42, "bad_certificate"},       {43, "unsupported_certificate"},
    {44, "certificate_revoked"},   {45, "certificate_expired"},
    {46, "certificate_unknown"},   {47, "illegal_parameter"},
    {48, "unknown_ca"},            {49, "access_denied"},
    {50, "decode_error"},          {51, "decrypt_error"},
    {60, "export_restriction"},    {70, "protocol_version"},
    {71, "insufficient_security"}, {80, "internal_error"},
    {86, "inappropriate_fallback"}, {90, "user_canceled"},
    {100, "no_renegotiation"},     {109, "missing_extension"},
    {110, "unsupported_extension"}, {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"}, {115, "unknown_psk_identity"},
    {116, "certificate_required"}, {120, "no_application_protocol"},
};

}  // namespace

const ErrnoInfo* errno_info(int err) {
  for (const ErrnoInfo& e : kErrnos)
    if (e.err == err) return &e;
  return nullptr;
}

std::string errno_name(int err) {
  if (const ErrnoInfo* e = errno_info(err)) return e->name;
  if (const char* n = strerrorname_np(err)) return n;
  return "E" + std::to_string(err);
}

int wsa_code(int err) {
  const ErrnoInfo* e = errno_info(err);
  return e ? e->wsa : 0;
}

std::string_view wsa_message(int wsa) {
  for (const WsaText& w : kWsaTexts)
    if (w.code == wsa) return w.text;
  return {};
}

std::string_view eai_name(int eai) {
  switch (eai) {
    case EAI_NONAME: return "EAI_NONAME";
    case EAI_AGAIN: return "EAI_AGAIN";
    case EAI_FAIL: return "EAI_FAIL";
    case EAI_NODATA: return "EAI_NODATA";
    case EAI_FAMILY: return "EAI_FAMILY";
    case EAI_SERVICE: return "EAI_SERVICE";
    case EAI_MEMORY: return "EAI_MEMORY";
    case EAI_SYSTEM: return "EAI_SYSTEM";
    case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
    case EAI_CANCELED: return "EAI_CANCELED";
    default: return "EAI_UNKNOWN";
  }
}

int eai_wsa(int eai) {
  switch (eai) {
    case EAI_NONAME: return 11001;   // WSAHOST_NOT_FOUND
    case EAI_AGAIN: return 11002;    // WSATRY_AGAIN
    case EAI_FAIL: return 11003;     // WSANO_RECOVERY
    case EAI_NODATA: return 11004;   // WSANO_DATA
    case EAI_CANCELED: return 10060;  // our own deadline: reported like a timeout
    default: return 0;
  }
}

std::string_view kind_for_errno(int err) {
  switch (err) {
    case ECONNRESET: case ENETRESET: return "reset";
    case ECONNABORTED: return "aborted";
    case EPIPE: case ESHUTDOWN: return "broken-pipe";
    case ECONNREFUSED: return "refused";
    case ETIMEDOUT: return "timeout";
    default: return "other";
  }
}

std::string_view tls_alert_name(int alert) {
  for (const Alert& a : kAlerts)
    if (a.code == alert) return a.name;
  return {};
}

std::string Step::get(std::string_view key) const {
  for (const auto& [k, v] : info)
    if (k == key) return v;
  return {};
}

}  // namespace rstscope::probe
