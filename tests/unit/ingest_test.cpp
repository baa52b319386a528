// The foundation: records, time, bundles (folders, rotation, compression, archives), the
// timeline, bad input, atomic publish, read-only query.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "ingest/ingest.h"
#include "rstscope/reader.h"
#include "rstscope/text.h"
#include "rstscope/timeutil.h"
#include "source/bundle.h"
#include "timeline/writer.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace rstscope;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/rstscope-ingest-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path operator/(const std::string& s) const { return path / s; }
};

void write(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

int64_t scalar(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

std::string text(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string v = "<none>";
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    v = t ? reinterpret_cast<const char*>(t) : "<null>";
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

const char* kAccess =
    "127.0.0.1 - - [23/Nov/2026:20:19:01 +0000] \"GET /ok HTTP/1.1\" 200 3 \"-\" \"curl/7.88.1\"\n";

IngestOptions opts(const fs::path& bundle, const fs::path& db) {
  IngestOptions o;
  o.bundles = {bundle.string()};
  o.db = db.string();
  o.quiet = true;
  o.progress = false;
  return o;
}

}  // namespace

TEST(LineReader, LfCrlfLastLineNulAndLongLines) {
  std::string data = "a\r\nb\n\nc";
  data += '\0';
  data += "d\n";
  data += std::string(kMaxLine + 10, 'x') + "\nlast";
  MemorySource src(data);
  LineReader r(src, 4096);
  Line l;
  std::vector<std::string> got;
  std::vector<bool> trunc;
  while (r.next(l)) {
    got.emplace_back(l.text);
    trunc.push_back(l.truncated);
  }
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0], "a");
  EXPECT_EQ(got[1], "b");
  EXPECT_EQ(got[2], "");
  EXPECT_EQ(got[3], std::string("c\0d", 3));
  EXPECT_EQ(got[4].size(), kMaxLine);
  EXPECT_TRUE(trunc[4]);
  EXPECT_EQ(got[5], "last");
  EXPECT_FALSE(trunc[5]);
  EXPECT_EQ(r.lines(), 6);
}

TEST(LineReader, OffsetsAreByteOffsetsOfLineStarts) {
  MemorySource src("ab\ncde\nf");
  LineReader r(src, 2);  // tiny chunks: refills mid-line
  Line l;
  std::vector<int64_t> offs;
  while (r.next(l)) offs.push_back(l.offset);
  EXPECT_EQ(offs, (std::vector<int64_t>{0, 3, 7}));
}

TEST(Text, JsonEscapeCopiesPlainRunsAndEscapesTheRest) {
  auto esc = [](std::string_view s) {
    std::string out = "<";
    json_escape_append(out, s);
    return out;
  };
  EXPECT_EQ(esc(""), "<");
  EXPECT_EQ(esc("plain text 123"), "<plain text 123");
  EXPECT_EQ(esc("a\"b\\c"), "<a\\\"b\\\\c");
  EXPECT_EQ(esc("tab\there\nnl\r"), "<tab\\there\\nnl\\r");
  EXPECT_EQ(esc(std::string_view("nul\0x\x01\x7f", 7)), "<nul\\u0000x\\u0001\\u007f");
  EXPECT_EQ(esc("caf\xc3\xa9 \xe2\x82\xac"), "<caf\xc3\xa9 \xe2\x82\xac");  // valid UTF-8 kept
  EXPECT_EQ(esc("bad\xff\xc3"), "<bad\\u00ff\\u00c3");                    // invalid bytes escaped
  EXPECT_EQ(esc("\"\""), "<\\\"\\\"");
}

TEST(Time, ShapesAndZones) {
  CivilTime c;
  EXPECT_EQ(parse_iso8601("2026-11-23T20:34:33.123456+01:00 x", c), 32u);
  EXPECT_TRUE(c.has_offset);
  EXPECT_EQ(c.offset_seconds, 3600);
  EXPECT_EQ(c.micros, 123456);
  EXPECT_GT(parse_any_time("2026-11-23 20:34:33,123 ERROR", c), 0u);
  EXPECT_EQ(c.micros, 123000);
  EXPECT_GT(parse_any_time("11/23/2026 8:34:33 PM", c), 0u);
  EXPECT_EQ(c.hour, 20);
  EXPECT_GT(parse_any_time("Nov 23, 2026 8:34:33 PM org.x", c), 0u);
  EXPECT_EQ(c.hour, 20);
  EXPECT_EQ(c.year, 2026);
  EXPECT_GT(parse_any_time("[23/Nov/2026:20:34:33 +0000]", c), 0u);
  EXPECT_EQ(parse_any_time("1700000000.5 x", c), 12u);
  EXPECT_EQ(c.micros, 500000);
  TimeResolver berlin("Europe/Berlin");
  Event ev;
  ASSERT_GT(parse_iso8601("2026-07-01 12:00:00", c), 0u);
  berlin.resolve(c, ev);
  EXPECT_EQ(format_iso_ms(ev.ts), "2026-07-01T10:00:00.000Z");  // CEST
  EXPECT_EQ(ev.ts_zone, ZoneSource::assumed);
  TimeResolver none;
  none.resolve(c, ev);
  EXPECT_EQ(ev.ts_zone, ZoneSource::inferred);
  EXPECT_THROW(TimeResolver("Mars/Olympus"), std::runtime_error);
}

TEST(Time, YearlessSyslogGetsYearFromTheFileAndRollsOver) {
  TimeResolver t;
  t.set_reference_year(2027, 1);  // file written in January 2027
  CivilTime c;
  Event ev;
  ASSERT_GT(parse_syslog_time("Dec 31 23:59:59 host x", c), 0u);
  t.resolve(c, ev);
  EXPECT_EQ(format_iso_ms(ev.ts), "2026-12-31T23:59:59.000Z");
  ASSERT_GT(parse_syslog_time("Jan  1 00:00:01 host x", c), 0u);
  t.resolve(c, ev);
  EXPECT_EQ(format_iso_ms(ev.ts), "2027-01-01T00:00:01.000Z");
}

TEST(Bundle, RotatedSetsOldestFirst) {
  TempDir d;
  write(d / "nginx/access.log", kAccess);
  write(d / "nginx/access.log.1", kAccess);
  ASSERT_EQ(sh("printf 'x\\n' | gzip > " + (d / "nginx/access.log.2.gz").string()), 0);
  write(d / "a.log", "x\n");
  auto ex = expand_bundle({d.path.string()}, {});
  std::vector<std::string> names;
  for (auto& in : ex.inputs) names.push_back(in.display);
  EXPECT_EQ(names, (std::vector<std::string>{"a.log", "nginx/access.log.2.gz", "nginx/access.log.1", "nginx/access.log"}));
}

TEST(Bundle, SymlinkLoopsAreSafe) {
  TempDir d;
  write(d / "x/a.log", kAccess);
  fs::create_directory_symlink(d.path, d / "x/loop");
  auto ex = expand_bundle({d.path.string()}, {});
  EXPECT_EQ(ex.inputs.size(), 1u);
}

TEST(Ingest, CompressedFilesAndArchivesAreReadInPlace) {
  TempDir d;
  fs::path b = d / "bundle";
  write(b / "plain/access.log", kAccess);
  for (std::string z : {"gzip", "bzip2", "xz", "zstd -q"}) {
    std::string ext = z == "gzip" ? "gz" : z == "bzip2" ? "bz2" : z == "xz" ? "xz" : "zst";
    ASSERT_EQ(sh("printf '%s' '" + std::string(kAccess) + "' | " + z + " -c > " + (b / ("access." + ext)).string()), 0) << z;
  }
  write(d / "staging/logs/access.log", kAccess);
  write(d / "staging/logs/error.log", "2026/11/23 20:19:05 [error] 1#1: *5 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 1.2.3.4, server: x\n");
  ASSERT_EQ(sh("tar -C " + (d / "staging").string() + " -czf " + (b / "logs.tgz").string() + " logs"), 0);
  ASSERT_EQ(sh("cd " + (d / "staging").string() + " && zip -q -r " + (b / "logs.zip").string() + " logs"), 0);
  fs::path db = d / "out.db";
  IngestSummary s = ingest(opts(b, db));
  EXPECT_EQ(s.exit_code, 0);
  // Same name and content = the same file collected twice: access.log (plain, tgz, zip) and
  // access.{gz,bz2,xz,zst} (name "access") are one file each; the error log is in both archives.
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE parser = 'nginx-access' AND status = 'ok'"), 2);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE status = 'duplicate'"), 6);
  EXPECT_EQ(text(db, "SELECT path FROM sources WHERE path LIKE 'logs.tgz!/%error.log'"), "logs.tgz!/logs/error.log");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events WHERE category = 'upstream-timeout'"), 1);
  EXPECT_FALSE(fs::exists(d / "staging2"));  // nothing extracted anywhere
}

TEST(Ingest, BadInputIsWarnedAboutAndEverythingElseIngested) {
  TempDir d;
  fs::path b = d / "bundle";
  write(b / "good/access.log", kAccess);
  std::string bin(4096, '\0');
  for (size_t i = 0; i < bin.size(); i += 7) bin[i] = char(i);
  write(b / "binary.dat", bin);
  // a truncated .gz (varied lines, so that the cut falls inside the deflate stream)
  std::string big;
  for (int i = 0; i < 20000; ++i)
    big += "10.0." + std::to_string(i % 250) + "." + std::to_string(i * 7919 % 251) + " - - [23/Nov/2026:20:19:01 +0000] \"GET /" +
           std::to_string(i * 2654435761u) + " HTTP/1.1\" 200 " + std::to_string(i * 31 % 99991) + " \"-\" \"curl/7.88.1\"\n";
  write(d / "big.log", big);
  ASSERT_EQ(sh("gzip -c " + (d / "big.log").string() + " | head -c 60000 > " + (b / "truncated.log.gz").string()), 0);
  write(b / "empty.log", "");
  // a 50 MB single line
  write(b / "oneline.log", std::string(50u << 20, 'a') + "\n" + kAccess);
  // a tar whose member names climb out of the archive
  ASSERT_EQ(sh("cd " + d.path.string() + " && python3 -c \"import tarfile,io\n"
               "t=tarfile.open('" + (b / "evil.tar").string() + "','w')\n"
               "data=open('big.log','rb').read()[:500]\n"
               "i=tarfile.TarInfo('../../escape.log'); i.size=len(data); t.addfile(i, io.BytesIO(data)); t.close()\""),
            0);
  // a file that is gone when it is read: a dangling link
  fs::create_symlink(d / "vanished.log", b / "vanished.log");
  fs::path db = d / "out.db";
  IngestSummary s = ingest(opts(b, db));
  EXPECT_EQ(s.exit_code, 2);
  auto warned = [&](const std::string& needle) {
    for (auto& w : s.warnings)
      if (w.find(needle) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(warned("binary.dat: binary content"));
  EXPECT_TRUE(warned("truncated.log.gz:"));
  EXPECT_TRUE(warned("empty.log: empty file"));
  EXPECT_TRUE(warned("oneline.log:1: 1 line(s) longer than 1 MiB"));
  EXPECT_TRUE(warned("escape.log' points outside the archive"));
  EXPECT_TRUE(warned("vanished.log"));
  EXPECT_FALSE(fs::exists(d / "escape.log"));
  EXPECT_FALSE(fs::exists(d.path.parent_path() / "escape.log"));
  // everything else is in
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE path = 'good/access.log' AND events = 1"), 1);
  EXPECT_EQ(text(db, "SELECT status FROM sources WHERE path = 'truncated.log.gz'"), "partial");
  EXPECT_GT(scalar(db, "SELECT events FROM sources WHERE path = 'truncated.log.gz'"), 10);
  EXPECT_EQ(scalar(db, "SELECT lines FROM sources WHERE path = 'oneline.log'"), 2);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE path = 'binary.dat'"), 1);
  EXPECT_EQ(text(db, "SELECT value FROM meta WHERE key = 'state'"), "complete");
}

TEST(Ingest, UnrecognisedFilesAreKeptWithTheirLineCount) {
  TempDir d;
  write(d / "b/notes.txt", "hello\nworld\n");
  write(d / "b/README.md", "# incident\nclient saw: Connection reset by peer\n");
  fs::path db = d / "o.db";
  IngestSummary s = ingest(opts(d / "b", db));
  EXPECT_EQ(s.unrecognised.size(), 1u);
  EXPECT_EQ(text(db, "SELECT status || ':' || lines FROM sources WHERE path = 'notes.txt'"), "unrecognised:2");
  // An operator's note quotes error lines: listed as skipped, never parsed as a log.
  EXPECT_EQ(text(db, "SELECT status || ':' || lines FROM sources WHERE path = 'README.md'"), "skipped:2");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events"), 0);
}

// Expected-output files beside corpus logs are pretty-printed JSON that quotes log lines; the
// firewall parsers used to claim them (fake events, hundreds of unparsed rows).
TEST(Ingest, PrettyJsonDocumentsAreNotReadByLineParsers) {
  const char* docs[] = {
      "iptables/beats_iptables_geo.log-expected.json",
      "iptables/beats_iptables_icmp.log-expected.json",
      "iptables/crowdsec_iptables-logs.log-expected.json",
      "iptables/crowdsec_proxmox-iptables-logs.log-expected.json",
      "aws_vpcflow/beats_aws_vpcflow_accept-reject-traffic.log-expected.json",
      "panos/crowdsec_palo-alto-threat.log-expected.json",
  };
  for (const char* rel : docs) {
    std::string body = rstscope::testing::read_file(rstscope::testing::corpus(rel));
    std::vector<std::string_view> lines;
    for (size_t pos = 0; pos < body.size() && lines.size() < kSniffLines;) {
      size_t nl = body.find('\n', pos);
      if (nl == std::string::npos) nl = body.size();
      std::string_view l(body.data() + pos, nl - pos);
      if (!trim(l).empty()) lines.push_back(l);
      pos = nl + 1;
    }
    EXPECT_TRUE(looks_like_json_document(lines)) << rel;
    auto cands = sniff_lines(rel, lines);
    for (const auto& c : cands) EXPECT_TRUE(c.parser->whole_file()) << rel << " claimed by " << c.parser->name();
  }
  // JSON lines and bracketed log times are not documents.
  std::vector<std::string_view> jl = {R"({"a":1,"msg":"x"})", R"({"a":2,"msg":"y"})"};
  std::vector<std::string_view> dmesg = {"[  307.757925] OUTPUT-ALLOW IN= OUT=eth0 SRC=10.0.0.5", "[  308.1] x"};
  std::vector<std::string_view> npm = {"[24/Jan/2022:16:51:02 +0000] - 404 404 - GET http x \"/\"", "[24/Jan/2022] y"};
  std::vector<std::string_view> doc = {"[", "  {", "    \"source.ip\": \"10.0.0.1\""};
  EXPECT_FALSE(looks_like_json_document(jl));
  EXPECT_FALSE(looks_like_json_document(dmesg));
  EXPECT_FALSE(looks_like_json_document(npm));
  EXPECT_TRUE(looks_like_json_document(doc));

  // Whole family folders: the data files keep their parser, the expected files are unrecognised
  // (or read by a whole-file JSON parser) and no source has unparsed rows from a JSON document.
  TempDir d;
  fs::path db = d / "o.db";
  IngestOptions o = opts(rstscope::testing::corpus("iptables"), db);
  o.bundles.push_back(rstscope::testing::corpus("aws_vpcflow"));
  o.bundles.push_back(rstscope::testing::corpus("panos"));
  ingest(o);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE path LIKE '%expected.json'"), 6);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE path LIKE '%expected.json' AND "
                       "(status != 'unrecognised' OR events > 0 OR unparsed > 0)"),
            0)
      << text(db, "SELECT group_concat(path || ' ' || coalesce(parser, '-') || ' ' || status, '; ') FROM sources "
                  "WHERE path LIKE '%expected.json' AND status != 'unrecognised'");
  // (beats_aws_vpcflow_bad.log is one line of garbage: unrecognised on purpose)
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE path NOT LIKE '%expected.json' AND "
                       "path NOT LIKE '%vpcflow_bad.log' AND coalesce(parser, '') = ''"),
            0);
}

TEST(Ingest, TheOutputDbInsideTheBundleIsNeverIngested) {
  TempDir d;
  write(d / "access.log", kAccess);
  fs::path db = d / "incident.db";
  ingest(opts(d.path, db));
  fs::path db2 = d / "again.db";
  write(d / "again.db.fts.partial", "left behind by a killed ingest\n");
  IngestOptions o = opts(d.path, db2);
  IngestSummary s = ingest(o);
  EXPECT_FALSE(fs::exists(d / "again.db.fts.partial"));
  // incident.db is a finished SQLite file in the bundle: ingested as a (binary) source, but the
  // output being written (again.db / again.db.partial) is not.
  EXPECT_EQ(scalar(db2, "SELECT count(*) FROM sources WHERE path LIKE 'again.db%'"), 0);
}

TEST(Ingest, AppendAddsNewFilesAndSkipsKnownOnes) {
  TempDir d;
  write(d / "one/access.log", kAccess);
  write(d / "two/access.log", std::string(kAccess) + kAccess);
  fs::path db = d / "o.db";
  ingest(opts(d / "one", db));
  IngestOptions o = opts(d / "one", db);
  o.append = true;
  o.bundles.push_back((d / "two").string());
  ingest(o);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events"), 3);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE status = 'duplicate'"), 1);
  EXPECT_THROW(ingest(opts(d / "one", db)), std::runtime_error);  // exists, no --append
}

TEST(Ingest, ClientPortIndexExistsAfterALoadOfManyPorts) {
  // Past 100,000 rows with a client port the writer builds idx_events_client_port after the load
  // instead of row by row (docs/performance.md); the published DB must have it either way.
  TempDir d;
  std::string lines;
  for (int i = 0; i < 120000; ++i)
    lines += "10.0.0." + std::to_string(i % 250) + ":" + std::to_string(1024 + (i * 7919) % 60000) +
             " [23/Nov/2026:20:19:00.0" + std::to_string(10 + i % 90) +
             "] fe be/s1 0/0/0/1/1 200 10 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"\n";
  write(d / "haproxy.log", lines);
  fs::path db = d / "o.db";
  ingest(opts(d.path, db));
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events WHERE client_port IS NOT NULL"), 120000);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'idx_events_client_port'"), 1);
  // INDEXED BY fails (-1 here) when the index is missing or cannot answer; the count must match a scan.
  int64_t by_index = scalar(db, "SELECT count(*) FROM events INDEXED BY idx_events_client_port WHERE client_port = 8943");
  EXPECT_GT(by_index, 0);
  EXPECT_EQ(by_index, scalar(db, "SELECT count(*) FROM events NOT INDEXED WHERE client_port = 8943"));
  EXPECT_EQ(text(db, "SELECT value FROM meta WHERE key = 'state'"), "complete");
}

int exec_rw(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr);
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(h);
  return rc;
}

// The full-text index of a new timeline is built in its own file on its own thread and copied in
// by finish() (--append indexes in place): either way it must be a valid FTS5 index holding exactly
// the selected rows, with duplicates' rows removed and no build file left behind.
TEST(Ingest, FullTextIndexHoldsExactlyTheSelectedRows) {
  TempDir d;
  std::string access, error;
  for (int i = 0; i < 3000; ++i) {
    access += "10.0.0." + std::to_string(i % 200) + " - - [23/Nov/2026:20:19:" + std::to_string(10 + i % 40) +
              " +0000] \"GET /p" + std::to_string(i) + " HTTP/1.1\" " + (i % 10 == 0 ? "502" : "200") +
              " 3 \"-\" \"curl/7.88.1\"\n";
    if (i % 3 == 0)
      error += "2026/11/23 20:19:" + std::to_string(10 + i % 40) + " [error] 7#7: *" + std::to_string(i) +
               " recv() failed (104: Connection reset by peer) while reading response header from upstream, "
               "client: 10.0.0.1, server: x, request: \"GET /p" + std::to_string(i) + " HTTP/1.1\"\n";
  }
  write(d / "b/access.log", access);
  write(d / "b/x/error.log", error);
  write(d / "b/y/error.log", error);  // the same file collected twice: a duplicate
  fs::path db = d / "o.db";
  ingest(opts(d / "b", db));
  EXPECT_FALSE(fs::exists(db.string() + ".fts.partial"));
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources WHERE status = 'duplicate'"), 1);
  auto check = [&](int64_t resets, int64_t bad_gateways) {
    EXPECT_EQ(exec_rw(db, "INSERT INTO events_fts(events_fts) VALUES('integrity-check')"), SQLITE_OK);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM events_fts WHERE events_fts MATCH '\"connection reset by peer\"'"), resets);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM events e JOIN events_fts f ON f.rowid = e.id "
                         "WHERE events_fts MATCH '502' AND e.status = 502"), bad_gateways);
    // Plain requests are not indexed; everything else is, once.
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM events_fts_docsize"),
              scalar(db, "SELECT count(*) FROM events WHERE category NOT IN ('request', 'client-request')"));
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'curl'"), bad_gateways);
  };
  check(1000, 300);
  // The build's own FTS5 settings (hashsize, automerge) stay in the build file: the timeline's index
  // keeps FTS5's defaults for --append and for users who write to it.
  EXPECT_EQ(text(db, "SELECT group_concat(k) FROM events_fts_config"), "version");
  // --append indexes in place, on top of the copied-in index.
  write(d / "c/error.log", error.substr(0, error.find('\n') + 1));
  IngestOptions o = opts(d / "c", db);
  o.append = true;
  ingest(o);
  check(1001, 300);
  // --fts-all indexes every row.
  fs::path all = d / "all.db";
  IngestOptions a = opts(d / "b", all);
  a.fts_all = true;
  ingest(a);
  EXPECT_EQ(scalar(all, "SELECT count(*) FROM events_fts_docsize"), scalar(all, "SELECT count(*) FROM events"));
  EXPECT_EQ(scalar(all, "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'curl'"), 3000);
  EXPECT_EQ(exec_rw(all, "INSERT INTO events_fts(events_fts) VALUES('integrity-check')"), SQLITE_OK);
}

TEST(Ingest, ServerPortIndexExistsAfterALoadOfInterleavedPorts) {
  // Client-log rows whose target ports interleave: the writer builds idx_events_server_port (and
  // idx_events_client_port) after the load; both must exist and answer like a scan.
  TempDir d;
  std::string lines;
  for (int i = 0; i < 120000; ++i) {
    int ms = i % 1000, s = (i / 1000) % 60, m = (i / 60000) % 60;
    char t[64];
    std::snprintf(t, sizeof t, "2026-11-23 20:%02d:%02d,%03d", m, s, ms);
    lines += std::string(t) + " INFO [http-client-1] com.example.ApiClient - GET https://api.example.com:" +
             (i % 3 == 0 ? "8443" : i % 3 == 1 ? "443" : "9443") + "/v1/items -> 200 in 5 ms local=" +
             std::to_string(1024 + (i * 7919) % 60000) + "\n";
  }
  write(d / "client.log", lines);
  fs::path db = d / "o.db";
  ingest(opts(d.path, db));
  ASSERT_EQ(scalar(db, "SELECT count(*) FROM events WHERE server_port = 9443"), 40000);
  for (std::string ix : {"idx_events_server_port", "idx_events_client_port"})
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = '" + ix + "'"), 1) << ix;
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events INDEXED BY idx_events_server_port WHERE server_port = 8443"), 40000);
  int64_t by_index = scalar(db, "SELECT count(*) FROM events INDEXED BY idx_events_client_port WHERE client_port = 8943");
  EXPECT_GT(by_index, 0);
  EXPECT_EQ(by_index, scalar(db, "SELECT count(*) FROM events NOT INDEXED WHERE client_port = 8943"));
  EXPECT_EQ(exec_rw(db, "PRAGMA integrity_check"), SQLITE_OK);
  EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
}

// Writes `n` proxy events whose client ports are scrambled (as on a busy listener) through the
// timeline writer as one source, then `copies - 1` more sources with the same events that finish()
// must remove as duplicates (what ingest does with a file seen twice). Returns the writer's stderr.
std::string write_port_events(const timeline::WriterOptions& o, int n, int copies) {
  ::testing::internal::CaptureStderr();
  timeline::Writer w(o);
  timeline::Batch* b = w.acquire();
  for (int c = 0; c < copies; ++c) {
    const int64_t sid = w.next_source_id();
    timeline::SourceRow start;
    start.id = sid;
    start.path = "haproxy" + std::to_string(c) + ".log";
    b->sources.push_back(start);
    for (int i = 0; i < n; ++i) {
      if (b->full()) {
        w.submit(b);
        b = w.acquire();
      }
      Event& e = b->next_event();
      e.source_id = sid;
      e.line = i + 1;
      e.ts = 1795465140000000 + int64_t(i) * 1000;
      e.role = Role::proxy;
      e.category = i % 10 ? "request" : "client-closed";
      e.client_ip = "10.0.0.1";
      if (i % 50) e.client_port = 1024 + (int64_t(i) * 7919) % 64000;  // every 50th row has none
      e.raw = "line " + std::to_string(i);
    }
    timeline::SourceRow done = start;
    done.final = true;
    done.lines = done.events = n;
    done.status = c == 0 ? "ok" : "duplicate";
    b->sources.push_back(done);
  }
  w.submit(b);
  w.finish();
  return ::testing::internal::GetCapturedStderr();
}

// What a client-port lookup answers through idx_events_client_port must be what a scan answers.
void expect_client_port_index_agrees(const fs::path& db, int n) {
  const int64_t with_port = n - (n + 49) / 50;
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events"), n);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events INDEXED BY idx_events_client_port WHERE client_port IS NOT NULL"), with_port);
  for (int port : {1024, 8943, 40000, 65023}) {
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM events INDEXED BY idx_events_client_port WHERE client_port = " + std::to_string(port)),
              scalar(db, "SELECT count(*) FROM events NOT INDEXED WHERE client_port = " + std::to_string(port)))
        << port;
    EXPECT_EQ(text(db, "SELECT group_concat(id) FROM (SELECT id FROM events INDEXED BY idx_events_client_port WHERE client_port "
                       "BETWEEN " + std::to_string(port) + " AND " + std::to_string(port + 50) + " ORDER BY id)"),
              text(db, "SELECT group_concat(id) FROM (SELECT id FROM events NOT INDEXED WHERE client_port BETWEEN " +
                       std::to_string(port) + " AND " + std::to_string(port + 50) + " ORDER BY id)"))
        << port;
  }
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'idx_%' AND name NOT LIKE 'sqlite_%' AND type = 'index'"), 0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'rst_%'"), 0);
  EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
}

TEST(Timeline, ClientPortIndexWrittenFromSortedKeysIsTheOneCreateIndexBuilds) {
  // 110,000 rows with random client ports: the writer drops idx_events_client_port during the load
  // and writes it from the sorted keys it collected (not CREATE INDEX); the duplicate source's rows
  // are then removed through it. Its schema row must be the one CREATE INDEX makes.
  TempDir d;
  write(d / "small/access.log", kAccess);
  ingest(opts(d / "small", d / "small.db"));  // idx_events_client_port made by CREATE INDEX (empty table)
  fs::path db = d / "o.db";
  const int n = 110000;
  std::string err = write_port_events({db.string(), false, false, true}, n, 2);
  EXPECT_NE(err.find("idx_events_client_port written from sorted keys"), std::string::npos) << err;
  EXPECT_EQ(err.find("idx_events_client_port built after the load"), std::string::npos) << err;
  const std::string schema = "SELECT type || '|' || tbl_name || '|' || sql FROM sqlite_schema WHERE name = 'idx_events_client_port'";
  EXPECT_EQ(text(db, schema), text(d / "small.db", schema));
  EXPECT_EQ(text(db, schema), "index|events|CREATE INDEX idx_events_client_port ON events(client_port) WHERE client_port IS NOT NULL");
  EXPECT_EQ(text(db, "EXPLAIN QUERY PLAN SELECT * FROM events WHERE client_port = 8943"),
            text(d / "small.db", "EXPLAIN QUERY PLAN SELECT * FROM events WHERE client_port = 8943"));
  expect_client_port_index_agrees(db, n);
}

TEST(Timeline, ClientPortIndexPastTheKeyLimitIsBuiltByCreateIndex) {
  TempDir d;
  fs::path db = d / "o.db";
  const int n = 110000;
  timeline::WriterOptions o{db.string(), false, false, true};
  o.port_keys_limit = 5000;
  std::string err = write_port_events(o, n, 2);
  EXPECT_NE(err.find("idx_events_client_port built after the load"), std::string::npos) << err;
  EXPECT_EQ(err.find("written from sorted keys"), std::string::npos) << err;
  expect_client_port_index_agrees(db, n);
}

TEST(Ingest, UnknownZoneOrParserIsFatalBeforeAnyDbIsWritten) {
  TempDir d;
  write(d / "access.log", kAccess);
  IngestOptions o = opts(d.path, d / "o.db");
  o.tz = "Nowhere/Land";
  EXPECT_THROW(ingest(o), std::runtime_error);
  o.tz = "";
  o.overrides = {{"access.log", "no-such-parser"}};
  EXPECT_THROW(ingest(o), std::runtime_error);
  EXPECT_FALSE(fs::exists(d / "o.db"));
}

TEST(Ingest, FormatOverrideWins) {
  TempDir d;
  write(d / "weird.txt", "2026/11/23 20:19:05 [error] 1#1: *5 upstream prematurely closed connection, client: 1.2.3.4, server: x\n");
  IngestOptions o = opts(d.path, d / "o.db");
  o.overrides = {{"*.txt", "nginx-error"}};
  ingest(o);
  EXPECT_EQ(text(d / "o.db", "SELECT parser || ':' || score FROM sources"), "nginx-error:100");
}

TEST(Ingest, CustomLogFormatFromTheBundlesNginxConf) {
  TempDir d;
  write(d / "nginx/nginx.conf",
        "http {\n log_format timed '$remote_addr:$remote_port [$time_local] \"$request\" $status $body_bytes_sent '\n"
        "   'rt=$request_time conn=$connection';\n access_log /var/log/nginx/access.log timed;\n}\n");
  write(d / "nginx/access.log", "10.0.0.1:51234 [23/Nov/2026:20:19:01 +0100] \"GET /x HTTP/1.1\" 502 0 rt=0.250 conn=17\n");
  ingest(opts(d.path, d / "o.db"));
  EXPECT_EQ(text(d / "o.db",
                 "SELECT client_port || ' ' || status || ' ' || category || ' ' || duration_ms || ' ' || conn_id || ' ' || "
                 "strftime('%H:%M:%S', ts / 1000000, 'unixepoch') FROM events WHERE role = 'proxy'"),
            "51234 502 upstream-error 250.0 17 19:19:01");
}

TEST(Ingest, KillDuringIngestNeverLeavesADbThatLooksComplete) {
  TempDir d;
  std::string big;
  for (int i = 0; i < 200000; ++i) big += kAccess;
  write(d / "b/access.log", big);
  fs::path db = d / "o.db";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(RSTSCOPE_BINARY, RSTSCOPE_BINARY, "-q", "ingest", (d / "b").c_str(), "-o", db.c_str(), (char*)nullptr);
    _exit(127);
  }
  // Wait until the partial file exists (bounded), then kill -9.
  for (int i = 0; i < 400 && !fs::exists(db.string() + ".partial"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) GTEST_SKIP() << "ingest finished before it could be killed";
  EXPECT_FALSE(fs::exists(db)) << "a killed ingest must not publish " << db;
  // The next run starts over cleanly.
  IngestSummary s = ingest(opts(d / "b", db));
  EXPECT_EQ(s.exit_code, 0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events"), 200000);
}

// Runs `rstscope -q ingest ARGS...` with writes limited to `max_bytes` per file (RLIMIT_FSIZE, the
// disk as full as it gets for this process; SIGXFSZ ignored so that write() fails with EFBIG).
// Returns the exit status; stderr goes to err_path.
int ingest_with_full_disk(std::vector<std::string> args, rlim_t max_bytes, const fs::path& err_path) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit r{max_bytes, max_bytes};
    setrlimit(RLIMIT_FSIZE, &r);
    int fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) dup2(fd, 2);
    std::vector<char*> argv{const_cast<char*>(RSTSCOPE_BINARY), const_cast<char*>("-q"), const_cast<char*>("ingest")};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(RSTSCOPE_BINARY, argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Ingest, AFullDiskNeverLeavesADbThatLooksComplete) {
  TempDir d;
  std::string big;
  for (int i = 0; i < 60000; ++i)
    big += "10.0.0." + std::to_string(i % 250) + " - - [23/Nov/2026:20:19:" + std::to_string(10 + i % 40) +
           " +0000] \"GET /p" + std::to_string(i) + " HTTP/1.1\" " + (i % 10 ? "200" : "502") + " 3 \"-\" \"curl/8\"\n";
  write(d / "b/access.log", big);
  write(d / "small/access.log", kAccess);
  // A new DB: the load fails part-way; nothing is published and nothing is left behind.
  fs::path db = d / "o.db";
  int rc = ingest_with_full_disk({(d / "b").string(), "-o", db.string()}, 1 << 20, d / "err1.txt");
  EXPECT_EQ(rc, 3) << slurp(d / "err1.txt");
  EXPECT_NE(slurp(d / "err1.txt").find("o.db"), std::string::npos) << slurp(d / "err1.txt");
  EXPECT_FALSE(fs::exists(db));
  EXPECT_FALSE(fs::exists(db.string() + ".partial"));
  EXPECT_FALSE(fs::exists(db.string() + ".fts.partial"));
  // --append to a complete DB: the failed append leaves the DB as it was, complete.
  ingest(opts(d / "small", db));
  ASSERT_EQ(scalar(db, "SELECT count(*) FROM events"), 1);
  rlim_t now = fs::file_size(db);
  rc = ingest_with_full_disk({(d / "b").string(), "-o", db.string(), "--append"}, now + (256 << 10), d / "err2.txt");
  EXPECT_EQ(rc, 3) << slurp(d / "err2.txt");
  EXPECT_EQ(text(db, "SELECT value FROM meta WHERE key = 'state'"), "complete");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events"), 1);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sources"), 1);
  EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
}

TEST(Ingest, KillDuringAppendLeavesThePreviousDbForTheReadOnlyCommands) {
  TempDir d;
  std::string big;
  for (int i = 0; i < 600000; ++i) big += kAccess;
  write(d / "big/access.log", big);
  write(d / "small/access.log", kAccess);
  fs::path db = d / "o.db";
  ingest(opts(d / "small", db));
  const uintmax_t size_before = fs::file_size(db);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(RSTSCOPE_BINARY, RSTSCOPE_BINARY, "-q", "ingest", (d / "big").c_str(), "-o", db.c_str(), "--append",
          (char*)nullptr);
    _exit(127);
  }
  // Wait (bounded) until the append has written its journal, then kill -9.
  fs::path journal = db.string() + "-journal";
  // (the DB file has grown: pages were written to it, so the journal is hot)
  for (int i = 0; i < 2000 && !(fs::exists(journal) && fs::file_size(db) > size_before); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_FALSE(WIFEXITED(status)) << "the append finished before it could be killed, exit " << WEXITSTATUS(status);
  ASSERT_TRUE(fs::exists(journal));
  // Hot: a plain read-only connection cannot read the DB now.
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events"), -1);
  // A read-only command first plays the journal back, then reads the previous, complete DB.
  std::string out = d.path / "q.txt";
  int rc = sh(std::string(RSTSCOPE_BINARY) + " query " + db.string() +
              " \"SELECT count(*) || ' ' || (SELECT value FROM meta WHERE key = 'state') FROM events\" --format csv > " + out +
              " 2>&1");
  EXPECT_EQ(rc, 0) << slurp(out);
  EXPECT_NE(slurp(out).find("1 complete"), std::string::npos) << slurp(out);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events"), 1);
  EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
}

TEST(Query, ConnectionIsReadOnly) {
  TempDir d;
  write(d / "access.log", kAccess);
  fs::path db = d / "o.db";
  ingest(opts(d.path, db));
  std::string cmd = std::string(RSTSCOPE_BINARY) + " query " + db.string() + " \"DELETE FROM events\" 2>/dev/null";
  EXPECT_NE(sh(cmd), 0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM events"), 1);
  EXPECT_EQ(sh(std::string(RSTSCOPE_BINARY) + " query " + db.string() + " \"SELECT * FROM failures\" --format json >/dev/null"), 0);
}

TEST(Schema, DocumentedExampleQueriesRun) {
  // Every ```sql block of docs/schema.md runs against a real timeline.
  TempDir d;
  write(d / "nginx/access.log", kAccess);
  write(d / "nginx/error.log", "2026/11/23 20:19:05 [error] 1#1: *5 upstream prematurely closed connection while reading response header from upstream, client: 1.2.3.4, server: x\n");
  fs::path db = d / "o.db";
  ingest(opts(d.path, db));
  std::string doc = rstscope::testing::read_file(std::string(RSTSCOPE_SOURCE_DIR) + "/docs/schema.md");
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  size_t pos = 0;
  int blocks = 0;
  while ((pos = doc.find("```sql\n", pos)) != std::string::npos) {
    size_t end = doc.find("```", pos + 7);
    std::string sql = doc.substr(pos + 7, end - pos - 7);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << sql << "\n" << (err ? err : "");
    sqlite3_free(err);
    ++blocks;
    pos = end + 3;
  }
  sqlite3_close(h);
  EXPECT_GE(blocks, 5);
}

TEST(Ingest, YearlessSyslogTakesItsYearFromTheBundleNotTheMtime) {
  TempDir d;
  // A kern.log copied today (mtime now) next to an app log of November 2024.
  write(d / "fw/kern.log",
        "Nov 24 10:17:46 fw1 kernel: [ 1693.853731] IPS-RESET: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=60 "
        "TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=5000 DPT=443 WINDOW=1 RES=0x00 SYN URGP=0\n");
  write(d / "app/app.log", "2024-11-24 10:17:46,100 ERROR app: GET http://10.0.0.2:443/x failed\n"
                           "ConnectionResetError: [Errno 104] Connection reset by peer\n");
  ingest(opts(d.path, d / "o.db"));
  EXPECT_EQ(text(d / "o.db",
                 "SELECT strftime('%Y-%m-%d %H:%M:%S', e.ts / 1e6, 'unixepoch') FROM events e JOIN sources s "
                 "ON s.id = e.source_id WHERE s.path = 'fw/kern.log'"),
            "2024-11-24 10:17:46");
  // A December line in a bundle whose latest date is November belongs to the year before.
  write(d / "fw/kern.log",
        "Dec 30 10:17:46 fw1 kernel: [ 1693.853731] IPS-RESET: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=60 "
        "TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=5000 DPT=443 WINDOW=1 RES=0x00 SYN URGP=0\n");
  fs::remove(d / "o.db");
  ingest(opts(d.path, d / "o.db"));
  EXPECT_EQ(text(d / "o.db",
                 "SELECT strftime('%Y-%m-%d', e.ts / 1e6, 'unixepoch') FROM events e JOIN sources s "
                 "ON s.id = e.source_id WHERE s.path = 'fw/kern.log'"),
            "2023-12-30");
}

TEST(Ingest, ZonePerSourceBeatsTheGlobalZone) {
  TempDir d;
  write(d / "app/app.log", "2026-11-24 10:17:46,100 ERROR app: GET http://10.0.0.2:443/x failed\n"
                           "ConnectionResetError: [Errno 104] Connection reset by peer\n");
  write(d / "other/app.log", "2026-11-24 10:17:46,100 ERROR app: GET http://10.0.0.2:443/y failed\n"
                             "ConnectionResetError: [Errno 104] Connection reset by peer\n");
  IngestOptions o = opts(d.path, d / "o.db");
  apply_tz_args({"+02:00", "app/*.log=Europe/Berlin"}, o);
  EXPECT_EQ(o.tz, "+02:00");
  ingest(o);
  auto at = [&](const std::string& path) {
    return text(d / "o.db", "SELECT strftime('%H:%M:%S', e.ts / 1e6, 'unixepoch') || ' ' || s.zone FROM events e "
                            "JOIN sources s ON s.id = e.source_id WHERE s.path = '" + path + "'");
  };
  EXPECT_EQ(at("app/app.log"), "09:17:46 assumed:Europe/Berlin");
  EXPECT_EQ(at("other/app.log"), "08:17:46 assumed:+02:00");
  IngestOptions bad = opts(d.path, d / "p.db");
  EXPECT_THROW(apply_tz_args({"UTC", "Europe/Berlin"}, bad), std::runtime_error);
  apply_tz_args({"x.log=Nowhere/Land"}, bad);
  EXPECT_THROW(ingest(bad), std::runtime_error);
  EXPECT_FALSE(fs::exists(d / "p.db"));
}

TEST(Ingest, ADanglingLinkIsAnUnreadableSource) {
  TempDir d;
  write(d / "b/access.log", kAccess);
  fs::create_symlink(d / "gone.log", d / "b/gone.log");
  IngestSummary s = ingest(opts(d / "b", d / "o.db"));
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_EQ(text(d / "o.db", "SELECT status || ' ' || errors FROM sources WHERE path = 'gone.log'"),
            "unreadable gone.log: cannot open: No such file or directory");
}

TEST(Ingest, SameNamedFilesFromTwoRootsKeepDistinctPaths) {
  TempDir d;
  write(d / "a/nginx/access.log", kAccess);
  write(d / "b/nginx/access.log",
        "127.0.0.1 - - [23/Nov/2026:20:19:02 +0000] \"GET /b HTTP/1.1\" 200 3 \"-\" \"curl/7.88.1\"\n");
  write(d / "b/nginx/error.log", "2026/11/23 20:19:05 [error] 1#1: *5 upstream prematurely closed connection\n");
  IngestOptions o = opts(d / "a/nginx", d / "o.db");
  o.bundles.push_back((d / "b/nginx").string());
  ingest(o);
  EXPECT_EQ(text(d / "o.db", "SELECT group_concat(path, ' ') FROM (SELECT path FROM sources ORDER BY path)"),
            "a/nginx/access.log b/nginx/access.log error.log");  // a unique name stays as it was
  // Single files with the same name, too.
  IngestOptions f = opts(d / "a/nginx/access.log", d / "f.db");
  f.bundles.push_back((d / "b/nginx/access.log").string());
  ingest(f);
  EXPECT_EQ(text(d / "f.db", "SELECT group_concat(path, ' ') FROM (SELECT path FROM sources ORDER BY path)"),
            "a/nginx/access.log b/nginx/access.log");
}
