#include "ingest/ingest.h"

#include <cctype>
#include <fnmatch.h>
#include <openssl/evp.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "config/bundle_files.h"
#include "config/defaults.h"
#include "ingest/bundle_info.h"
#include "rstscope/reader.h"
#include "rstscope/text.h"
#include "source/bundle.h"
#include "timeline/writer.h"

namespace fs = std::filesystem;

namespace rstscope {
namespace {

constexpr size_t kPeekBytes = 64 * 1024;

// Wraps a ByteSource: keeps the first kPeekBytes for sniffing and replays them, and hashes
// every byte that passes through (sha256 of the decompressed content).
class PeekSource : public ByteSource {
 public:
  explicit PeekSource(ByteSource& inner) : inner_(inner) {
    ctx_ = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
    head_.resize(kPeekBytes);
    size_t got = 0;
    while (got < kPeekBytes) {
      long n = inner_.read(head_.data() + got, kPeekBytes - got);
      if (n < 0) {
        failed_ = true;
        break;
      }
      if (n == 0) break;
      got += size_t(n);
    }
    head_.resize(got);
  }
  ~PeekSource() override { EVP_MD_CTX_free(ctx_); }
  std::string_view head() const { return head_; }
  bool head_failed() const { return failed_; }

  long read(char* buf, size_t n) override {
    if (pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, k);
      pos_ += k;
      EVP_DigestUpdate(ctx_, buf, k);
      return long(k);
    }
    if (failed_) return -1;
    long r = inner_.read(buf, n);
    if (r > 0) EVP_DigestUpdate(ctx_, buf, size_t(r));
    return r;
  }
  std::string error() const override { return inner_.error(); }
  std::string sha256() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
      out.push_back(hex[md[i] >> 4]);
      out.push_back(hex[md[i] & 15]);
    }
    return out;
  }

 private:
  ByteSource& inner_;
  std::string head_;
  size_t pos_ = 0;
  bool failed_ = false;
  EVP_MD_CTX* ctx_ = nullptr;
};

// First non-empty lines of the head (the last, possibly cut, line is dropped when the head is full).
std::vector<std::string_view> head_lines(std::string_view head, bool full) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < head.size() && out.size() < kSniffLines) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (full) break;
      nl = head.size();
    }
    std::string_view l = head.substr(pos, nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!trim(l).empty()) out.push_back(l);
    pos = nl + 1;
  }
  return out;
}

// Notes an operator puts in a bundle (README, Markdown) describe the incident; they quote error
// lines and must not be read as logs. They are listed as sources with status 'skipped'.
bool is_bundle_note(const std::string& name) {
  std::string n = name;
  to_lower_inplace(n);
  return starts_with(n, "readme") || ends_with(n, ".md") || ends_with(n, ".markdown");
}

bool looks_binary(std::string_view head) {
  if (head.empty()) return false;
  size_t nul = 0, ctrl = 0;
  for (unsigned char c : head) {
    if (c == 0) ++nul;
    else if (c < 0x09 || (c > 0x0d && c < 0x20)) ++ctrl;
  }
  return nul * 100 > head.size() || (nul + ctrl) * 10 > head.size();
}

std::string base_name(const std::string& display) {
  std::string s = display;
  size_t bang = s.rfind("!/");
  if (bang != std::string::npos) s = s.substr(bang + 2);
  size_t slash = s.rfind('/');
  if (slash != std::string::npos) s = s.substr(slash + 1);
  return strip_compression(s);
}

class Progress {
 public:
  // total_bytes: the bytes all inputs will give when every one is a plain file (sizes known),
  // else 0; the ETA is then from bytes (one large file too), otherwise from files done.
  Progress(bool enabled, int64_t total_files, int64_t total_bytes)
      : enabled_(enabled), total_files_(total_files), total_bytes_(total_bytes) {
    start_ = std::chrono::steady_clock::now();
  }
  void update(int64_t files_done, int64_t bytes, int64_t events, const std::string& current) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? double(events) / secs : 0;
    std::string name = current.size() > 40 ? "..." + current.substr(current.size() - 37) : current;
    std::string eta;
    if (total_bytes_ > 0 && bytes > 0 && bytes < total_bytes_ && secs > 1) {
      double left = secs / double(bytes) * double(total_bytes_ - bytes);
      eta = fmt::format(" ETA {:.0f}s", left);
    } else if (total_bytes_ == 0 && files_done > 0 && files_done < total_files_ && secs > 1) {
      double left = secs / double(files_done) * double(total_files_ - files_done);
      eta = fmt::format(" ETA {:.0f}s", left);
    }
    std::fprintf(stderr, "\r\033[K[%lld/%lld files] %.1f MB, %lld events, %.0f events/s%s  %s",
                 (long long)files_done, (long long)total_files_, double(bytes) / 1e6, (long long)events, rate,
                 eta.c_str(), name.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void done() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  int64_t total_files_, total_bytes_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_{};
};

// The Emitter the pipeline hands to parsers: writes into the writer's current batch.
class BatchEmitter : public Emitter {
 public:
  BatchEmitter(timeline::Writer& w) : writer_(w) { batch_ = writer_.acquire(); }
  ~BatchEmitter() override {
    if (batch_) writer_.submit(batch_);
  }
  void flush() {
    writer_.submit(batch_);
    batch_ = writer_.acquire();
  }
  timeline::Batch& batch() { return *batch_; }

  void begin_record(const Record& rec, int64_t source_id) {
    rec_ = &rec;
    source_id_ = source_id;
    first_new_ = batch_->n_events;
  }
  // After the parser has seen the record: framework fill-in, stats, and batch hand-over.
  void end_record() {
    for (size_t i = first_new_; i < batch_->n_events; ++i) {
      Event& e = batch_->events[i];
      e.source_id = source_id_;
      fill_from_record(e, *rec_);
      e.fields.json();  // closes the object here, where the text is in cache: the writer only reads it
      if (e.role == Role::client && e.category == "client-failure") note_runtime(e);
      ++events;
      if (e.ts != kNull) {
        first_ts = std::min(first_ts, e.ts);
        last_ts = std::max(last_ts, e.ts);
        ++zone_counts[int(e.ts_zone)];
      }
    }
    if (batch_->full()) flush();
    first_new_ = batch_->n_events;
  }

  Event& event() override { return batch_->next_event(); }
  void unparsed(std::string_view reason) override {
    ++unparsed_count;
    auto& b = *batch_;
    if (b.n_unparsed == b.unparsed.size()) b.unparsed.emplace_back();
    timeline::UnparsedRow& u = b.unparsed[b.n_unparsed++];
    u.source_id = source_id_;
    u.line = rec_ ? rec_->line : 0;
    u.offset = rec_ ? rec_->offset : 0;
    u.reason.assign(reason);
    u.raw.assign(rec_ ? rec_->text.substr(0, 64 * 1024) : std::string_view());
  }
  void setting(const Setting& s) override {
    if (!s.assumed) config_components.insert(s.component);
    if (!s.file.empty() && s.file != path) {
      // Read through an include: stored under the included file's source (it may come later).
      auto it = source_of_path.find(s.file);
      if (it == source_of_path.end()) {
        pending.emplace_back(source_id_, s);
        return;
      }
      batch_->settings.emplace_back(it->second, s);
      return;
    }
    batch_->settings.emplace_back(source_id_, s);
  }
  // The client runtime a failure names (field `runtime`, set by the client parsers from exception
  // types and message texts): counted per runtime for the pool defaults ingest assumes.
  struct RuntimeSeen {
    int64_t count = 0;
    std::string first;  // path:line of the first failure that named it
  };
  void note_runtime(const Event& e) {
    std::string rt = e.fields.lookup("runtime");
    if (rt.empty()) return;
    if (rt == "java" && (e.raw.find("okhttp3") != std::string::npos || e.fields.lookup("exception").find("okhttp3") == 0))
      rt = "okhttp";
    RuntimeSeen& r = runtimes[rt];
    if (r.count++ == 0) r.first = fmt::format("{}:{}", path, e.line);
  }
  std::map<std::string, RuntimeSeen> runtimes;

  // Settings whose file was not yet a source when they were read: now under it, or (a file not
  // ingested in this run) under the including file, whose note names the file and line.
  void flush_pending() {
    for (auto& [including, s] : pending) {
      auto it = source_of_path.find(s.file);
      batch_->settings.emplace_back(it == source_of_path.end() ? including : it->second, std::move(s));
    }
    pending.clear();
  }
  void warn(int64_t line, std::string_view message) override {
    warnings.push_back(line > 0 ? fmt::format("{}:{}: {}", path, line, message) : fmt::format("{}: {}", path, message));
  }

  void reset_stats(const std::string& p) {
    path = p;
    events = unparsed_count = 0;
    first_ts = INT64_MAX;
    last_ts = INT64_MIN;
    zone_counts[0] = zone_counts[1] = zone_counts[2] = zone_counts[3] = 0;
    warnings.clear();
  }

  std::string path;
  int64_t events = 0, unparsed_count = 0;
  int64_t first_ts = INT64_MAX, last_ts = INT64_MIN;
  int64_t zone_counts[4] = {0, 0, 0, 0};
  std::vector<std::string> warnings;
  std::set<std::string> config_components;  // components some config file set values for
  std::map<std::string, int64_t> source_of_path;             // display path -> source id (this run)
  std::vector<std::pair<int64_t, Setting>> pending;          // see setting()

 private:
  timeline::Writer& writer_;
  timeline::Batch* batch_ = nullptr;
  const Record* rec_ = nullptr;
  int64_t source_id_ = 0;
  size_t first_new_ = 0;
};

bool override_matches(const std::string& pattern, const std::string& display) {
  if (pattern == display) return true;
  if (ends_with(display, "/" + pattern)) return true;
  if (fnmatch(pattern.c_str(), display.c_str(), 0) == 0) return true;
  if (fnmatch(pattern.c_str(), base_name(display).c_str(), 0) == 0) return true;
  return false;
}


// A date with a year at position i of t: "YYYY-MM-DD", "YYYY/MM/DD", "YYYY.MM.DD" (followed by a
// space or 'T') or CLF "DD/Mon/YYYY:". Fills year and month; false otherwise.
bool date_at(std::string_view t, size_t i, int& year, int& month) {
  auto num = [&](size_t at, size_t n, int& v) {
    if (at + n > t.size()) return false;
    v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = t[at + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    return true;
  };
  int y, m, d;
  if (num(i, 4, y) && i + 10 < t.size() && (t[i + 4] == '-' || t[i + 4] == '/' || t[i + 4] == '.') &&
      t[i + 7] == t[i + 4] && num(i + 5, 2, m) && num(i + 8, 2, d) && (t[i + 10] == ' ' || t[i + 10] == 'T') &&
      (i == 0 || !std::isdigit(static_cast<unsigned char>(t[i - 1])))) {
    if (y >= 1990 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
      year = y;
      month = m;
      return true;
    }
    return false;
  }
  // "23/Nov/2026:20:34:33"
  if (i + 12 <= t.size() && num(i, 2, d) && t[i + 2] == '/' && t[i + 6] == '/' && num(i + 7, 4, y) &&
      t[i + 11] == ':') {
    int mo = month_from_abbr(t.substr(i + 3, 3));
    if (mo && y >= 1990 && y <= 2200 && d >= 1 && d <= 31) {
      year = y;
      month = mo;
      return true;
    }
  }
  return false;
}

// The latest dated line of a piece of text (year and month), by a scan for digits.
void latest_date(std::string_view text, int& year, int& month) {
  for (size_t i = 0; i + 10 < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') continue;
    int y, m;
    if (date_at(text, i, y, m) && (y > year || (y == year && m > month))) {
      year = y;
      month = m;
    }
  }
}

}  // namespace

bool looks_like_json_document(const std::vector<std::string_view>& lines) {
  if (lines.size() < 2) return false;
  std::string_view first = trim(lines[0]);
  if (first.empty()) return false;
  if (first[0] == '{') return first.back() != '}';
  if (first[0] != '[') return false;
  // "[", "[{", "[ \"a\"," ... but not "[  123.456] kernel: ..." (dmesg) or "[24/Jan/2022:..." (a log time).
  std::string_view rest = trim(first.substr(1));
  return (rest.empty() || rest[0] == '{' || rest[0] == '[' || rest[0] == '"') && first.back() != ']';
}

std::vector<SniffCandidate> sniff_lines(std::string_view path, const std::vector<std::string_view>& lines,
                                        const BundleInfo* bundle) {
  std::string name = base_name(std::string(path));
  SniffInput in{path, name, lines, bundle};
  std::vector<SniffCandidate> out;
  // A multi-line JSON document reaches a line-oriented parser one fragment per line; text that
  // merely quotes log lines (expected outputs, API dumps) would become fake events and unparsed
  // rows. Only whole-file parsers may read it.
  bool json_document = looks_like_json_document(lines);
  for (const Parser* p : all_parsers()) {
    if (json_document && !p->whole_file()) continue;
    Score s = p->sniff(in);
    if (s.score > 0) out.push_back({p, std::move(s)});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score.score > b.score.score; });
  return out;
}

void apply_tz_args(const std::vector<std::string>& args, IngestOptions& opt) {
  bool have_plain = false;
  for (const std::string& a : args) {
    size_t eq = a.rfind('=');
    if (eq == std::string::npos) {
      if (have_plain) throw std::runtime_error("--tz given twice without PATH=: use --tz ZONE once and PATH=ZONE for files");
      have_plain = true;
      opt.tz = a;
      continue;
    }
    if (eq == 0 || eq + 1 == a.size()) throw std::runtime_error("--tz: expected ZONE or PATH=ZONE, got '" + a + "'");
    opt.source_tz.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
}

BundleDate bundle_reference_date(const std::vector<Input>& inputs) {
  BundleDate best;
  constexpr size_t kScan = 16384;
  for (const Input& in : inputs) {
    if (in.archive) continue;  // members are read once, in order, by the ingest itself
    int year = 0, month = 0;
    try {
      std::string buf(kScan, '\0');
      if (!in.compressed) {
        // head and tail of a plain file (a log's latest date is at its end)
        FILE* f = std::fopen(in.fs_path.c_str(), "rb");
        if (!f) continue;
        size_t n = std::fread(buf.data(), 1, kScan, f);
        latest_date(std::string_view(buf.data(), n), year, month);
        if (in.size > int64_t(kScan) && std::fseek(f, -long(kScan), SEEK_END) == 0) {
          n = std::fread(buf.data(), 1, kScan, f);
          latest_date(std::string_view(buf.data(), n), year, month);
        }
        std::fclose(f);
      } else {
        auto src = open_input(in);
        long n = src->read(buf.data(), kScan);
        if (n > 0) latest_date(std::string_view(buf.data(), size_t(n)), year, month);
      }
    } catch (const std::exception&) {
      continue;  // unreadable: the ingest itself reports it
    }
    if (year > best.year || (year == best.year && month > best.month)) {
      best.year = year;
      best.month = month;
      best.from = in.display;
    }
  }
  return best;
}

IngestSummary ingest(const IngestOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  IngestSummary sum;
  // Validate what the user gave before touching the DB.
  TimeResolver tz_check(opt.tz);  // throws for an unknown zone
  for (const auto& [pat, zone] : opt.source_tz) {
    try {
      TimeResolver check(zone);
    } catch (const std::exception& e) {
      throw std::runtime_error("--tz " + pat + "=" + zone + ": " + e.what());
    }
  }
  for (const auto& [pat, name] : opt.overrides)
    if (!find_parser(name))
      throw std::runtime_error("--format " + pat + "=" + name + ": no parser named '" + name +
                               "' (see `rstscope formats`)");

  ExpandResult ex = expand_bundle(opt.bundles, {fs::absolute(opt.db).string()});
  for (auto& w : ex.warnings) sum.warnings.push_back(w);
  BundleInfo info = collect_bundle_info(ex.inputs, opt.nginx_log_formats, sum.warnings);
  // Year-less syslog times: dated from the bundle's own latest date, else the file's mtime.
  const BundleDate bundle_date = bundle_reference_date(ex.inputs);
  std::map<std::string, std::string> included_configs;  // bundle path -> "PARENT:LINE" including it
  // Config includes (nginx `include conf.d/*.conf;`) resolve to other files of the bundle.
  {
    std::vector<std::string> paths;
    std::map<std::string, const Input*> by_path;
    for (const Input& in : ex.inputs) {
      paths.push_back(in.display);
      by_path[in.display] = &in;
    }
    // Config members of archives are read in one pass per archive up front: the include pre-pass
    // and the resolver would otherwise decompress a whole archive (logs too) once per config.
    auto archived = std::make_shared<const std::map<std::string, std::string>>(archive_config_texts(ex.inputs));
    std::function<std::string(const std::string&)> read = [by_path, archived](const std::string& p) {
      if (auto a = archived->find(p); a != archived->end()) return a->second;
      auto it = by_path.find(p);
      if (it == by_path.end()) throw std::runtime_error("not in the bundle");
      const Input& in = *it->second;
      std::string text;
      auto slurp = [&](ByteSource& src) {
        char buf[65536];
        for (long n; (n = src.read(buf, sizeof buf)) > 0 && text.size() < (size_t(4) << 20);) text.append(buf, size_t(n));
      };
      if (in.archive) {
        for_each_member(in.fs_path, [&](const std::string& m, int64_t, int64_t, ByteSource& bs) {
          if (m == in.member) slurp(bs);
        });
      } else {
        auto src = open_input(in);
        slurp(*src);
      }
      return text;
    };
    config::IncludeResolver resolve = config::make_bundle_resolver(paths, read);
    config::attach_bundle_resolver(&info, resolve);
    // Files another config includes are read through that include, not alone.
    included_configs = find_included_configs(ex.inputs, resolve, read);
  }
  struct Detach {
    const BundleInfo* b;
    ~Detach() { config::detach_bundle_resolver(b); }
  } detach{&info};

  timeline::Writer writer({opt.db, opt.append, opt.fts_all, opt.verbose > 0});
  std::set<std::string> seen_sha;
  bool show_progress = opt.progress && !opt.quiet && isatty(2);
  int64_t plain_bytes = 0;
  for (const Input& in : ex.inputs) {
    if (in.archive || in.compressed || in.size < 0) {
      plain_bytes = 0;
      break;
    }
    plain_bytes += in.size;
  }
  Progress progress(show_progress, int64_t(ex.inputs.size()), plain_bytes);
  int64_t bytes_done = 0;
  bool partial_input = !ex.warnings.empty();
  std::set<std::string> log_components;

  try {
    BatchEmitter em(writer);

    auto process = [&](const Input& in, ByteSource& raw) {
      em.reset_stats(in.display);
      PeekSource src(raw);
      timeline::SourceRow row;
      row.id = writer.next_source_id();
      row.path = in.display;
      row.member = in.member;
      row.mtime = in.mtime_us ? in.mtime_us : kNull;
      std::string_view head = src.head();
      bool binary = looks_binary(head);
      const Parser* parser = nullptr;
      int score = 0;
      bool overridden = false;
      for (const auto& [pat, name] : opt.overrides)
        if (override_matches(pat, in.display)) {
          parser = find_parser(name);
          score = 100;
          overridden = true;
        }
      bool note = !parser && is_bundle_note(base_name(in.display));
      if (!parser && !binary && !note) {
        auto cands = sniff_lines(in.display, head_lines(head, head.size() == kPeekBytes), &info);
        if (!cands.empty()) {
          parser = cands.front().parser;
          score = cands.front().score.score;
        }
      }
      // A config that another config of the bundle includes is read there (with this file's lines
      // and this source), not alone: alone it would lack its context (an nginx conf.d file outside
      // http {}) and give every setting twice. A --format override still parses it alone.
      std::string included_by;
      if (!overridden && (!parser || parser->role() == Role::config) && !binary && !note) {
        auto inc = included_configs.find(in.display);
        if (inc != included_configs.end()) included_by = inc->second;
      }
      row.parser = parser ? std::string(parser->name()) : std::string();
      row.score = parser ? score : kNull;
      em.batch().sources.push_back(row);
      em.source_of_path[in.display] = row.id;
      if (!included_by.empty()) parser = nullptr;

      std::string zone = opt.tz;
      for (const auto& [pat, z] : opt.source_tz)
        if (override_matches(pat, in.display)) zone = z;
      TimeResolver time(zone);
      if (bundle_date.year) {
        time.set_reference_year(bundle_date.year, bundle_date.month);
      } else {
        int64_t mt = in.mtime_us ? in.mtime_us : 0;
        CivilTime c;
        CivilTime parsed;
        int64_t secs = mt / 1000000;
        std::string iso = format_iso_ms(secs * 1000000);
        if (parse_iso8601(iso, parsed)) c = parsed;
        time.set_reference_year(c.year ? c.year : 1970, c.month ? c.month : 12);
      }
      LineReader lines(src);
      int64_t truncated_lines = 0, first_truncated = 0;
      if (parser) {
        ParseContext ctx{in.display, &info, &time};
        std::unique_ptr<FileParser> fp = parser->open(ctx);
        RecordReader records(lines, *parser);
        Record rec;
        while (records.next(rec)) {
          if (rec.truncated && truncated_lines++ == 0) first_truncated = rec.line;
          em.begin_record(rec, row.id);
          fp->record(rec, em);
          em.end_record();
          if ((rec.line & 0x3fff) == 0) progress.update(sum.files, bytes_done + lines.bytes_read(), sum.events + em.events, in.display);
        }
        Record end{{}, lines.lines(), 0, lines.bytes_read(), false};
        em.begin_record(end, row.id);
        fp->finish(em);
        em.end_record();
      } else {
        Line l;
        while (lines.next(l)) {
          if (l.truncated && truncated_lines++ == 0) first_truncated = l.number;
        }
      }
      timeline::SourceRow fin = row;
      fin.final = true;
      fin.size = lines.bytes_read();
      fin.sha256 = src.sha256();
      fin.lines = lines.lines();
      fin.events = em.events;
      fin.unparsed = em.unparsed_count;
      if (em.first_ts != INT64_MAX) {
        fin.first_ts = em.first_ts;
        fin.last_ts = em.last_ts;
      }
      if (em.zone_counts[int(ZoneSource::explicit_)]) fin.zone = "explicit";
      else if (em.zone_counts[int(ZoneSource::assumed)]) fin.zone = "assumed:" + zone;
      else if (em.zone_counts[int(ZoneSource::inferred)]) fin.zone = "inferred";
      std::vector<std::string> warns = em.warnings;
      if (truncated_lines)
        warns.push_back(fmt::format("{}:{}: {} line(s) longer than 1 MiB were cut to 1 MiB (kept, flagged)",
                                    in.display, first_truncated, truncated_lines));
      std::string status = parser ? "ok" : note ? "skipped" : "unrecognised";
      if (!included_by.empty()) {
        status = "included";
        // A note in sources.errors (it says why the file has no events), not a warning.
        fin.errors = in.display + ": included by " + included_by +
                     "; its settings are read there (source and lines of this file), not parsed alone";
      }
      if (note) warns.push_back(in.display + ": a note (README/Markdown), not a log: skipped (force with --format)");
      if (binary) {
        warns.push_back(in.display + ": binary content (NUL or control bytes); not parsed");
        partial_input = true;
      }
      if (lines.failed() || src.head_failed()) {
        warns.push_back(fmt::format("{}:{}: read failed after {} bytes: {} (lines before it are kept)", in.display,
                                    lines.lines() + 1, lines.bytes_read(),
                                    lines.error().empty() ? src.error() : lines.error()));
        status = "partial";
        partial_input = true;
      }
      if (lines.lines() == 0 && !lines.failed()) warns.push_back(in.display + ": empty file");
      // The same file twice (in the DB already, or collected twice in this bundle under the same
      // name, e.g. plain and inside an archive) adds nothing. Different files that happen to hold
      // the same bytes (two clients' identical stderr) are both kept.
      std::string same_name = fin.sha256 + "/" + base_name(in.display);
      if (writer.has_sha256(fin.sha256) || !seen_sha.insert(same_name).second) {
        status = "duplicate";
        if (opt.verbose) warns.push_back(in.display + ": same file (name and sha256) as one already ingested; skipped");
      }
      fin.status = status;
      for (const auto& w : warns) {
        if (!fin.errors.empty()) fin.errors += '\n';
        fin.errors += w;
      }
      em.batch().sources.push_back(fin);
      for (auto& w : warns) sum.warnings.push_back(w);
      ++sum.files;
      sum.lines += lines.lines();
      sum.bytes += lines.bytes_read();
      bytes_done += lines.bytes_read();
      if (status != "duplicate") {
        sum.events += em.events;
        sum.unparsed += em.unparsed_count;
        if (!included_by.empty()) {
          sum.files_per_parser[row.parser.empty() ? "included" : row.parser]++;
        } else if (parser) {
          sum.files_per_parser[row.parser]++;
          std::string_view comp = config::component_of_parser(parser->name());
          // Client pool defaults only from client logs (a server-side parser never implies them).
          if (parser->role() != Role::config && em.events > 0 &&
              (parser->role() == Role::client || !starts_with(comp, "client")))
            log_components.insert(std::string(comp));
        }
        else if (!binary && !note && lines.lines() > 0) sum.unrecognised.push_back(in.display);
        if (em.first_ts != INT64_MAX) {
          sum.first_ts = std::min(sum.first_ts, em.first_ts);
          sum.last_ts = std::max(sum.last_ts, em.last_ts);
        }
      }
      progress.update(sum.files, bytes_done, sum.events, in.display);
    };

    for (size_t i = 0; i < ex.inputs.size(); ++i) {
      const Input& in = ex.inputs[i];
      if (in.archive) {
        // Members of one archive are consecutive: read the archive once, in archive order.
        size_t j = i;
        std::set<std::string> wanted;
        while (j < ex.inputs.size() && ex.inputs[j].archive && ex.inputs[j].fs_path == in.fs_path)
          wanted.insert(ex.inputs[j++].member);
        std::string err = for_each_member(in.fs_path, [&](const std::string& m, int64_t size, int64_t mt, ByteSource& bs) {
          if (!wanted.count(m)) return;
          Input mi = in;
          mi.member = m;
          mi.size = size;
          mi.mtime_us = mt ? mt : in.mtime_us;
          size_t bang = in.display.find("!/");
          mi.display = in.display.substr(0, bang) + "!/" + m;
          process(mi, bs);
        });
        if (!err.empty()) {
          // Already reported by expand_bundle when listing; keep the exit code honest.
          partial_input = true;
        }
        i = j - 1;
        continue;
      }
      std::unique_ptr<ByteSource> src;
      try {
        src = open_input(in);
      } catch (const std::exception& e) {
        timeline::SourceRow row;
        row.id = writer.next_source_id();
        row.path = in.display;
        em.batch().sources.push_back(row);
        row.final = true;
        row.status = "unreadable";
        row.errors = in.display + ": " + e.what();
        em.batch().sources.push_back(row);
        sum.warnings.push_back(row.errors);
        partial_input = true;
        ++sum.files;
        continue;
      }
      process(in, *src);
    }
    em.flush_pending();
    // Assumed defaults for components whose logs are here but whose config is not.
    // Client pool defaults for the runtimes the client failures name (client-app-log, client-json
    // and client-stderr read any runtime; the runtime is known from each failure's text).
    std::map<std::string, std::string> inferred;
    for (const auto& [rt, seen] : em.runtimes) {
      std::string comp(config::component_of_runtime(rt));
      // A client-<runtime> parser (client-curl) already names its component: its defaults come from there.
      if (comp.empty() || inferred.count(comp) || log_components.count(comp)) continue;
      inferred[comp] = fmt::format("client runtime inferred as {} from {} failure(s) (first {}, field runtime); no {} "
                                   "config in the bundle",
                                   config::runtime_label(rt), seen.count, seen.first, comp);
    }
    add_assumed_settings(em.batch(), log_components, em.config_components, inferred);
  } catch (...) {
    progress.done();
    writer.abort();
    throw;
  }
  progress.done();
  if (opt.verbose) {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    std::fprintf(stderr, "ingest: parsed and loaded in %.2f s wall, %.2f s cpu (both threads); parser thread %.2f s cpu\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                 double(std::clock()) / CLOCKS_PER_SEC, double(ts.tv_sec) + double(ts.tv_nsec) / 1e9);
  }
  writer.finish();
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sum.exit_code = partial_input ? 2 : 0;
  return sum;
}

std::string format_summary(const IngestSummary& s, const std::string& db) {
  std::string out;
  out += fmt::format("ingested {} file(s), {:.1f} MB, {} lines -> {} events in {:.2f} s ({:.0f} lines/s)\n", s.files,
                     double(s.bytes) / 1e6, s.lines, s.events, s.seconds,
                     s.seconds > 0 ? double(s.lines) / s.seconds : 0.0);
  for (const auto& [p, n] : s.files_per_parser) out += fmt::format("  {:<24} {} file(s)\n", p, n);
  if (s.first_ts != INT64_MAX)
    out += fmt::format("time span: {} .. {}\n", format_iso_ms(s.first_ts), format_iso_ms(s.last_ts));
  if (s.unparsed) out += fmt::format("unparsed records: {} (kept in table unparsed)\n", s.unparsed);
  if (!s.unrecognised.empty()) {
    out += fmt::format("not recognised ({}): ", s.unrecognised.size());
    for (size_t i = 0; i < s.unrecognised.size() && i < 8; ++i) out += (i ? ", " : "") + s.unrecognised[i];
    if (s.unrecognised.size() > 8) out += ", ...";
    out += "\n  (use --format PATH=PARSER to force a parser; `rstscope formats` lists them)\n";
  }
  if (!s.warnings.empty()) {
    out += fmt::format("warnings ({}):\n", s.warnings.size());
    for (size_t i = 0; i < s.warnings.size() && i < 12; ++i) out += "  " + s.warnings[i] + "\n";
    if (s.warnings.size() > 12) out += fmt::format("  ... {} more in `SELECT * FROM problems`\n", s.warnings.size() - 12);
  }
  out += "timeline: " + db + "\n";
  return out;
}

}  // namespace rstscope
