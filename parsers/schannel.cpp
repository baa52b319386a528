// Windows Schannel events (System log, Source = Schannel; signatures.md B18/B19) as exported by
//   wevtutil qe System /f:text     ("Event[0]:" blocks of "  Key: value" lines + Description)
//   wevtutil qe System /f:xml      (<Event>...<EventID>36887</EventID>...<Data Name='AlertDesc'>46</Data>)
//   Get-WinEvent ... | Export-Csv  (header row names the columns; Message may span lines)
// Read as a whole file; one event per Windows event, ev.line = the line where it starts.
// 36887 = fatal alert received from the peer, 36888 = alert generated and sent (+ error state),
// 36874 = no common cipher suite, 36871/36870 = local credential/key failure, 3687x certificate
// events. Alert numbers are decoded to names (tls_alert_name).
#include <string>
#include <vector>

#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "tls_common.h"

namespace rstscope {
namespace {

struct WinEvent {
  int64_t line = 1;
  std::string_view time;  // as written
  bool time_utc = false;
  int64_t id = kNull;
  std::string_view level, source, computer;
  std::string message;  // rendered text (may be rebuilt from CSV quotes)
  int64_t alert = kNull, error_state = kNull;
  std::string_view protocol_param;
  std::string_view raw;
};

int64_t number_after(std::string_view s, std::string_view key) {
  size_t p = s.find(key);
  if (p == std::string_view::npos) return kNull;
  p += key.size();
  while (p < s.size() && s[p] == ' ') ++p;
  int64_t v = 0;
  size_t d = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9' && d < 9) {
    v = v * 10 + (s[p] - '0');
    ++p;
    ++d;
  }
  return d ? v : kNull;
}

std::string_view level_word(std::string_view level) {
  if (iequals(level, "Error") || level == "2") return "error";
  if (iequals(level, "Warning") || level == "3") return "warn";
  if (iequals(level, "Information") || level == "4" || level == "0") return "info";
  if (iequals(level, "Critical") || level == "1") return "crit";
  if (iequals(level, "Verbose") || level == "5") return "debug";
  return {};
}

// "TLS 1.2" / "TLS 1.0" / "SSL 3.0" -> "TLSv1.2" ...
void protocol_word(std::string_view p, Event& ev) {
  p = trim(p);
  if (starts_with(p, "TLS 1.") && p.size() >= 7) {
    if (p[6] == '0') ev.protocol.assign("TLSv1");
    else {
      ev.protocol.assign("TLSv1.");
      ev.protocol.push_back(p[6]);
    }
  } else if (starts_with(p, "SSL 3")) {
    ev.protocol.assign("SSLv3");
  } else if (!p.empty() && p.size() < 16) {
    ev.protocol.assign(p);
  }
}

void emit(const WinEvent& w, Emitter& out, TimeResolver& tr) {
  Event& ev = out.event();
  ev.role = Role::tls;
  ev.line = w.line;
  ev.raw.assign(w.raw.substr(0, 4096));
  CivilTime t;
  if (!w.time.empty()) {
    size_t n = parse_iso8601(w.time, t);
    if (!n) n = parse_any_time(w.time, t);
    if (n) {
      if (w.time_utc && !t.has_offset) {
        t.has_offset = true;
        t.offset_seconds = 0;
      }
      ev.ts_raw.assign(w.time);
      tr.resolve(t, ev);
    }
  }
  ev.severity.assign(level_word(w.level));
  if (!w.source.empty()) ev.fields.add("source", w.source);
  if (!w.computer.empty()) ev.fields.add("computer", w.computer);
  if (w.id != kNull) ev.fields.add("event_id", w.id);
  std::string_view msg = trim(w.message);
  ev.message.assign(msg.substr(0, 2000));
  int64_t alert = w.alert;
  if (alert == kNull) alert = number_after(msg, "fatal alert code is");
  if (alert == kNull) alert = number_after(msg, "fatal error code is");
  int64_t state = w.error_state;
  if (state == kNull) state = number_after(msg, "error state is");
  size_t tn = msg.find("Target name: ");
  if (tn != std::string_view::npos) {
    std::string_view target = msg.substr(tn + 13);
    target = trim(target.substr(0, target.find_first_of("\r\n ")));
    if (!target.empty() && target.back() == '.') target.remove_suffix(1);
    if (!target.empty()) ev.host.assign(target);
  }
  std::string_view cat;
  switch (w.id) {
    case 36887:
      cat = "tls-handshake-failed";
      ev.fields.add("alert_from", "peer");
      break;
    case 36888:
      cat = "tls-handshake-failed";
      ev.fields.add("alert_from", "local");
      break;
    case 36874: {
      cat = "tls-handshake-failed";
      ev.fields.add("tls_class", "cipher");
      std::string_view p = w.protocol_param;
      if (p.empty()) {
        size_t an = msg.find("An ");
        size_t cr = msg.find(" connection request");
        if (an == 0 && cr != std::string_view::npos) p = msg.substr(3, cr - 3);
      }
      protocol_word(p, ev);
      break;
    }
    case 36873:
      cat = "tls-handshake-failed";
      ev.fields.add("tls_class", "cipher");
      break;
    case 36870:
    case 36871:
    case 36886:
      cat = "tls-error";
      ev.fields.add("tls_class", "config");
      break;
    case 36875:
    case 36876:
    case 36877:
    case 36881:
    case 36882:
    case 36883:
    case 36884:
      cat = w.id == 36877 ? "tls-client-cert" : "tls-handshake-failed";
      ev.fields.add("tls_class", "cert");
      break;
    case 36880:
      cat = "info";
      break;
    default:
      break;
  }
  if (alert != kNull && (w.id == 36887 || w.id == 36888)) tls::add_alert_fields(ev, static_cast<int>(alert));
  if (state != kNull) ev.fields.add("error_state", state);
  if (w.id == 36888 && alert == 40 && state == 1205) ev.fields.add("meaning", "no common cipher suite or protocol");
  if (cat.empty()) cat = ev.severity.empty() ? std::string_view("info") : std::string_view(ev.severity);
  ev.category.assign(cat);
}

// ---- wevtutil /f:text ----
void parse_text_blocks(std::string_view text, int64_t first_line, Emitter& out, TimeResolver& tr) {
  WinEvent w;
  bool open = false, in_desc = false;
  size_t block_start = 0;
  int64_t line = first_line;
  size_t pos = 0;
  auto flush = [&](size_t end) {
    if (!open) return;
    w.raw = text.substr(block_start, end - block_start);
    emit(w, out, tr);
    w = WinEvent{};
    open = false;
    in_desc = false;
  };
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(pos, nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (starts_with(l, "Event[")) {
      flush(pos);
      open = true;
      block_start = pos;
      w.line = line;
    } else if (open && !in_desc) {
      std::string_view t = trim(l);
      size_t c = t.find(": ");
      std::string_view k = c == std::string_view::npos ? (ends_with(t, ":") ? t.substr(0, t.size() - 1) : t) : t.substr(0, c);
      std::string_view v = c == std::string_view::npos ? std::string_view{} : trim(t.substr(c + 2));
      if (k == "Date") w.time = v;
      else if (k == "Event ID") parse_int(v, w.id);
      else if (k == "Level") w.level = v;
      else if (k == "Source") w.source = v;
      else if (k == "Computer") w.computer = v;
      else if (k == "Description") {
        in_desc = true;
        if (!v.empty()) w.message.assign(v);
      }
    } else if (open && in_desc) {
      if (!w.message.empty()) w.message.push_back(' ');
      w.message.append(trim(l));
    }
    ++line;
    if (nl == text.size()) break;
    pos = nl + 1;
  }
  flush(text.size());
}

// ---- wevtutil /f:xml ----
std::string_view tag_text(std::string_view s, std::string_view open, std::string_view close) {
  size_t a = s.find(open);
  if (a == std::string_view::npos) return {};
  a += open.size();
  size_t b = s.find(close, a);
  return b == std::string_view::npos ? std::string_view{} : s.substr(a, b - a);
}

std::string_view attr(std::string_view s, std::string_view tag, std::string_view name) {
  size_t a = s.find(tag);
  if (a == std::string_view::npos) return {};
  size_t end = s.find('>', a);
  std::string_view t = s.substr(a, end == std::string_view::npos ? std::string_view::npos : end - a);
  size_t n = t.find(name);
  if (n == std::string_view::npos || n + name.size() + 2 > t.size()) return {};
  char q = t[n + name.size() + 1];
  std::string_view v = t.substr(n + name.size() + 2);
  return v.substr(0, v.find(q));
}

void parse_xml(std::string_view text, int64_t first_line, Emitter& out, TimeResolver& tr) {
  size_t pos = 0;
  int64_t line = first_line;
  size_t counted = 0;
  while ((pos = text.find("<Event", pos)) != std::string_view::npos) {
    if (pos + 6 < text.size() && text[pos + 6] != ' ' && text[pos + 6] != '>') {  // <EventID>, <EventData>
      pos += 6;
      continue;
    }
    size_t end = text.find("</Event>", pos);
    if (end == std::string_view::npos) end = text.size();
    for (size_t i = counted; i < pos; ++i) line += text[i] == '\n';
    counted = pos;
    std::string_view e = text.substr(pos, end - pos);
    WinEvent w;
    w.line = line;
    w.raw = e;
    w.source = attr(e, "<Provider", "Name");
    std::string_view id = tag_text(e, "<EventID", "</EventID>");
    size_t gt = id.find('>');
    if (gt != std::string_view::npos) id = id.substr(gt + 1);
    parse_int(trim(id), w.id);
    w.level = tag_text(e, "<Level>", "</Level>");
    w.time = attr(e, "<TimeCreated", "SystemTime");
    w.time_utc = true;
    w.computer = tag_text(e, "<Computer>", "</Computer>");
    std::string_view msg = tag_text(e, "<Message>", "</Message>");
    w.message.assign(msg);
    // <Data Name='AlertDesc'>46</Data> <Data Name='ErrorState'>1205</Data> <Data Name='Protocol'>TLS 1.2</Data>
    size_t d = 0;
    while ((d = e.find("<Data", d)) != std::string_view::npos) {
      size_t close = e.find('>', d);
      size_t fin = e.find("</Data>", d);
      if (close == std::string_view::npos || fin == std::string_view::npos || fin < close) break;
      std::string_view head = e.substr(d, close - d);
      std::string_view val = e.substr(close + 1, fin - close - 1);
      std::string_view name = attr(head, "<Data", "Name");
      int64_t v;
      if (icontains(name, "Alert") && parse_int(val, v)) w.alert = v;
      else if (icontains(name, "ErrorState") && parse_int(val, v)) w.error_state = v;
      else if (icontains(name, "Protocol")) w.protocol_param = val;
      else if (name.empty() && w.alert == kNull && (w.id == 36887 || w.id == 36888) && parse_int(val, v)) w.alert = v;
      d = fin + 7;
    }
    emit(w, out, tr);
    pos = end;
  }
}

// ---- Get-WinEvent | Export-Csv ----
// Reads one CSV field at s[i] (quoted with "" escapes, or plain); unescaped value into out.
bool csv_field(std::string_view s, size_t& i, std::string& out, bool& end_of_row, int64_t& line) {
  out.clear();
  end_of_row = false;
  if (i >= s.size()) {
    end_of_row = true;
    return false;
  }
  if (s[i] == '"') {
    ++i;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          out.push_back('"');
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      if (c == '\n') ++line;
      if (c != '\r') out.push_back(c);
      ++i;
    }
  } else {
    while (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r') out.push_back(s[i++]);
  }
  if (i < s.size() && s[i] == ',') {
    ++i;
    return true;
  }
  while (i < s.size() && s[i] == '\r') ++i;
  if (i < s.size() && s[i] == '\n') {
    ++i;
    ++line;
  }
  end_of_row = true;
  return true;
}

void parse_csv(std::string_view text, int64_t first_line, Emitter& out, TimeResolver& tr) {
  size_t i = 0;
  int64_t line = first_line;
  std::vector<std::string> header;
  std::string f;
  bool eor;
  // "#TYPE ..." line
  while (i < text.size() && text[i] == '#') {
    size_t nl = text.find('\n', i);
    i = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line;
  }
  do {
    if (!csv_field(text, i, f, eor, line)) break;
    header.push_back(f);
  } while (!eor);
  std::vector<std::string> row;
  while (i < text.size()) {
    int64_t start_line = line;
    size_t start = i;
    row.clear();
    do {
      if (!csv_field(text, i, f, eor, line)) break;
      row.push_back(f);
    } while (!eor);
    if (row.size() <= 1 && (row.empty() || row[0].empty())) continue;
    WinEvent w;
    w.line = start_line;
    w.raw = text.substr(start, i - start);
    std::string time, level, source, computer;
    for (size_t k = 0; k < row.size() && k < header.size(); ++k) {
      const std::string& h = header[k];
      if (h == "Message") w.message = row[k];
      else if (h == "Id" || h == "EventID" || h == "InstanceId") parse_int(row[k], w.id);
      else if (h == "TimeCreated" || h == "TimeGenerated") time = row[k];
      else if (h == "LevelDisplayName" || (h == "Level" && level.empty()) || h == "EntryType") level = row[k];
      else if (h == "ProviderName" || h == "Source") source = row[k];
      else if (h == "MachineName") computer = row[k];
    }
    if (w.id == kNull && w.message.empty()) {
      out.unparsed("Get-WinEvent CSV row without Id or Message");
      continue;
    }
    // Keep the strings alive for emit(): WinEvent holds views.
    w.time = time;
    w.level = level;
    w.source = source;
    w.computer = computer;
    emit(w, out, tr);
  }
}

class SchannelFile : public FileParser {
 public:
  explicit SchannelFile(const ParseContext& ctx) : ctx_(ctx) {}
  void record(const Record& rec, Emitter& out) override {
    std::string_view t = rec.text;
    std::string_view head = trim(t.substr(0, 4096));
    if (starts_with(head, "\xEF\xBB\xBF")) head.remove_prefix(3);
    int64_t line = rec.line > 0 ? rec.line : 1;
    if (starts_with(head, "Event[")) parse_text_blocks(t, line, out, *ctx_.time);
    else if (head.find("<Event") != std::string_view::npos) parse_xml(t, line, out, *ctx_.time);
    else if (head.find("\"Id\"") != std::string_view::npos || head.find("\"Message\"") != std::string_view::npos ||
             starts_with(head, "#TYPE"))
      parse_csv(t, line, out, *ctx_.time);
    else
      out.unparsed("not a Windows event export (wevtutil text/xml, Get-WinEvent CSV)");
  }

 private:
  ParseContext ctx_;
};

class SchannelParser : public Parser {
 public:
  std::string_view name() const override { return "schannel"; }
  std::string_view description() const override {
    return "Windows Schannel events (36887/36888/36874/36871 ...) from wevtutil text/xml or Get-WinEvent CSV; alerts decoded";
  }
  Role role() const override { return Role::tls; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    bool schannel = false, shape = false;
    for (std::string_view l : in.lines) {
      if (l.find("Schannel") != std::string_view::npos || l.find("SChannel") != std::string_view::npos ||
          l.find("TLS protocol defined fatal") != std::string_view::npos)
        schannel = true;
      if (starts_with(l, "Event[") || l.find("<Event xmlns") != std::string_view::npos ||
          starts_with(l, "#TYPE System.Diagnostics.Eventing") || l.find("\"TimeCreated\"") != std::string_view::npos)
        shape = true;
    }
    if (!shape) return {};
    return {schannel ? 90 : 25, schannel ? "Windows event export with Schannel events" : "Windows event export"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<SchannelFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"Event[0]:\n  Log Name: System\n  Source: Schannel\n  Date: 2024-03-01T10:00:01.123\n  Event ID: 36887\n"
         "  Task: N/A\n  Level: Error\n  Computer: web01\n  Description: \nA fatal alert was received from the remote "
         "endpoint. The TLS protocol defined fatal alert code is 46.\n",
         {{"count", "1"},
          {"role", "tls"},
          {"ts", "2024-03-01T10:00:01.123Z"},
          {"category", "tls-handshake-failed"},
          {"severity", "error"},
          {"fields.event_id", "36887"},
          {"fields.tls_alert", "46"},
          {"fields.tls_alert_name", "certificate_unknown"},
          {"fields.alert_from", "peer"},
          {"line", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(SchannelParser);

}  // namespace
}  // namespace rstscope
