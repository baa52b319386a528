// config-client: requests/urllib3 pool settings (Python calls, .ini and .env keys).
#include <gtest/gtest.h>

#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::testing;

namespace {

const Setting& one(const ParsedText& r, std::string_view key) {
  auto v = find_settings(r, key);
  if (v.size() != 1u) {
    ADD_FAILURE() << key << ": " << v.size() << " settings";
    static const Setting none;
    return none;
  }
  return *v[0];
}

}  // namespace

TEST(ConfigClientPython, HttpAdapterAndPoolManagerCalls) {
  ParsedText r = parse_config("config-client", "config/client/python/http_client.py", "worker/http_client.py");
  for (auto& w : r.warnings) ADD_FAILURE() << w.first << ": " << w.second;

  const Setting& conns = one(r, "HTTPAdapter.pool_connections");
  EXPECT_EQ(conns.component, "client-python");
  EXPECT_EQ(conns.scope, "HTTPAdapter");
  EXPECT_EQ(conns.value, 4);
  EXPECT_EQ(conns.unit, "count");
  EXPECT_EQ(conns.line, 9);
  const Setting& maxsize = one(r, "HTTPAdapter.pool_maxsize");
  EXPECT_EQ(maxsize.value, 32);
  EXPECT_EQ(maxsize.line, 10);
  EXPECT_NE(maxsize.note.find("no idle timeout"), std::string::npos) << maxsize.note;

  // max_retries twice: a Retry object (its total) and a bare 0.
  auto retries = find_settings(r, "HTTPAdapter.max_retries");
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0]->value, 2);
  EXPECT_EQ(retries[0]->line, 11);
  EXPECT_NE(retries[0]->text.find("Retry(total=2"), std::string::npos);
  EXPECT_EQ(retries[1]->value, 0);
  EXPECT_EQ(retries[1]->line, 13);

  // urllib3.PoolManager over several lines.
  EXPECT_EQ(one(r, "PoolManager.num_pools").value, 10);
  EXPECT_EQ(one(r, "PoolManager.num_pools").line, 17);
  EXPECT_EQ(one(r, "PoolManager.maxsize").value, 8);
  EXPECT_EQ(one(r, "PoolManager.block").text, "true");
  const Setting& off = one(r, "PoolManager.retries");
  EXPECT_EQ(off.value, 0);
  EXPECT_EQ(off.text, "disabled");
  const Setting& tc = one(r, "PoolManager.timeout connect");
  EXPECT_EQ(tc.value, 2000);
  EXPECT_EQ(tc.unit, "ms");
  EXPECT_EQ(tc.line, 21);
  EXPECT_EQ(one(r, "PoolManager.timeout read").value, 7500);

  // The commented-out adapter and the subclass declaration give nothing more.
  EXPECT_EQ(find_settings(r, "HTTPAdapter.pool_maxsize").size(), 1u);
  for (const Setting& s : r.settings) EXPECT_NE(s.line, 24) << s.key;

  // No idle timeout exists in requests/urllib3: the documented default says so, assumed.
  const Setting& idle = one(r, "pool idle timeout");
  EXPECT_TRUE(idle.assumed);
  EXPECT_EQ(idle.component, "client-python");
  EXPECT_EQ(idle.text, "infinite");
  EXPECT_EQ(idle.line, 0);

  // One event per read setting, on its own line.
  bool saw = false;
  for (const Event& ev : r.events)
    if (ev.line == 10) saw = ev.raw.find("pool_maxsize=32") != std::string::npos;
  EXPECT_TRUE(saw);
}

TEST(ConfigClientPython, IniAndEnvKeys) {
  ParsedText ini = parse_config("config-client", "config/client/python/settings.ini", "worker/settings.ini");
  for (auto& w : ini.warnings) ADD_FAILURE() << w.first << ": " << w.second;
  const Setting& maxsize = one(ini, "http.pool_maxsize");
  EXPECT_EQ(maxsize.component, "client-python");
  EXPECT_EQ(maxsize.value, 16);
  EXPECT_EQ(maxsize.unit, "count");
  EXPECT_EQ(maxsize.line, 4);
  EXPECT_EQ(maxsize.scope, "http");
  EXPECT_NE(maxsize.note.find("no idle timeout"), std::string::npos) << maxsize.note;
  EXPECT_EQ(one(ini, "http.pool_connections").value, 4);
  EXPECT_EQ(one(ini, "http.max_retries").value, 3);
  EXPECT_EQ(one(ini, "http.connect_timeout").value, 2000);
  EXPECT_TRUE(find_settings(ini, "logging.level").empty());
  EXPECT_TRUE(one(ini, "pool idle timeout").assumed);

  ParsedText env = parse_config("config-client", "config/client/python/.env", "worker/.env");
  EXPECT_EQ(one(env, "REQUESTS_POOL_MAXSIZE").value, 20);
  EXPECT_EQ(one(env, "REQUESTS_POOL_MAXSIZE").component, "client-python");
  EXPECT_EQ(one(env, "URLLIB3_NUM_POOLS").value, 5);
  // A non-Python client config gets no Python default.
  ParsedText props = parse_config("config-client", "config/client/application.properties", "svc/application.properties");
  EXPECT_TRUE(find_settings(props, "pool idle timeout").empty());
}

TEST(ConfigClientPython, Sniff) {
  const Parser& pr = parser_named("config-client");
  std::vector<std::string_view> py = {"import requests", "from requests.adapters import HTTPAdapter"};
  EXPECT_GT(pr.sniff({"w/http_client.py", "http_client.py", py}).score, 0);
  std::vector<std::string_view> plain_py = {"import os", "print('hi')"};
  EXPECT_EQ(pr.sniff({"w/tool.py", "tool.py", plain_py}).score, 0);
  std::vector<std::string_view> ini = {"[http]", "pool_maxsize = 16"};
  EXPECT_GT(pr.sniff({"w/settings.ini", "settings.ini", ini}).score, 0);
  std::vector<std::string_view> other_ini = {"[paths]", "data = /srv"};
  EXPECT_EQ(pr.sniff({"w/other.ini", "other.ini", other_ini}).score, 0);
}
