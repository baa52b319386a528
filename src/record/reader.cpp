#include "rstscope/reader.h"

#include <cstring>

#include "rstscope/text.h"

namespace rstscope {

long MemorySource::read(char* buf, size_t n) {
  size_t k = std::min(n, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  return long(k);
}

LineReader::LineReader(ByteSource& src, size_t chunk) : src_(src), chunk_(chunk) {
  buf_.resize(std::max(chunk_, kMaxLine + 2) * 2);
}

bool LineReader::fill() {
  if (eof_) return false;
  // Compact: move the unread tail to the front.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    consumed_ += int64_t(begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  size_t room = buf_.size() - end_;
  if (room == 0) return false;
  long n = src_.read(buf_.data() + end_, std::min(room, chunk_));
  if (n < 0) {
    failed_ = true;
    error_ = src_.error();
    eof_ = true;
    return false;
  }
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += size_t(n);
  total_ += n;
  return true;
}

bool LineReader::next(Line& line) {
  for (;;) {
    const char* start = buf_.data() + begin_;
    size_t avail = end_ - begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', avail));
    if (skipping_) {
      // Rest of an over-long line: drop bytes up to its newline.
      if (nl) {
        begin_ += size_t(nl - start) + 1;
        skipping_ = false;
        continue;
      }
      begin_ = end_;
      if (!fill()) return false;
      continue;
    }
    if (nl) {
      size_t len = size_t(nl - start);
      if (len > kMaxLine) {
        // Cannot happen with the buffer sized > kMaxLine unless filled in one go; cut it.
        line.text = std::string_view(start, kMaxLine);
        line.truncated = true;
      } else {
        line.text = std::string_view(start, len);
        line.truncated = false;
      }
      if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
      line.offset = consumed_ + int64_t(begin_);
      line.number = ++number_;
      begin_ += len + 1;
      return true;
    }
    if (avail >= kMaxLine) {
      line.text = std::string_view(start, kMaxLine);
      line.truncated = true;
      line.offset = consumed_ + int64_t(begin_);
      line.number = ++number_;
      begin_ += kMaxLine;
      skipping_ = true;
      return true;
    }
    size_t before = end_ - begin_;
    if (!fill()) {
      if (end_ > begin_ && !failed_) {
        // Last line without a newline.
        line.text = std::string_view(buf_.data() + begin_, end_ - begin_);
        if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
        line.truncated = false;
        line.offset = consumed_ + int64_t(begin_);
        line.number = ++number_;
        begin_ = end_;
        return true;
      }
      return false;
    }
    (void)before;
  }
}

RecordReader::RecordReader(LineReader& lines, const Parser& parser) : lines_(lines), parser_(parser) {}

bool RecordReader::next(Record& rec) {
  if (done_) return false;
  if (parser_.whole_file()) {
    // The whole file as one record (bounded at 64 MiB; the rest is flagged truncated).
    constexpr size_t kWholeMax = size_t(64) << 20;
    joined_.clear();
    Line l;
    bool first = true, truncated = false;
    int64_t count = 0;
    while (lines_.next(l)) {
      if (joined_.size() + l.text.size() + 1 > kWholeMax) {
        truncated = true;
        continue;
      }
      if (!first) joined_.push_back('\n');
      first = false;
      joined_.append(l.text);
      truncated |= l.truncated;
      ++count;
    }
    done_ = true;
    if (count == 0) return false;
    rec = Record{joined_, 1, count, 0, truncated};
    return true;
  }
  Line first;
  if (has_pending_) {
    first = pending_;
    first.text = pending_text_;
    has_pending_ = false;
  } else if (!lines_.next(first)) {
    done_ = true;
    return false;
  }
  if (!parser_.joins_lines()) {
    rec = Record{first.text, first.number, 1, first.offset, first.truncated};
    return true;
  }
  joined_.assign(first.text);
  int64_t count = 1;
  bool truncated = first.truncated;
  Line l;
  while (lines_.next(l)) {
    if (parser_.continues(l.text)) {
      if (joined_.size() < (size_t(16) << 20)) {
        joined_.push_back('\n');
        joined_.append(l.text);
      } else {
        truncated = true;
      }
      truncated |= l.truncated;
      ++count;
      continue;
    }
    pending_ = l;
    pending_text_.assign(l.text);
    has_pending_ = true;
    break;
  }
  rec = Record{joined_, first.number, count, first.offset, truncated};
  return true;
}

namespace {

class CollectingEmitter : public Emitter {
 public:
  explicit CollectingEmitter(ParsedText& out) : out_(out) {}
  Event& event() override {
    out_.events.emplace_back();
    return out_.events.back();
  }
  void unparsed(std::string_view reason) override { out_.unparsed.emplace_back(line_, std::string(reason)); }
  void setting(const Setting& s) override { out_.settings.push_back(s); }
  void warn(int64_t line, std::string_view m) override { out_.warnings.emplace_back(line, std::string(m)); }
  int64_t line_ = 0;

 private:
  ParsedText& out_;
};

}  // namespace

void fill_from_record(Event& ev, const Record& rec) {
  if (ev.line == 0) {
    ev.line = rec.line;
    ev.line_count = rec.line_count;
    ev.offset = rec.offset;
    if (ev.raw.empty()) ev.raw.assign(rec.text);
  }
}

ParsedText parse_text(const Parser& parser, std::string_view text, std::string_view tz,
                      const BundleInfo* bundle, std::string_view path) {
  ParsedText out;
  static const BundleInfo empty_bundle{{{"combined", ""}}};
  TimeResolver time(tz);
  time.set_reference_year(2026, 12);
  ParseContext ctx{path, bundle ? bundle : &empty_bundle, &time};
  auto fp = parser.open(ctx);
  MemorySource src(text);
  LineReader lines(src);
  RecordReader records(lines, parser);
  CollectingEmitter em(out);
  Record rec;
  while (records.next(rec)) {
    size_t before = out.events.size();
    em.line_ = rec.line;
    fp->record(rec, em);
    for (size_t i = before; i < out.events.size(); ++i) fill_from_record(out.events[i], rec);
  }
  size_t before = out.events.size();
  fp->finish(em);
  for (size_t i = before; i < out.events.size(); ++i)
    if (out.events[i].line == 0) out.events[i].line = lines.lines();
  return out;
}

std::string event_field(const Event& ev, std::string_view name) {
  auto num = [](int64_t v) { return v == kNull ? std::string() : std::to_string(v); };
  if (name == "ts") return format_iso_ms(ev.ts);
  if (name == "ts_us") return num(ev.ts);
  if (name == "ts_raw") return ev.ts_raw;
  if (name == "ts_zone") return std::string(to_string(ev.ts_zone));
  if (name == "role") return std::string(to_string(ev.role));
  if (name == "category") return ev.category;
  if (name == "kind") return ev.kind;
  if (name == "severity") return ev.severity;
  if (name == "client_ip") return ev.client_ip;
  if (name == "client_port") return num(ev.client_port);
  if (name == "server_ip") return ev.server_ip;
  if (name == "server_port") return num(ev.server_port);
  if (name == "host") return ev.host;
  if (name == "protocol") return ev.protocol;
  if (name == "method") return ev.method;
  if (name == "path") return ev.path;
  if (name == "status") return num(ev.status);
  if (name == "bytes") return num(ev.bytes);
  if (name == "duration_us") return num(ev.duration_us);
  if (name == "duration_ms") return ev.duration_us == kNull ? std::string() : std::to_string(ev.duration_us / 1000);
  if (name == "conn_id") return ev.conn_id;
  if (name == "request_id") return ev.request_id;
  if (name == "message") return ev.message;
  if (name == "raw") return ev.raw;
  if (name == "line") return num(ev.line);
  if (name == "line_count") return num(ev.line_count);
  if (starts_with(name, "fields.")) return ev.fields.lookup(name.substr(7));
  return "<unknown field " + std::string(name) + ">";
}

}  // namespace rstscope
