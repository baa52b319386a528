#include "ingest/ingest.h"

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
#include <map>
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
  Progress(bool enabled, int64_t total_files) : enabled_(enabled), total_files_(total_files) {
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
    if (files_done > 0 && files_done < total_files_ && secs > 1) {
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
  int64_t total_files_;
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
    batch_->settings.emplace_back(source_id_, s);
    if (!s.assumed) config_components.insert(s.component);
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

}  // namespace

std::vector<SniffCandidate> sniff_lines(std::string_view path, const std::vector<std::string_view>& lines,
                                        const BundleInfo* bundle) {
  std::string name = base_name(std::string(path));
  SniffInput in{path, name, lines, bundle};
  std::vector<SniffCandidate> out;
  for (const Parser* p : all_parsers()) {
    Score s = p->sniff(in);
    if (s.score > 0) out.push_back({p, std::move(s)});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score.score > b.score.score; });
  return out;
}

IngestSummary ingest(const IngestOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  IngestSummary sum;
  // Validate what the user gave before touching the DB.
  TimeResolver tz_check(opt.tz);  // throws for an unknown zone
  for (const auto& [pat, name] : opt.overrides)
    if (!find_parser(name))
      throw std::runtime_error("--format " + pat + "=" + name + ": no parser named '" + name +
                               "' (see `rstscope formats`)");

  ExpandResult ex = expand_bundle(opt.bundles, {fs::absolute(opt.db).string()});
  for (auto& w : ex.warnings) sum.warnings.push_back(w);
  BundleInfo info = collect_bundle_info(ex.inputs, opt.nginx_log_formats, sum.warnings);
  // Config includes (nginx `include conf.d/*.conf;`) resolve to other files of the bundle.
  {
    std::vector<std::string> paths;
    std::map<std::string, const Input*> by_path;
    for (const Input& in : ex.inputs) {
      paths.push_back(in.display);
      by_path[in.display] = &in;
    }
    config::attach_bundle_resolver(&info, config::make_bundle_resolver(paths, [by_path](const std::string& p) {
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
    }));
  }
  struct Detach {
    const BundleInfo* b;
    ~Detach() { config::detach_bundle_resolver(b); }
  } detach{&info};

  timeline::Writer writer({opt.db, opt.append, opt.fts_all, opt.verbose > 0});
  std::set<std::string> seen_sha;
  bool show_progress = opt.progress && !opt.quiet && isatty(2);
  Progress progress(show_progress, int64_t(ex.inputs.size()));
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
      for (const auto& [pat, name] : opt.overrides)
        if (override_matches(pat, in.display)) {
          parser = find_parser(name);
          score = 100;
        }
      bool note = !parser && is_bundle_note(base_name(in.display));
      if (!parser && !binary && !note) {
        auto cands = sniff_lines(in.display, head_lines(head, head.size() == kPeekBytes), &info);
        if (!cands.empty()) {
          parser = cands.front().parser;
          score = cands.front().score.score;
        }
      }
      row.parser = parser ? std::string(parser->name()) : std::string();
      row.score = parser ? score : kNull;
      em.batch().sources.push_back(row);

      TimeResolver time(opt.tz);
      {
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
      else if (em.zone_counts[int(ZoneSource::assumed)]) fin.zone = "assumed:" + opt.tz;
      else if (em.zone_counts[int(ZoneSource::inferred)]) fin.zone = "inferred";
      std::vector<std::string> warns = em.warnings;
      if (truncated_lines)
        warns.push_back(fmt::format("{}:{}: {} line(s) longer than 1 MiB were cut to 1 MiB (kept, flagged)",
                                    in.display, first_truncated, truncated_lines));
      std::string status = parser ? "ok" : note ? "skipped" : "unrecognised";
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
        if (parser) {
          sum.files_per_parser[row.parser]++;
          if (parser->role() != Role::config && em.events > 0)
            log_components.insert(std::string(config::component_of_parser(parser->name())));
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
    // Assumed defaults for components whose logs are here but whose config is not.
    add_assumed_settings(em.batch(), log_components, em.config_components);
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
