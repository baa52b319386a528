// Config files as a bundle sees them: a file another config includes is read once, through the
// include, and its settings name the included file and its own lines (ingest -> settings table).
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "config/bundle_files.h"
#include "config/defaults.h"
#include "config_test_util.h"
#include "correlate/correlate.h"
#include "ingest/bundle_info.h"
#include "ingest/ingest.h"

namespace fs = std::filesystem;
using namespace rstscope;
using namespace rstscope::testing;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/rstscope-cfgbundle-XXXXXX";
    char* d = mkdtemp(tmpl);
    if (!d) throw std::runtime_error("mkdtemp failed");
    path = d;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string ingest_quiet(const std::vector<std::string>& bundles, const fs::path& db) {
  IngestOptions opt;
  opt.bundles = bundles;
  opt.db = db.string();
  opt.quiet = true;
  opt.progress = false;
  ingest(opt);
  return opt.db;
}

struct Row {
  std::string path;
  int64_t line;
  int64_t value;
  std::string status;
};

// Settings rows of one listener and key, with the path of their source.
std::vector<Row> rows(SQLite::Database& db, const std::string& listener, const std::string& key) {
  SQLite::Statement q(db,
                      "SELECT coalesce(s.path, ''), coalesce(t.line, 0), coalesce(t.value, -1), t.status "
                      "FROM settings t LEFT JOIN sources s ON s.id = t.source_id "
                      "WHERE t.listener = ? AND t.key = ? ORDER BY t.id");
  q.bind(1, listener);
  q.bind(2, key);
  std::vector<Row> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                   q.getColumn(3).getString()});
  return out;
}

}  // namespace

// The fixture: nginx/nginx.conf includes /etc/nginx/conf.d/*.conf inside http {}, and
// nginx/conf.d/admin.conf holds the admin.example.com server (*:8443).
TEST(ConfigBundle, IncludedNginxFileIsReadOnceThroughItsInclude) {
  TempDir t;
  std::string db = ingest_quiet({fixture_path("config")}, t.path / "t.db");
  SQLite::Database d(db, SQLite::OPEN_READONLY);

  // One keepalive_timeout for the included server: http's 65s from nginx.conf:16, no assumed 75s.
  auto ka = rows(d, "*:8443", "keepalive_timeout");
  ASSERT_EQ(ka.size(), 1u);
  EXPECT_EQ(ka[0].value, 65000);
  EXPECT_EQ(ka[0].status, "read");
  EXPECT_EQ(ka[0].path, "nginx/nginx.conf");
  EXPECT_EQ(ka[0].line, 16);
  auto body = rows(d, "*:8443", "client_max_body_size");
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0].value, 10 * 1024 * 1024);
  auto tls = rows(d, "*:8443", "ssl_protocols");
  ASSERT_EQ(tls.size(), 1u);
  EXPECT_EQ(tls[0].status, "read");

  // Directives of the included file carry that file as source, with its own line.
  auto ch = rows(d, "*:8443", "client_header_timeout");
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].path, "nginx/conf.d/admin.conf");
  EXPECT_EQ(ch[0].line, 5);
  EXPECT_EQ(ch[0].value, 10000);
  auto st = rows(d, "*:8443", "send_timeout");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].path, "nginx/conf.d/admin.conf");
  EXPECT_EQ(st[0].line, 6);

  // No (listener, scope, key) appears twice anywhere.
  SQLite::Statement dup(d,
                        "SELECT count(*) FROM (SELECT 1 FROM settings WHERE component = 'nginx' "
                        "GROUP BY listener, scope, key HAVING count(*) > 1)");
  ASSERT_TRUE(dup.executeStep());
  EXPECT_EQ(dup.getColumn(0).getInt64(), 0);

  // The included file's source row says why it has no events of its own.
  SQLite::Statement src(d, "SELECT status, errors, parser FROM sources WHERE path = 'nginx/conf.d/admin.conf'");
  ASSERT_TRUE(src.executeStep());
  EXPECT_EQ(src.getColumn(0).getString(), "included");
  EXPECT_NE(src.getColumn(1).getString().find("included by nginx/nginx.conf:65"), std::string::npos)
      << src.getColumn(1).getString();
  EXPECT_EQ(src.getColumn(2).getString(), "config-nginx");
}

TEST(ConfigBundle, OverrideStillParsesAnIncludedFileAlone) {
  TempDir t;
  IngestOptions opt;
  opt.bundles = {fixture_path("config/nginx")};
  opt.db = (t.path / "t.db").string();
  opt.quiet = true;
  opt.progress = false;
  opt.overrides = {{"conf.d/admin.conf", "config-nginx"}};
  ingest(opt);
  SQLite::Database d(opt.db, SQLite::OPEN_READONLY);
  SQLite::Statement src(d, "SELECT status FROM sources WHERE path = 'conf.d/admin.conf'");
  ASSERT_TRUE(src.executeStep());
  EXPECT_EQ(src.getColumn(0).getString(), "ok");
}

TEST(ConfigBundle, IncludeGraphMarksNestedFilesAndBreaksCycles) {
  TempDir t;
  // main includes a.conf; a.conf includes b.conf; c.conf and d.conf include each other, and
  // nobody else includes them: the first in bundle order is read alone, the other through it.
  write(t.path / "nginx/nginx.conf", "http {\n  include /etc/nginx/conf.d/a.conf;\n}\n");
  write(t.path / "nginx/conf.d/a.conf", "server {\n  listen 81;\n  include /etc/nginx/conf.d/b.conf;\n}\n");
  write(t.path / "nginx/conf.d/b.conf", "server_name b;\nkeepalive_timeout 5s;\n");
  write(t.path / "nginx/conf.d/c.conf", "server {\n  listen 82;\n}\ninclude conf.d/d.conf;\n");
  write(t.path / "nginx/conf.d/d.conf", "server {\n  listen 83;\n}\ninclude conf.d/c.conf;\n");
  ExpandResult ex = expand_bundle({t.path.string()}, {});
  std::map<std::string, std::string> text;
  std::vector<std::string> paths;
  for (const Input& in : ex.inputs) {
    paths.push_back(in.display);
    text[in.display] = read_file(in.fs_path);
  }
  auto read = [&](const std::string& p) { return text.at(p); };
  auto inc = find_included_configs(ex.inputs, config::make_bundle_resolver(paths, read), read);
  EXPECT_EQ(inc["nginx/conf.d/a.conf"], "nginx/nginx.conf:2");
  EXPECT_EQ(inc["nginx/conf.d/b.conf"], "nginx/conf.d/a.conf:3");
  EXPECT_EQ(inc.count("nginx/conf.d/c.conf"), 0u);
  EXPECT_EQ(inc["nginx/conf.d/d.conf"], "nginx/conf.d/c.conf:4");
  EXPECT_EQ(inc.count("nginx/nginx.conf"), 0u);
}

TEST(ConfigBundle, ResolverPrefersTheIncludingFilesOwnTree) {
  std::vector<std::string> paths = {"edge/nginx/nginx.conf", "edge/nginx/conf.d/a.conf",
                                    "legacy/nginx/nginx.conf", "legacy/nginx/conf.d/b.conf"};
  auto r = config::make_bundle_resolver(paths, [](const std::string& p) { return "# " + p; });
  auto from_edge = r("/etc/nginx/conf.d/*.conf", "edge/nginx/nginx.conf");
  ASSERT_EQ(from_edge.size(), 1u);
  EXPECT_EQ(from_edge[0].path, "edge/nginx/conf.d/a.conf");
  // From the bundle root nothing is closer: every match.
  EXPECT_EQ(r("/etc/nginx/conf.d/*.conf", "nginx.conf").size(), 2u);
}

TEST(ConfigBundle, ComponentOfParserAndRuntime) {
  // Server-side parsers never map to a client component (go-tls is Go's TLS server log).
  EXPECT_EQ(config::component_of_parser("go-tls"), "");
  EXPECT_EQ(config::component_of_parser("client-app-log"), "");
  EXPECT_EQ(config::component_of_parser("client-json"), "");
  EXPECT_EQ(config::component_of_parser("client-stderr"), "");
  EXPECT_EQ(config::component_of_parser("client-curl"), "client-curl");
  EXPECT_EQ(config::component_of_parser("nginx-error"), "nginx");
  EXPECT_EQ(config::component_of_runtime("dotnet"), "client-dotnet");
  EXPECT_EQ(config::component_of_runtime("powershell"), "client-dotnet");
  EXPECT_EQ(config::component_of_runtime("java"), "client-java");
  EXPECT_EQ(config::component_of_runtime("okhttp"), "client-okhttp");
  EXPECT_EQ(config::component_of_runtime("go"), "client-go");
  EXPECT_EQ(config::component_of_runtime("node"), "client-node");
  EXPECT_EQ(config::component_of_runtime("python"), "client-python");
  EXPECT_EQ(config::component_of_runtime("ruby"), "");
  for (std::string_view rt : {"dotnet", "java", "okhttp", "go", "node", "python", "curl"})
    EXPECT_FALSE(config::documented_defaults(config::component_of_runtime(rt)).empty()) << rt;
}

// Client logs read by the any-runtime parsers (client-stderr here, real corpus captures) get the
// pool defaults of the runtime their failures name; a Go TLS server log gets no client default.
TEST(ConfigBundle, ClientRuntimeDefaultsAreAssumedFromTheFailures) {
  TempDir t;
  fs::create_directories(t.path / "bundle/client");
  fs::copy_file(corpus("client_java/local_direct_rst_after_request__java_httpclient.stderr.txt"),
                t.path / "bundle/client/java-client.stderr.txt");
  fs::copy_file(corpus("client_node/local_direct_rst_after_request__node_http.stderr.txt"),
                t.path / "bundle/client/node-client.stderr.txt");
  write(t.path / "bundle/server/go-api.log",
        "2024/01/02 03:04:05 http: TLS handshake error from 203.0.113.7:51234: EOF\n"
        "2024/01/02 03:04:06 http: TLS handshake error from 203.0.113.7:51236: read tcp "
        "10.0.0.5:443->203.0.113.7:51236: read: connection reset by peer\n");
  std::string db = ingest_quiet({(t.path / "bundle").string()}, t.path / "t.db");
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  SQLite::Statement parsers(d, "SELECT path, parser FROM sources ORDER BY path");
  std::map<std::string, std::string> parser_of;
  while (parsers.executeStep()) parser_of[parsers.getColumn(0).getString()] = parsers.getColumn(1).getString();
  ASSERT_EQ(parser_of["server/go-api.log"], "go-tls");
  ASSERT_EQ(parser_of["client/java-client.stderr.txt"], "client-stderr");

  auto assumed = [&](const std::string& component, const std::string& key) {
    SQLite::Statement q(d, "SELECT status, coalesce(value, -1), note, source_id IS NULL FROM settings "
                           "WHERE component = ? AND key = ?");
    q.bind(1, component);
    q.bind(2, key);
    std::vector<std::tuple<std::string, int64_t, std::string, bool>> out;
    while (q.executeStep())
      out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getString(),
                       q.getColumn(3).getInt() != 0);
    return out;
  };
  auto java = assumed("client-java", "jdk.httpclient.keepalive.timeout");
  ASSERT_EQ(java.size(), 1u);
  EXPECT_EQ(std::get<0>(java[0]), "assumed");
  EXPECT_EQ(std::get<1>(java[0]), 30000);
  EXPECT_TRUE(std::get<3>(java[0]));
  EXPECT_NE(std::get<2>(java[0]).find("inferred as Java"), std::string::npos) << std::get<2>(java[0]);
  EXPECT_NE(std::get<2>(java[0]).find("client/java-client.stderr.txt:"), std::string::npos) << std::get<2>(java[0]);
  auto node = assumed("client-node", "keepAlive timeout");
  ASSERT_EQ(node.size(), 1u);
  EXPECT_NE(std::get<2>(node[0]).find("inferred as Node.js"), std::string::npos) << std::get<2>(node[0]);
  // Nothing names Go on the client side: the Go TLS server log must not bring client-go.
  SQLite::Statement go(d, "SELECT count(*) FROM settings WHERE component = 'client-go'");
  ASSERT_TRUE(go.executeStep());
  EXPECT_EQ(go.getColumn(0).getInt64(), 0);
}

// nginx logs without the nginx config: the default error_log level (error) is assumed, and the
// correlation says it hides handshake failures even though the failure names its port.
TEST(ConfigBundle, AssumedNginxErrorLogLevelReachesTheCorrelation) {
  TempDir t;
  write(t.path / "b/nginx/error.log",
        "2026/11/24 10:20:00 [error] 1234#1234: *1 connect() failed (111: Connection refused) while connecting to "
        "upstream, client: 10.0.0.7, server: api.example.com, request: \"GET /x HTTP/1.1\", upstream: "
        "\"http://127.0.0.1:9000/x\", host: \"api.example.com\"\n");
  write(t.path / "b/client/app.log",
        "2026-11-24 10:24:05,200 ERROR sync.worker: request failed\n"
        "Traceback (most recent call last):\n"
        "  File \"/srv/app/sync.py\", line 10, in run\n"
        "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded "
        "with url: /v1/items (Caused by SSLError(SSLError(1, '[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert "
        "protocol version (_ssl.c:1006)')))\n");
  std::string db = ingest_quiet({(t.path / "b").string()}, t.path / "t.db");
  {
    SQLite::Database d(db, SQLite::OPEN_READONLY);
    SQLite::Statement q(d, "SELECT text, status, coalesce(listener, '') FROM settings "
                           "WHERE component = 'nginx' AND key = 'error_log_level'");
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(q.getColumn(0).getString(), "error");
    EXPECT_EQ(q.getColumn(1).getString(), "assumed");
    EXPECT_EQ(q.getColumn(2).getString(), "");
  }
  correlate::CorrelateOptions o;
  o.rule_dirs = {std::string(RSTSCOPE_SOURCE_DIR) + "/rules"};
  o.quiet = true;
  correlate::correlate_db(db, o);
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  SQLite::Statement q(d, "SELECT target, rule, explanation FROM incidents");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "api.example.com:443");
  EXPECT_EQ(q.getColumn(1).getString(), "tls-mismatch.client-only");
  EXPECT_NE(q.getColumn(2).getString().find("nginx error_log level is 'error' (default, assumed)"), std::string::npos)
      << q.getColumn(2).getString();
}

// Apache: the same for `Include` (the included file's settings under its own source).
TEST(ConfigBundle, IncludedApacheFileIsReadOnceThroughItsInclude) {
  TempDir t;
  write(t.path / "b/apache2/apache2.conf",
        "ServerRoot \"/etc/apache2\"\nTimeout 300\nKeepAlive On\nKeepAliveTimeout 5\nListen 80\n"
        "IncludeOptional sites-enabled/*.conf\n");
  write(t.path / "b/apache2/sites-enabled/shop.conf",
        "<VirtualHost *:8080>\n  ServerName shop.example.com\n  KeepAliveTimeout 15\n</VirtualHost>\n");
  std::string db = ingest_quiet({(t.path / "b").string()}, t.path / "t.db");
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  auto ka = rows(d, "*:8080", "KeepAliveTimeout");
  ASSERT_EQ(ka.size(), 1u);
  EXPECT_EQ(ka[0].value, 15000);
  EXPECT_EQ(ka[0].path, "apache2/sites-enabled/shop.conf");
  EXPECT_EQ(ka[0].line, 3);
  auto to = rows(d, "*:8080", "Timeout");
  ASSERT_EQ(to.size(), 1u);
  EXPECT_EQ(to[0].path, "apache2/apache2.conf");
  EXPECT_EQ(to[0].line, 2);
  SQLite::Statement src(d, "SELECT status, errors FROM sources WHERE path = 'apache2/sites-enabled/shop.conf'");
  ASSERT_TRUE(src.executeStep());
  EXPECT_EQ(src.getColumn(0).getString(), "included");
  EXPECT_NE(src.getColumn(1).getString().find("included by apache2/apache2.conf:6"), std::string::npos);
}

// The same inside an archive (configs are read from the archive once, up front).
TEST(ConfigBundle, IncludesInsideAnArchive) {
  TempDir t;
  fs::create_directories(t.path / "src/nginx/conf.d");
  fs::copy_file(fixture_path("config/nginx/nginx.conf"), t.path / "src/nginx/nginx.conf");
  fs::copy_file(fixture_path("config/nginx/conf.d/admin.conf"), t.path / "src/nginx/conf.d/admin.conf");
  std::string tgz = (t.path / "bundle.tgz").string();
  ASSERT_EQ(std::system(("tar czf " + tgz + " -C " + (t.path / "src").string() + " nginx").c_str()), 0);
  auto texts = archive_config_texts(expand_bundle({tgz}, {}).inputs);
  EXPECT_EQ(texts.size(), 2u);
  std::string db = ingest_quiet({tgz}, t.path / "t.db");
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  auto ch = rows(d, "*:8443", "client_header_timeout");
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].path, "bundle.tgz!/nginx/conf.d/admin.conf");
  EXPECT_EQ(ch[0].line, 5);
  EXPECT_EQ(rows(d, "*:8443", "keepalive_timeout").size(), 1u);
  SQLite::Statement src(d, "SELECT status FROM sources WHERE path = 'bundle.tgz!/nginx/conf.d/admin.conf'");
  ASSERT_TRUE(src.executeStep());
  EXPECT_EQ(src.getColumn(0).getString(), "included");
}
