#include "client_common.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "rstscope/text.h"

namespace rstscope::client {
namespace {

// Priorities (lower wins): 10 wrappers more precise than their code, 20 numeric codes,
// 30 errno/WSA texts, 35 runtime-specific English, 40 curl/Guzzle exit codes, 45 DNS,
// 50 TLS in general, 60 generic transport wrappers. Runtime rows have no kind.
struct Rule {
  const char* re;
  std::string_view kind;
  int priority;
  std::string_view error_name;
  int64_t err_no;
  int64_t wsa;
  std::string_view runtime;
};

constexpr int64_t N = kNull;

// Signatures: shared/reference/signatures.md Part A (A1-A11).
const Rule kRules[] = {
    // --- 10: precise wrappers
    {R"(socket hang up)", "eof", 10, "", N, N, ""},
    {R"(other side closed)", "eof", 10, "", N, N, ""},
    {R"(Client network socket disconnected before secure TLS)", "tls", 10, "", N, N, ""},
    {R"(Empty reply from server|curl: \(52\)|cURL error 52\b)", "eof", 10, "", N, N, ""},
    {R"(transfer closed with \d+ bytes remaining|curl: \(18\)|cURL error 18\b)", "eof", 10, "", N, N, ""},
    {R"(SSL_connect)", "tls", 10, "", N, N, ""},
    {R"(RemoteDisconnected|Remote end closed connection without response)", "eof", 10, "", N, N, ""},
    {R"(SSLEOFError|UNEXPECTED_EOF_WHILE_READING|EOF occurred in violation of protocol|unexpected eof while reading)",
     "tls", 10, "", N, N, ""},
    {R"(Remote host terminated the handshake|closed connection during handshake|SSL peer shut down incorrectly)",
     "tls", 10, "", N, N, ""},
    {R"(Authentication failed because the remote party|handshake failed due to an unexpected packet)", "tls", 10, "",
     N, N, ""},
    {R"(The response ended prematurely|\(ResponseEnded\)|connection was closed before all data could be read)", "eof",
     10, "", N, N, ""},
    {R"(server closed idle connection)", "eof", 10, "", N, N, ""},
    {R"(Server disconnected|ServerDisconnectedError)", "eof", 10, "", N, N, ""},
    {R"(connection closed before message completed|IncompleteMessage)", "eof", 10, "", N, N, ""},
    {R"(expected to be kept alive was closed by the server|KeepAliveFailure)", "eof", 10, "", N, N, ""},
    {R"(NoHttpResponseException|failed to respond)", "eof", 10, "", N, N, ""},
    {R"(PrematureCloseException|Connection prematurely closed)", "eof", 10, "", N, N, ""},
    {R"(TLS handshake timeout|Client\.Timeout exceeded|context deadline exceeded|curl: \(28\)|cURL error 28\b|Operation timed out after)",
     "timeout", 10, "", N, N, ""},
    // --- 20: numeric codes
    {R"((?:WinError |[Ee]rror:? |code:? |[(\[])10054\b|WSAECONNRESET|\bConnectionReset\b)", "reset", 20,
     "WSAECONNRESET", N, 10054, ""},
    {R"(\[Errno (?:104|54)\]|ConnectionResetError\((?:104|54)\b|errno:? -?104\b|os error 104\b|\(104\)|\(104:|errno 104\b|errno: -4077\b|\bECONNRESET\b)",
     "reset", 20, "ECONNRESET", 104, N, ""},
    {R"((?:WinError |[Ee]rror:? |code:? |[(\[])10053\b|WSAECONNABORTED|\bConnectionAborted\b|\bECONNABORTED\b|\[Errno 103\])",
     "aborted", 20, "WSAECONNABORTED", N, 10053, ""},
    {R"(\[Errno 32\]|BrokenPipeError|errno:? -?32\b|os error 32\b|\bEPIPE\b|\bBrokenPipe\b)", "broken-pipe", 20, "EPIPE",
     32, N, ""},
    {R"((?:WinError |[Ee]rror:? |code:? |[(\[])10061\b|WSAECONNREFUSED|\bConnectionRefused\b)", "refused", 20,
     "WSAECONNREFUSED", N, 10061, ""},
    {R"(\[Errno (?:111|61)\]|ConnectionRefusedError|errno:? -?111\b|os error 111\b|\(111\)|\(111:|errno: -4078\b|\bECONNREFUSED\b)",
     "refused", 20, "ECONNREFUSED", 111, N, ""},
    {R"((?:WinError |[Ee]rror:? |code:? |[(\[])10060\b|WSAETIMEDOUT|\bTimedOut\b)", "timeout", 20, "WSAETIMEDOUT", N,
     10060, ""},
    {R"(\[Errno (?:110|60)\]|errno:? -?110\b|os error 110\b|\(110\)|\(110:|\bETIMEDOUT\b)", "timeout", 20, "ETIMEDOUT",
     110, N, ""},
    // --- 30: errno / WSA texts
    {R"((?i)connection reset by peer|forcibly closed by the remote host|Connection was reset|Connection reset\b)", "reset",
     30, "ECONNRESET", N, N, ""},
    {R"(established connection was aborted|Software caused connection abort|aborted by the local system)", "aborted", 30,
     "ECONNABORTED", N, N, ""},
    {R"((?i)broken pipe)", "broken-pipe", 30, "EPIPE", N, N, ""},
    {R"((?i)connection refused|actively refused)", "refused", 30, "ECONNREFUSED", N, N, ""},
    {R"((?i)connection timed out|did not properly respond after a period of time|i/o timeout)", "timeout", 30,
     "ETIMEDOUT", N, N, ""},
    // --- 35: runtime-specific English
    {R"(Unexpected end of file from server|header parser received no bytes|unexpected end of stream|EOF reached while reading|EOFException|\bEOFError\b|end of file reached|fixed content-length: \d+, bytes received|IncompleteRead|No data received\.|closed unexpectedly|unexpected EOF|: EOF(?:$|\s|"|'))",
     "eof", 35, "", N, N, ""},
    {R"(Read timed out|connect timed out|Timeout was reached|HttpTimeoutException|HttpConnectTimeoutException|ReadTimeout(?:Error|Exception)?:|ReadTimeoutError|ConnectTimeout(?:Error|Exception)|Net::ReadTimeout|Net::OpenTimeout|\bTimeoutError\b|The operation has timed out|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|HeadersTimeoutError|request timed out)",
     "timeout", 35, "", N, N, ""},
    // .NET Framework WebException ReceiveFailure (signatures.md A2.1): the response never fully
    // arrived because the connection broke under the read - a reset unless an inner text says more.
    {R"(An unexpected error occurred on a receive|\bReceiveFailure\b)", "reset", 35, "", N, N, ""},
    {R"(stream was reset|GOAWAY|RST_STREAM|HTTP/2 stream \d+ was not closed cleanly|StreamResetException)", "other", 35,
     "", N, N, ""},
    // --- 40: curl / Guzzle exit codes
    {R"(curl: \(7\)|cURL error 7\b)", "refused", 40, "", N, N, ""},
    {R"(curl: \(35\)|cURL error 35\b)", "tls", 40, "", N, N, ""},
    {R"(curl: \(56\)|cURL error 56\b)", "reset", 40, "", N, N, ""},
    {R"(curl: \(55\)|cURL error 55\b)", "broken-pipe", 40, "", N, N, ""},
    {R"(curl: \((?:16|92)\)|cURL error (?:16|92)\b)", "other", 40, "", N, N, ""},
    // --- 45: name resolution (connection-level, fits no other kind)
    {R"(Name or service not known|nodename nor servname|getaddrinfo|Could not resolve host|No such host is known|\bENOTFOUND\b|\bEAI_AGAIN\b|remote name could not be resolved|no such host|Temporary failure in name resolution)",
     "other", 45, "", N, N, ""},
    // --- 50: TLS in general
    {R"(SSLHandshakeException|SSLException|SSLError|SSLZeroReturnError|SSLCertVerificationError|AuthenticationException|Could not create SSL/TLS secure channel|SSL connection could not be established|remote error: tls:|\btls: |x509: |certificate verify failed|CERTIFICATE_VERIFY_FAILED|Received fatal alert|WRONG_VERSION_NUMBER|wrong version number|SecureChannelFailure|TrustFailure|PKIX path building failed|SSL routines|schannel: )",
     "tls", 50, "", N, N, ""},
    {R"(ConnectException|ConnectError|ClientConnectorError|NewConnectionError|Failed to establish a new connection|Unable to connect to the remote server|ConnectFailure|Failed to connect to|Failed to open TCP connection)",
     "refused", 55, "", N, N, ""},
    // --- 60: generic transport wrappers
    {R"(HttpRequestException|WebException|An error occurred while sending the request|fetch failed|error sending request|Connection aborted\.|requests\.exceptions\.ConnectionError|ProtocolError|ChunkedEncodingError|ClientOSError|ClientPayloadError|GuzzleHttp\\Exception|ConnectionFailed|TransportError|HttpIOException|NetworkException|SocketException|UND_ERR_SOCKET|WebCmdletWebResponseException|The underlying connection was closed|transport connection broken|Unable to read data from the transport connection|Unable to write data to the transport connection|SocketError)",
     "other", 60, "", N, N, ""},
    // --- 65: the connection worked but the answer was an HTTP error the client raised as an
    // exception (requests raise_for_status, urllib HTTPError, curl -f (22), .NET
    // EnsureSuccessStatusCode, Java HttpResponseException); transport errors above win.
    {R"(HTTPError: \d{3}|HTTP Error \d{3}|urllib\.error\.HTTPError|curl: \(22\)|The requested URL returned error: \d{3}|Response status code does not indicate success: \d{3}|HttpResponseException|status code \d{3}|HttpStatusCodeException|WebClientResponseException|ClientResponseError)",
     "http-error", 65, "", N, N, ""},
    // --- runtimes (no kind); the first matching row names the runtime
    {R"(Invoke-WebRequest|Invoke-RestMethod|FullyQualifiedErrorId|At line:\d+ char:\d+)", "", 0, "", N, N, "powershell"},
    {R"(System\.Net\.|System\.IO\.IOException|\bat System\.|\.cs:line \d+|SocketException \(\d+\)|HttpRequestException|Microsoft\.Extensions)",
     "", 0, "", N, N, "dotnet"},
    {R"(GuzzleHttp|cURL error \d+|PHP (?:Fatal|Warning)|fread\(\)|fwrite\(\)|stream_socket_client|\.php:\d+)", "", 0, "", N,
     N, "php"},
    {R"(Errno::|Net::ReadTimeout|Net::OpenTimeout|OpenSSL::SSL|Faraday::|\.rb:\d+:in )", "", 0, "", N, N, "ruby"},
    {R"(reqwest::|hyper::|hyper_util|\(os error \d+\))", "", 0, "", N, N, "rust"},
    {R"(java\.(?:net|io|lang|nio)\.|javax\.net|\tat [\w$.]+|Caused by: |org\.apache\.h|okhttp3|reactor\.netty|io\.netty|Exception in thread)",
     "", 0, "", N, N, "java"},
    {R"(Traceback \(most recent call last\)|File "[^"]+", line \d+|urllib3|requests\.exceptions|aiohttp|httpx|\[Errno \d+\]|\[WinError \d+\]|ConnectionResetError|http\.client\.)",
     "", 0, "", N, N, "python"},
    {R"(node:internal|node:events|code: 'E|errno: -\d+|UND_ERR|onStreamRead|\(node:|AxiosError|socket hang up|Node\.js v\d+)",
     "", 0, "", N, N, "node"},
    {R"((?:read|write|dial) tcp[46]? \S+: |wsarecv|wsasend|connectex|net/http: |(?:Get|Post|Put|Delete|Head|Patch) "https?://|http2: |goroutine \d+ \[)",
     "", 0, "", N, N, "go"},
    {R"(curl: \(\d+\)|\*\s+Trying \S+\.\.\.|\* Connected to )", "", 0, "", N, N, "curl"},
};

constexpr size_t kRuleCount = sizeof(kRules) / sizeof(kRules[0]);

struct CompiledSet {
  std::unique_ptr<RE2::Set> set;
  bool ok = false;
  CompiledSet() {
    RE2::Options o;
    o.set_max_mem(64 << 20);
    o.set_log_errors(false);
    set = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
    ok = true;
    for (size_t i = 0; i < kRuleCount; ++i) {
      std::string err;
      // (?m) so that $ matches at line ends inside a multi-line record.
      std::string re = std::string("(?m)") + kRules[i].re;
      if (set->Add(re, &err) != int(i)) ok = false;
    }
    if (ok) ok = set->Compile();
  }
};

const CompiledSet& compiled() {
  static const CompiledSet s;
  return s;
}

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

// Case-insensitive find of an ASCII needle.
size_t ifind(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (needle.empty() || needle.size() > hay.size()) return std::string_view::npos;
  char f = lower(needle[0]);
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (lower(hay[i]) != f) continue;
    size_t k = 1;
    while (k < needle.size() && lower(hay[i + k]) == lower(needle[k])) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

// Host[:port] at the start of s, ending at a delimiter; handles [v6]:port.
std::string_view take_endpoint(std::string_view s) {
  size_t i = 0;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return {};
    i = close + 1;
  }
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == ',' || c == ')' || c == '"' || c == '\'' || c == '\n' || c == '\r' || c == '\t' ||
        c == ']' || c == '>' || c == ';' || c == '/' || c == '\\')
      break;
    ++i;
  }
  std::string_view e = s.substr(0, i);
  while (!e.empty() && (e.back() == '.' || e.back() == ':')) e.remove_suffix(1);
  return e;
}

bool looks_like_ip(std::string_view h) {
  return looks_like_ipv4(h) || (h.find(':') != std::string_view::npos && h.find('.') == h.rfind('.'));
}

void set_target(Event& ev, std::string_view host, int64_t port) {
  if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return;
  if (ev.host.empty()) ev.host.assign(host);
  if (looks_like_ip(host) && ev.server_ip.empty()) ev.server_ip.assign(host);
  if (port >= 0 && port <= 65535 && ev.server_port == kNull) ev.server_port = port;
}

bool endpoint_to_target(std::string_view ep, Event& ev) {
  std::string_view h;
  int64_t port = -1;
  split_host_port(ep, h, port);
  if (h.empty() || port < 0) return false;
  set_target(ev, h, port);
  return true;
}

void set_local(Event& ev, std::string_view ep) {
  std::string_view h;
  int64_t port = -1;
  split_host_port(ep, h, port);
  if (port >= 0 && ev.client_port == kNull) ev.client_port = port;
  if (!h.empty() && looks_like_ip(h) && ev.client_ip.empty()) ev.client_ip.assign(h);
}

int64_t read_int_at(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '=' || s[i] == ':' || s[i] == '"' || s[i] == '\'')) ++i;
  size_t j = i;
  while (j < s.size() && is_digit(s[j]) && j - i < 8) ++j;
  int64_t v;
  if (j > i && parse_int(s.substr(i, j - i), v)) return v;
  return kNull;
}

std::string_view read_quoted_at(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '=' || s[i] == ':')) ++i;
  if (i < s.size() && (s[i] == '\'' || s[i] == '"')) {
    char q = s[i];
    size_t j = s.find(q, i + 1);
    if (j == std::string_view::npos) return {};
    return s.substr(i + 1, j - i - 1);
  }
  return take_endpoint(s.substr(i));
}

// Exception type at the start of s: "java.net.SocketException", "System.Net.Sockets.SocketException",
// "ConnectionResetError", "Errno::ECONNRESET", "GuzzleHttp\Exception\ConnectException".
std::string_view exception_token(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_word(c) || c == '.' || c == '$' || c == '\\') {
      ++i;
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      i += 2;
    } else {
      break;
    }
  }
  if (i == 0) return {};
  std::string_view tok = s.substr(0, i);
  bool end_ok = i == s.size() || s[i] == ':' || s[i] == '\r' ||
                (s[i] == ' ' && i + 1 < s.size() && s[i + 1] == '(' && i + 2 < s.size() && is_digit(s[i + 2]));
  if (!end_ok) return {};
  if (tok.find("Exception") != std::string_view::npos || tok.find("Error") != std::string_view::npos ||
      ends_with(tok, "Disconnected") || ends_with(tok, "IncompleteRead") || ends_with(tok, "Timeout") ||
      starts_with(tok, "Errno::"))
    return tok;
  return {};
}

std::string_view strip_chain_prefix(std::string_view s, bool& suppressed) {
  suppressed = false;
  static constexpr std::string_view kPrefixes[] = {"Caused by: ", "---> ", "[cause]: ", "Unhandled exception. ",
                                                   "Unhandled Exception: ", "Error: Unhandled error. "};
  for (std::string_view p : kPrefixes)
    if (starts_with(s, p)) return s.substr(p.size());
  if (starts_with(s, "Suppressed: ")) {
    suppressed = true;
    return s.substr(12);
  }
  if (starts_with(s, "Exception in thread \"")) {
    size_t q = s.find('"', 21);
    if (q != std::string_view::npos && q + 2 <= s.size()) return s.substr(q + 2);
  }
  return s;
}

void exception_chain(std::string_view text, Event& ev) {
  std::string_view first, last;
  bool python = text.find("Traceback (most recent call last)") != std::string_view::npos;
  std::string_view ps_category;
  size_t pos = 0;
  int lines = 0;
  while (pos <= text.size() && lines < 400) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lines;
    std::string_view s = line;
    while (!s.empty() && (s[0] == ' ' || s[0] == '\t')) s.remove_prefix(1);
    if (s.empty()) continue;
    bool suppressed;
    s = strip_chain_prefix(s, suppressed);
    if (suppressed) continue;
    std::string_view tok = exception_token(s);
    if (!tok.empty()) {
      if (first.empty()) first = tok;
      last = tok;
      // .NET Framework: the chain on one line, joined by " ---> ".
      size_t arrow = s.find(" ---> ");
      while (arrow != std::string_view::npos) {
        std::string_view t2 = exception_token(s.substr(arrow + 6));
        if (!t2.empty()) last = t2;
        arrow = s.find(" ---> ", arrow + 6);
      }
    } else if (ps_category.empty() && starts_with(s, "+ CategoryInfo")) {
      size_t c = s.rfind(", ");
      if (c != std::string_view::npos) ps_category = trim(s.substr(c + 2));
    }
  }
  if (first.empty() && !ps_category.empty()) first = last = ps_category;
  if (first.empty()) return;
  std::string_view outer = python ? last : first, root = python ? first : last;
  ev.fields.add("exception", outer);
  ev.fields.add("root_exception", root);
}

// One pass over the ':' and '=' of the text: the word before each is compared with the keys of
// request ids (X-Request-ID, request_id, traceparent, trace_id ...) and local-address hints
// (local=, lport=, src=, local_port=, localport=, laddr=). Cheap on long lines: no substring scans.
void key_values(std::string_view t, Event& ev) {
  bool want_id = ev.request_id.empty(), want_local = ev.client_port == kNull;
  char word[24];
  const char* base = t.data();
  const char* colon = static_cast<const char*>(std::memchr(base, ':', t.size()));
  const char* equal = static_cast<const char*>(std::memchr(base, '=', t.size()));
  while ((colon || equal) && (want_id || want_local)) {
    const char* at = !colon ? equal : !equal ? colon : std::min(colon, equal);
    size_t i = size_t(at - base);
    char c = *at;
    if (at == colon) colon = static_cast<const char*>(std::memchr(at + 1, ':', t.size() - i - 1));
    else equal = static_cast<const char*>(std::memchr(at + 1, '=', t.size() - i - 1));
    // the key: skip a closing quote, then read back over [A-Za-z0-9_.-]
    size_t e = i;
    if (e > 0 && (t[e - 1] == '"' || t[e - 1] == '\'')) --e;
    size_t b = e;
    while (b > 0 && e - b < sizeof word && (is_word(t[b - 1]) || t[b - 1] == '-' || t[b - 1] == '.')) --b;
    if (e - b < 3 || e - b >= sizeof word) continue;
    for (size_t k = b; k < e; ++k) word[k - b] = lower(t[k]);
    std::string_view key(word, e - b);
    // the value
    size_t v = i + 1;
    while (v < t.size() && (t[v] == ' ' || t[v] == '"' || t[v] == '\'') && v - i < 4) ++v;
    size_t w = v;
    while (w < t.size() && (is_word(t[w]) || t[w] == '-' || t[w] == '.' || t[w] == ':' || t[w] == '[' || t[w] == ']') &&
           w - v < 128)
      ++w;
    std::string_view value = t.substr(v, w - v);
    if (want_id) {
      if (key == "traceparent") {
        // 00-<32 hex trace id>-<16 hex span>-<flags>
        if (value.size() >= 35 && value[2] == '-') {
          ev.request_id.assign(value.substr(3, 32));
          want_id = false;
        }
        continue;
      }
      if (key == "x-request-id" || key == "request_id" || key == "requestid" || key == "request-id" ||
          key == "x-correlation-id" || key == "correlation_id" || key == "correlationid" || key == "trace_id" ||
          key == "traceid" || key == "trace.id" || key == "x-amzn-trace-id") {
        while (!value.empty() && value.back() == ':') value.remove_suffix(1);
        if (value.size() >= 4) {
          ev.request_id.assign(value);
          want_id = false;
        }
        continue;
      }
    }
    if (want_local && c == '=' &&
        (key == "local" || key == "lport" || key == "src" || key == "local_port" || key == "localport" ||
         key == "local_addr" || key == "laddr" || key == "sport" || key == "src_port")) {
      int64_t n;
      if (parse_int(value, n)) {
        if (n >= 0 && n <= 65535) ev.client_port = n;
      } else {
        set_local(ev, value);
      }
      want_local = ev.client_port == kNull;
    }
  }
}

}  // namespace

int pattern_count() { return int(kRuleCount); }

bool classify(std::string_view text, Classification& out) {
  out = Classification{};
  const CompiledSet& cs = compiled();
  if (!cs.ok) return false;
  thread_local std::vector<int> hits;
  hits.clear();
  if (!cs.set->Match(re2::StringPiece(text.data(), text.size()), &hits)) return false;
  int best = -1, runtime = -1;
  for (int h : hits) {
    const Rule& r = kRules[h];
    if (r.kind.empty()) {
      if (runtime < 0 || h < runtime) runtime = h;
    } else if (best < 0 || r.priority < kRules[best].priority || (r.priority == kRules[best].priority && h < best)) {
      best = h;
    }
  }
  if (runtime >= 0) out.runtime = kRules[runtime].runtime;
  if (best < 0) return false;
  const Rule& r = kRules[best];
  out.kind = r.kind;
  out.error_name = r.error_name;
  out.err_no = r.err_no;
  out.wsa = r.wsa;
  out.priority = r.priority;
  out.pattern = best;
  // A WSA code and an errno can both be present (Python's Windows repr); keep the numeric ones seen.
  for (int h : hits) {
    const Rule& x = kRules[h];
    if (x.priority != 20 || x.kind != r.kind) continue;
    if (x.wsa != kNull && out.wsa == kNull) out.wsa = x.wsa;
    if (x.err_no != kNull && out.err_no == kNull) out.err_no = x.err_no;
  }
  return true;
}

bool is_http_error_status(int64_t s) { return s == 408 || s == 413 || s == 429 || (s >= 500 && s <= 599); }

void apply_failure(const Classification& c, Event& ev, std::string_view runtime_hint) {
  ev.role = Role::client;
  ev.category.assign("client-failure");
  ev.kind.assign(c.kind);
  if (!c.error_name.empty()) ev.fields.add("error_name", c.error_name);
  if (c.err_no != kNull) ev.fields.add("errno", c.err_no);
  if (c.wsa != kNull) ev.fields.add("wsa", c.wsa);
  std::string_view rt = c.runtime.empty() ? runtime_hint : c.runtime;
  if (!rt.empty()) ev.fields.add("runtime", rt);
}

bool is_http_method(std::string_view s) {
  static constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "CONNECT"};
  for (std::string_view m : kMethods)
    if (iequals(s, m)) return true;
  return false;
}

bool apply_url(std::string_view url, Event& ev) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep > 5) return false;
  std::string_view scheme = url.substr(0, sep);
  int64_t def_port;
  if (iequals(scheme, "http") || iequals(scheme, "ws")) def_port = 80;
  else if (iequals(scheme, "https") || iequals(scheme, "wss")) def_port = 443;
  else return false;
  std::string_view rest = url.substr(sep + 3);
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  if (authority.empty()) return false;
  std::string_view h;
  int64_t port = -1;
  split_host_port(authority, h, port);
  if (h.empty()) return false;
  set_target(ev, h, port >= 0 ? port : def_port);
  if (ev.path.empty()) ev.path.assign(path.empty() ? std::string_view("/") : path);
  if (ev.protocol.empty()) ev.protocol.assign(def_port == 443 ? "https" : "http");
  return true;
}

void extract_from_text(std::string_view t, Event& ev, bool failure) {
  if (failure) exception_chain(t, ev);
  // URL (+ the method written before it: `GET https://x`, Go `Get "https://x"`).
  size_t scan = 0;
  for (int tries = 0; tries < 4; ++tries) {
    size_t p = t.find("://", scan);
    if (p == std::string_view::npos) break;
    scan = p + 3;
    size_t b = p;
    while (b > 0 && ((t[b - 1] >= 'a' && t[b - 1] <= 'z') || (t[b - 1] >= 'A' && t[b - 1] <= 'Z'))) --b;
    size_t e = p + 3;
    while (e < t.size() && t[e] != ' ' && t[e] != '"' && t[e] != '\'' && t[e] != '\n' && t[e] != '\r' &&
           t[e] != ')' && t[e] != ',' && t[e] != '>' && t[e] != ']' && t[e] != '\t' && t[e] != '}')
      ++e;
    std::string_view url = t.substr(b, e - b);
    while (!url.empty() && (url.back() == '.' || url.back() == ':')) url.remove_suffix(1);
    if (!apply_url(url, ev)) continue;
    if (ev.method.empty()) {
      size_t m = b;
      if (m > 0 && t[m - 1] == '"') --m;
      if (m > 0 && t[m - 1] == ' ') {
        size_t w = m - 1;
        while (w > 0 && is_word(t[w - 1])) --w;
        std::string_view word = t.substr(w, m - 1 - w);
        if (is_http_method(word)) {
          ev.method.assign(word);
          for (char& c : ev.method) c = (c >= 'a' && c <= 'z') ? char(c - 32) : c;
        }
      }
    }
    break;
  }
  if (!failure) {
    key_values(t, ev);
    return;
  }
  // Go: "read tcp 10.0.0.5:51234->93.184.216.34:443: read: connection reset by peer".
  size_t arrow = t.find("->");
  if (arrow != std::string_view::npos && arrow > 0) {
    size_t b = arrow;
    while (b > 0 && t[b - 1] != ' ' && t[b - 1] != '\n' && t[b - 1] != '(') --b;
    std::string_view local = t.substr(b, arrow - b);
    std::string_view remote = take_endpoint(t.substr(arrow + 2));
    std::string_view lh, rh;
    int64_t lp = -1, rp = -1;
    split_host_port(local, lh, lp);
    split_host_port(remote, rh, rp);
    if (lp >= 0 && rp >= 0) {
      set_local(ev, local);
      if (looks_like_ip(rh) && ev.server_ip.empty()) ev.server_ip.assign(rh);
      set_target(ev, rh, rp);
    }
  }
  // Python urllib3: HTTPConnectionPool(host='x', port=443)
  size_t hp = t.find("host='");
  if (hp != std::string_view::npos) {
    std::string_view h = read_quoted_at(t, hp + 5);
    size_t pp = t.find("port=", hp);
    int64_t port = pp != std::string_view::npos && pp - hp < 200 ? read_int_at(t, pp + 5) : kNull;
    set_target(ev, h, port == kNull ? -1 : port);
  }
  // Node: remoteAddress/remotePort, address/port, localAddress/localPort.
  size_t ra = t.find("remoteAddress");
  if (ra != std::string_view::npos) {
    std::string_view h = read_quoted_at(t, ra + 13);
    size_t rp = t.find("remotePort", ra);
    set_target(ev, h, rp != std::string_view::npos ? read_int_at(t, rp + 10) : -1);
  }
  size_t lport = t.find("localPort");
  if (lport != std::string_view::npos && ev.client_port == kNull) {
    int64_t v = read_int_at(t, lport + 9);
    if (v != kNull) ev.client_port = v;
  }
  size_t laddr = t.find("localAddress");
  if (laddr != std::string_view::npos && ev.client_ip.empty()) {
    std::string_view h = read_quoted_at(t, laddr + 12);
    if (looks_like_ip(h)) ev.client_ip.assign(h);
  }
  size_t ad = t.find("  address: '");
  if (ad != std::string_view::npos) {
    std::string_view h = read_quoted_at(t, ad + 10);
    size_t pp = t.find("  port: ", ad);
    set_target(ev, h, pp != std::string_view::npos && pp - ad < 200 ? read_int_at(t, pp + 7) : -1);
  }
  // Endpoint after a marker: "ECONNREFUSED 1.2.3.4:80", "Cannot connect to host h:p", "Connect to h:p",
  // "in connection to h:p", "peeraddr=h:p", "(host:port)" at the end of a .NET message, "h:p failed to respond".
  static constexpr std::string_view kMarkers[] = {"ECONNREFUSED ", "ECONNRESET ", "ETIMEDOUT ", "EHOSTUNREACH ",
                                                  "Cannot connect to host ", "Connect to ", "in connection to ",
                                                  "peeraddr=", "unexpected end of stream on ",
                                                  "Failed to open TCP connection to ", "connect to tcp://",
                                                  "unable to connect to tcp://", "tcp://", "dial tcp ",
                                                  "dial tcp4 ", "dial tcp6 "};
  if (ev.server_port == kNull) {
    for (std::string_view m : kMarkers) {
      size_t q = t.find(m);
      if (q == std::string_view::npos) continue;
      if (endpoint_to_target(take_endpoint(t.substr(q + m.size())), ev)) break;
    }
  }
  if (ev.server_port == kNull) {
    // curl: "connect to 127.0.0.1 port 18099 failed", "Failed to connect to host port 443 after"
    size_t q = ifind(t, "connect to ");
    if (q != std::string_view::npos) {
      std::string_view rest = t.substr(q + 11);
      size_t sp = rest.find(" port ");
      if (sp != std::string_view::npos && sp < 256 && rest.substr(0, sp).find(' ') == std::string_view::npos) {
        int64_t port = read_int_at(rest, sp + 6);
        set_target(ev, rest.substr(0, sp), port == kNull ? -1 : port);
      }
    }
  }
  if (ev.server_port == kNull) {
    size_t q = t.find(" failed to respond");
    if (q != std::string_view::npos) {
      size_t b = q;
      while (b > 0 && t[b - 1] != ' ' && t[b - 1] != '\n') --b;
      endpoint_to_target(t.substr(b, q - b), ev);
    }
  }
  if (ev.server_port == kNull) {
    // .NET 5+: "... actively refused it. (localhost:5001)"
    size_t q = t.find(". (");
    if (q != std::string_view::npos) {
      std::string_view ep = take_endpoint(t.substr(q + 3));
      if (q + 3 + ep.size() < t.size() && t[q + 3 + ep.size()] == ')') endpoint_to_target(ep, ev);
    }
  }
  key_values(t, ev);
}

int64_t find_status(std::string_view m) {
  static constexpr std::string_view kMarkers[] = {"-> ", "=> ", " - ", "status=", "status: ", "status ",
                                                  "StatusCode: ", "responded ", "HTTP/1.1 ", "HTTP/1.0 ",
                                                  "HTTP/2 ", "status_code=", "Status: ", "statusCode=",
                                                  "HTTPError: ", "HTTP Error ", "returned error: ",
                                                  "indicate success: ", "status code "};
  for (std::string_view k : kMarkers) {
    size_t from = 0;
    for (int n = 0; n < 3; ++n) {
      size_t q = m.find(k, from);
      if (q == std::string_view::npos) break;
      from = q + k.size();
      size_t i = from;
      if (i + 3 <= m.size() && m[i] >= '1' && m[i] <= '5' && is_digit(m[i + 1]) && is_digit(m[i + 2]) &&
          (i + 3 == m.size() || !is_digit(m[i + 3]))) {
        // Not a duration ("- 200ms" is fine as status only when not followed by a unit letter).
        if (i + 3 < m.size() && ((m[i + 3] >= 'a' && m[i + 3] <= 'z') || m[i + 3] == '.')) continue;
        return (m[i] - '0') * 100 + (m[i + 1] - '0') * 10 + (m[i + 2] - '0');
      }
    }
  }
  return kNull;
}

std::string_view level_word(std::string_view t) {
  while (!t.empty() && (t.front() == '[' || t.front() == '<' || t.front() == '(')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ']' || t.back() == ':' || t.back() == '>' || t.back() == ')' || t.back() == ','))
    t.remove_suffix(1);
  if (t.size() < 3 || t.size() > 11) return {};
  struct L {
    std::string_view w, n;
  };
  static constexpr L kLevels[] = {
      {"error", "error"}, {"err", "error"},   {"eror", "error"},   {"fail", "error"},    {"warn", "warn"},
      {"warning", "warn"}, {"wrn", "warn"},   {"info", "info"},    {"inf", "info"},      {"information", "info"},
      {"debug", "debug"}, {"dbg", "debug"},   {"dbug", "debug"},   {"trace", "trace"},   {"trce", "trace"},
      {"trc", "trace"},   {"verbose", "trace"}, {"vrb", "trace"},  {"fatal", "fatal"},   {"ftl", "fatal"},
      {"critical", "fatal"}, {"crit", "fatal"}, {"severe", "error"}, {"notice", "info"}, {"fine", "debug"},
      {"finer", "trace"}, {"finest", "trace"}, {"config", "info"}, {"panic", "fatal"},
  };
  for (const L& l : kLevels)
    if (iequals(t, l.w)) return l.n;
  return {};
}

}  // namespace rstscope::client
