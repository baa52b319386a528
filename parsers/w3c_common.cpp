#include "w3c_common.h"

#include <cstring>
#include <utility>

#include "rstscope/text.h"
#include "web_common.h"

namespace rstscope::w3c {
namespace {

bool dig(char c) { return c >= '0' && c <= '9'; }

bool parse_date(std::string_view s, int& y, int& m, int& d) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!dig(s[i])) return false;
  y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  m = (s[5] - '0') * 10 + (s[6] - '0');
  d = (s[8] - '0') * 10 + (s[9] - '0');
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

bool parse_clock(std::string_view s, CivilTime& c) {
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return false;
  for (size_t i : {0, 1, 3, 4, 6, 7})
    if (!dig(s[i])) return false;
  c.hour = (s[0] - '0') * 10 + (s[1] - '0');
  c.minute = (s[3] - '0') * 10 + (s[4] - '0');
  c.second = (s[6] - '0') * 10 + (s[7] - '0');
  c.micros = 0;
  if (s.size() > 8) {
    if (s[8] != '.') return false;
    int digits = 0;
    for (size_t i = 9; i < s.size(); ++i) {
      if (!dig(s[i])) return false;
      if (digits < 6) {
        c.micros = c.micros * 10 + (s[i] - '0');
        ++digits;
      }
    }
    while (digits++ < 6) c.micros *= 10;
  }
  return c.hour < 24 && c.minute < 60 && c.second < 61;
}

struct NamedField {
  std::string_view name;
  Field field;
};

constexpr NamedField kFieldNames[] = {
    {"date", Field::date},
    {"time", Field::time},
    {"date-local", Field::date_local},
    {"time-local", Field::time_local},
    {"c-ip", Field::c_ip},
    {"c-port", Field::c_port},
    {"s-ip", Field::s_ip},
    {"s-port", Field::s_port},
    {"cs-method", Field::cs_method},
    {"cs-uri-stem", Field::cs_uri_stem},
    {"cs-uri-query", Field::cs_uri_query},
    {"cs-uri", Field::cs_uri},
    {"cs-version", Field::cs_version},
    {"sc-status", Field::sc_status},
    {"sc-substatus", Field::sc_substatus},
    {"sc-win32-status", Field::sc_win32_status},
    {"sc-bytes", Field::sc_bytes},
    {"bytes", Field::sc_bytes},
    {"cs-bytes", Field::cs_bytes},
    {"time-taken", Field::time_taken_ms},
    {"TimeTakenMS", Field::time_taken_ms},
    {"cs-host", Field::cs_host},
    {"cs(Host)", Field::cs_host},
    {"cs(User-Agent)", Field::user_agent},
    {"cs(Referer)", Field::referer},
    {"cs(Referrer)", Field::referer},
    {"cs(Cookie)", Field::cookie},
    {"cs-username", Field::username},
    {"c-auth-id", Field::username},
    {"s-sitename", Field::sitename},
    {"s-computername", Field::computername},
    {"s-reason", Field::s_reason},
    {"s-queuename", Field::s_queuename},
    {"s-siteid", Field::s_siteid},
    {"streamid", Field::streamid},
    {"X-Forwarded-For", Field::x_forwarded_for},
    {"cs(X-Forwarded-For)", Field::x_forwarded_for},
};

// Well-known layouts for lines without (or not matching) a #Fields: header.
constexpr std::string_view kIisLayouts[] = {
    // IIS 7.x default
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status "
    "sc-substatus sc-win32-status time-taken",
    // IIS 8.5/10 default
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status time-taken",
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
    // Azure App Service
    "date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) "
    "cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
    // every W3C field
    "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes "
    "cs-bytes time-taken",
    // every W3C field + the X-Forwarded-For custom field
    "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes "
    "cs-bytes time-taken X-Forwarded-For",
};
constexpr std::string_view kHttpErrLayouts[] = {
    "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename",
    "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason "
    "s-queuename",
    "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid streamid_ex sc-status s-siteid "
    "s-reason s-queuename transport",
};

size_t count_words(std::string_view spec) {
  size_t n = 0;
  std::string_view s = spec, w;
  while (next_field(s, ' ', w))
    if (!w.empty()) ++n;
  return n;
}

// Index of a field kind in a layout spec, or -1.
int index_in(std::string_view spec, std::string_view name) {
  int i = 0;
  std::string_view s = spec, w;
  while (next_field(s, ' ', w)) {
    if (w.empty()) continue;
    if (w == name) return i;
    ++i;
  }
  return -1;
}

struct Reason {
  std::string_view reason;
  std::string_view category;
};

// signatures.md B6.2 reason phrases.
constexpr Reason kReasons[] = {
    {"Timer_ConnectionIdle", "idle-close"},
    {"Timer_EntityBody", "client-timeout"},
    {"Timer_HeaderWait", "client-timeout"},
    {"Timer_MinBytesPerSecond", "client-timeout"},
    {"Timer_AppPool", "upstream-timeout"},
    {"Timer_ReqQueue", "upstream-timeout"},
    {"Timer_SslRenegotiation", "tls-error"},
    {"Timer_Response", "server-abort"},
    {"Client_Reset", "client-closed"},
    {"Connection_Dropped", "conn-dropped"},
    {"Connection_Dropped_List_Full", "conn-dropped"},
    {"Connection_Abandoned_By_AppPool", "worker-crashed"},
    {"Connection_Abandoned_By_ReqQueue", "worker-crashed"},
    {"Connections_Refused", "conn-limited"},
    {"ConnLimit", "conn-limited"},
    {"QueueFull", "unavailable"},
    {"AppOffline", "unavailable"},
    {"AppPoolTimer", "unavailable"},
    {"AppShutdown", "unavailable"},
    {"Disabled", "unavailable"},
    {"N/A", "unavailable"},
    {"N/I", "bad-request"},
    {"BadRequest", "bad-request"},
    {"Header", "bad-request"},
    {"Hostname", "bad-request"},
    {"Verb", "bad-request"},
    {"URL", "bad-request"},
    {"Number", "bad-request"},
    {"Invalid_CR/LF", "bad-request"},
    {"LengthRequired", "bad-request"},
    {"Precondition", "bad-request"},
    {"Version_N/S", "bad-request"},
    {"URL_Length", "request-too-large"},
    {"FieldLength", "request-too-large"},
    {"RequestLength", "request-too-large"},
    {"EntityTooLarge", "body-too-large"},
    {"Forbidden", "forbidden"},
    {"NotFound", "file-not-found"},
    {"Internal", "server-error"},
    {"SSL_Renegotiation", "tls-error"},
};

}  // namespace

Field field_from_name(std::string_view name) {
  for (const NamedField& f : kFieldNames)
    if (iequals(f.name, name)) return f.field;
  return Field::other;
}

std::string_view httperr_category(std::string_view reason) {
  for (const Reason& r : kReasons)
    if (r.reason == reason) return r.category;
  return {};
}

std::string_view win32_category(int64_t code) {
  switch (code) {
    case 64: return "client-closed";      // ERROR_NETNAME_DELETED: client went away while IIS was sending
    case 121: return "client-timeout";    // ERROR_SEM_TIMEOUT
    case 995: return "server-abort";      // ERROR_OPERATION_ABORTED (recycle, app abort)
    case 1236: return "server-abort";     // ERROR_CONNECTION_ABORTED by the local system
    case 10053:
    case 10054: return "upstream-reset";  // ARR/proxy requests
    case 12002: return "upstream-timeout";  // ERROR_WINHTTP_TIMEOUT (ARR 502.3)
    case 12029: return "upstream-connect-failed";  // ERROR_WINHTTP_CANNOT_CONNECT
    case 12030: return "upstream-closed";  // ERROR_WINHTTP_CONNECTION_ERROR
    default: return {};
  }
}

bool starts_with_date_time(std::string_view l) {
  int y, m, d;
  CivilTime c;
  return l.size() >= 19 && l[10] == ' ' && parse_date(l.substr(0, 10), y, m, d) && parse_clock(l.substr(11, 8), c);
}

size_t split_values(std::string_view l, std::array<std::string_view, kMaxW3cFields>& out) {
  size_t n = 0, i = 0, len = l.size();
  const char* p = l.data();
  while (n < kMaxW3cFields) {
    while (i < len && (p[i] == ' ' || p[i] == '\t')) ++i;
    if (i >= len) break;
    if (p[i] == '"') {
      size_t j = i + 1;
      while (j < len) {
        if (p[j] == '"') {
          if (j + 1 < len && p[j + 1] == '"') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      out[n++] = l.substr(i + 1, (j < len ? j : len) - i - 1);
      i = j + 1;
    } else {
      size_t j = i;
      while (j < len && p[j] != ' ' && p[j] != '\t') ++j;
      out[n++] = l.substr(i, j - i);
      i = j;
    }
  }
  return n;
}

bool fits_default_layout(std::string_view l, Flavor flavor) {
  if (!starts_with_date_time(l)) return false;
  std::array<std::string_view, kMaxW3cFields> v{};
  size_t n = split_values(l, v);
  auto check = [&](std::string_view spec) {
    if (count_words(spec) != n) return false;
    int st = index_in(spec, "sc-status");
    int64_t x;
    if (st >= 0 && !(v[size_t(st)] == "-" || (parse_int(v[size_t(st)], x) && x >= 100 && x < 1000))) return false;
    int cp = index_in(spec, "c-port");
    if (cp >= 0 && !parse_int(v[size_t(cp)], x)) return false;
    int sp = index_in(spec, "s-port");
    if (sp >= 0 && !parse_int(v[size_t(sp)], x)) return false;
    int r = index_in(spec, "s-reason");
    if (r >= 0 && (v[size_t(r)].empty() || v[size_t(r)] == "-")) return false;
    return true;
  };
  if (flavor == Flavor::iis) {
    for (std::string_view spec : kIisLayouts)
      if (check(spec)) return true;
  } else {
    for (std::string_view spec : kHttpErrLayouts)
      if (check(spec)) return true;
  }
  return false;
}

W3cFile::W3cFile(const ParseContext& ctx, Flavor flavor, Role role) : ctx_(ctx), flavor_(flavor), role_(role) {
  if (flavor == Flavor::iis) {
    for (std::string_view spec : kIisLayouts) set_layout(defaults_.emplace_back(), spec);
  } else {
    for (std::string_view spec : kHttpErrLayouts) set_layout(defaults_.emplace_back(), spec);
  }
}

void W3cFile::set_layout(Layout& lay, std::string_view spec) {
  lay.kinds.clear();
  lay.names.clear();
  std::string_view s = spec, w;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    s.remove_prefix(i);
    if (s.empty()) break;
    size_t j = 0;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    w = s.substr(0, j);
    s.remove_prefix(j);
    lay.kinds.push_back(field_from_name(w));
    lay.names.emplace_back(w);
  }
}

void W3cFile::directive(std::string_view l) {
  // "#Fields: ...", "#Date: 2002-05-02 17:42:15  // comment", "#GMT-Offset: -0800"
  size_t colon = l.find(':');
  if (colon == std::string_view::npos) return;
  std::string_view key = l.substr(1, colon - 1);
  std::string_view val = trim(l.substr(colon + 1));
  if (iequals(key, "Fields")) {
    set_layout(header_, val);
    has_header_ = !header_.kinds.empty();
  } else if (iequals(key, "Date") || iequals(key, "Start-Date")) {
    int y, m, d;
    if (val.size() >= 10 && parse_date(val.substr(0, 10), y, m, d)) {
      date_y_ = y;
      date_m_ = m;
      date_d_ = d;
    }
  } else if (iequals(key, "GMT-Offset")) {
    int secs = 0;
    if (parse_zone_offset(val, secs)) {
      has_gmt_offset_ = true;
      gmt_offset_ = secs;
    }
  }
}

const W3cFile::Layout* W3cFile::layout_for(size_t count) const {
  if (has_header_ && header_.kinds.size() == count) return &header_;
  for (const Layout& d : defaults_)
    if (d.kinds.size() == count) return &d;
  if (has_header_) return &header_;
  return nullptr;
}

void W3cFile::record(const Record& rec, Emitter& out) {
  std::string_view l = rec.text;
  if (l.empty()) return;
  if (l[0] == '#') {
    directive(l);
    return;
  }
  size_t n = split_values(l, vals_);
  if (n == 0) return;
  const Layout* lay = layout_for(n);
  if (!lay) {
    out.unparsed("W3C line without a #Fields: header, and its field count matches no known IIS layout");
    return;
  }
  Event& ev = out.event();
  ev.role = role_;
  CivilTime t;
  bool have_date = false, have_time = false, local = false;
  std::string_view date_text, time_text, stem, query, reason;
  int64_t win32 = 0;
  size_t count = std::min(n, lay->kinds.size());
  for (size_t i = 0; i < count; ++i) {
    std::string_view v = vals_[i];
    if (v == "-") continue;
    switch (lay->kinds[i]) {
      case Field::date_local:
        local = true;
        [[fallthrough]];
      case Field::date:
        have_date = parse_date(v, t.year, t.month, t.day);
        date_text = v;
        break;
      case Field::time_local:
        local = true;
        [[fallthrough]];
      case Field::time:
        have_time = parse_clock(v, t);
        time_text = v;
        break;
      case Field::c_ip:
      case Field::s_ip: {
        // "::1%0" (zone id) and markdown-mangled "[10.0.0.1](http://10.0.0.1)" seen in beats fixtures.
        if (v.size() > 2 && v[0] == '[') {
          size_t e = v.find(']');
          if (e != std::string_view::npos) v = v.substr(1, e - 1);
        }
        size_t pct = v.find('%');
        std::string_view ip = v.substr(0, pct);
        (lay->kinds[i] == Field::c_ip ? ev.client_ip : ev.server_ip).assign(ip);
        break;
      }
      case Field::c_port: parse_int(v, ev.client_port); break;
      case Field::s_port: parse_int(v, ev.server_port); break;
      case Field::cs_method: ev.method.assign(v); break;
      case Field::cs_uri_stem: stem = v; break;
      case Field::cs_uri_query: query = v; break;
      case Field::cs_uri: ev.path.assign(v); break;
      case Field::cs_version: ev.protocol.assign(v); break;
      case Field::sc_status: parse_int(v, ev.status); break;
      case Field::sc_substatus:
        if (v != "0") web::add_text(ev.fields, "substatus", v);
        break;
      case Field::sc_win32_status:
        if (v != "0") {
          web::add_text(ev.fields, "win32_status", v);
          parse_int(v, win32);
        }
        break;
      case Field::sc_bytes: parse_int(v, ev.bytes); break;
      case Field::cs_bytes: web::add_text(ev.fields, "cs_bytes", v); break;
      case Field::time_taken_ms: {
        int64_t ms;
        if (parse_int(v, ms)) ev.duration_us = ms * 1000;
        break;
      }
      case Field::cs_host: ev.host.assign(v); break;
      case Field::user_agent: web::add_text(ev.fields, "user_agent", v); break;
      case Field::referer: web::add_text(ev.fields, "referrer", v); break;
      case Field::cookie: break;  // large and private; not needed for correlation
      case Field::username: web::add_text(ev.fields, "user", v); break;
      case Field::sitename: web::add_text(ev.fields, "site", v); break;
      case Field::computername: web::add_text(ev.fields, "computer", v); break;
      case Field::s_reason:
        reason = v;
        web::add_text(ev.fields, "reason", v);
        break;
      case Field::s_queuename: web::add_text(ev.fields, "queue", v); break;
      case Field::s_siteid: web::add_text(ev.fields, "site_id", v); break;
      case Field::streamid: web::add_text(ev.fields, "stream_id", v); break;
      case Field::x_forwarded_for: web::add_text(ev.fields, "x_forwarded_for", v); break;
      case Field::other: web::add_text(ev.fields, lay->names[i], v); break;
    }
  }
  if (!stem.empty()) {
    ev.path.assign(stem);
    if (!query.empty()) {
      ev.path.push_back('?');
      ev.path.append(query);
    }
  } else if (!query.empty()) {
    web::add_text(ev.fields, "query", query);
  }
  if (!have_date && date_y_) {
    t.year = date_y_;
    t.month = date_m_;
    t.day = date_d_;
    have_date = true;
  }
  if (have_date && have_time) {
    if (has_gmt_offset_) {
      t.has_offset = true;
      t.offset_seconds = gmt_offset_;
    } else if (!local) {
      t.has_offset = true;  // W3C date/time are UTC
      t.offset_seconds = 0;
    }
    ctx_.time->resolve(t, ev);
    if (!date_text.empty()) {
      ev.ts_raw.assign(date_text);
      ev.ts_raw.push_back(' ');
    }
    ev.ts_raw.append(time_text);
  }
  std::string_view cat;
  if (!reason.empty()) cat = httperr_category(reason);
  if (cat.empty() && win32) cat = win32_category(win32);
  if (cat.empty()) {
    if (ev.status != kNull) cat = web::category_for_status(ev.status);
    else cat = flavor_ == Flavor::httperr ? "error" : "request";
  }
  ev.category.assign(cat);
}

}  // namespace rstscope::w3c
