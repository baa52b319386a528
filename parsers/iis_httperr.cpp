// HTTP.sys error log (%SystemRoot%\System32\LogFiles\HTTPERR\httperrN.log; signatures.md B6.2):
// W3C format with s-reason; parsed by the shared W3C engine (#Fields: driven, with the three
// HTTP.sys layouts as fallback for headerless files). role=server. The reason phrase decides the
// category: Timer_ConnectionIdle -> idle-close (HTTP.sys closed an idle keep-alive connection,
// 120 s by default), Connection_Dropped -> conn-dropped, Connection_Abandoned_By_* ->
// worker-crashed, Timer_MinBytesPerSecond/EntityBody/HeaderWait -> client-timeout, ...
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "w3c_common.h"
#include "web_common.h"

namespace rstscope {
namespace {

class IisHttpErrParser : public Parser {
 public:
  std::string_view name() const override { return "iis-httperr"; }
  std::string_view description() const override {
    return "HTTP.sys HTTPERR log: reason phrases (Timer_ConnectionIdle, Connection_Dropped, "
           "Connection_Abandoned_By_ReqQueue, ...) classified";
  }
  Role role() const override { return Role::server; }
  Score sniff(const SniffInput& in) const override {
    bool reason = false, api = false;
    int data = 0, fit = 0;
    for (std::string_view l : in.lines) {
      if (starts_with(l, "#Fields:")) {
        if (l.find("s-reason") != std::string_view::npos) reason = true;
      } else if (starts_with(l, "#Software:")) {
        if (l.find("HTTP API") != std::string_view::npos) api = true;
      } else if (!l.empty() && l[0] != '#') {
        ++data;
        if (w3c::fits_default_layout(l, w3c::Flavor::httperr)) ++fit;
      }
    }
    if (reason) return {97, "W3C #Fields: header with s-reason (HTTP.sys error log)"};
    if (api && fit) return {90, "#Software: Microsoft HTTP API and HTTPERR-shaped lines"};
    if (fit && fit * 2 > data) {
      int score = 60 + 30 * fit / data;
      if (web::path_mentions(in.path, "httperr")) score = 95;
      return {score, std::to_string(fit) + " of " + std::to_string(data) + " headerless lines fit the HTTPERR layout"};
    }
    return {};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<w3c::W3cFile>(ctx, w3c::Flavor::httperr, Role::server);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // signatures.md B6.2 (real file quoted in a parser test)
        {"#Software: Microsoft HTTP API 2.0\n#Version: 1.0\n#Date: 2011-12-08 06:06:19\n"
         "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason "
         "s-queuename\n"
         "2011-12-08 06:06:19 192.168.150.1 2774 192.168.150.122 2869 HTTP/1.1 NOTIFY /upnp/eventing/gerpeyxyas - "
         "- Connection_Abandoned_By_ReqQueue -\n"
         "2012-02-06 13:31:17 2001:4898:0:fff:0:5efe:10.164.167.30%0 54697 2001:4898:0:fff:0:5efe:10.85.220.4%0 80 "
         "- - - - - Timer_ConnectionIdle -",
         {{"count", "2"},
          {"ts", "2012-02-06T13:31:17.000Z"},
          {"role", "server"},
          {"client_ip", "2001:4898:0:fff:0:5efe:10.164.167.30"},
          {"client_port", "54697"},
          {"server_port", "80"},
          {"status", ""},
          {"fields.reason", "Timer_ConnectionIdle"},
          {"category", "idle-close"}}},
        // corpus beats_iis_error_test.log line 5
        {"#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason "
         "s-queuename\n2018-01-01 08:09:10 172.31.77.6 2094 172.31.77.6 80 HTTP/1.1 GET /qos/1kbfile.txt 503 - "
         "ConnLimit -",
         {{"status", "503"}, {"category", "conn-limited"}, {"method", "GET"}, {"path", "/qos/1kbfile.txt"},
          {"protocol", "HTTP/1.1"}, {"server_ip", "172.31.77.6"}}},
        // corpus beats_iis_error_ipv6_zone_id.log (streamid layout)
        {"#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid "
         "s-reason s-queuename\n2018-12-30 14:22:07 ::1%0 49958 ::1%0 80 - - - - - - Timer_ConnectionIdle -",
         {{"client_ip", "::1"}, {"category", "idle-close"}}},
        // corpus beats_iis_error_iis_error_url.log: no header at all
        {"2018-05-05 05:05:55 149.42.83.135 12345 192.168.101.101 443 HTTP/1.1 GET /fee&fie=foe 400 - URL -",
         {{"client_port", "12345"}, {"status", "400"}, {"category", "bad-request"}, {"fields.reason", "URL"}}},
        {"2002-07-05 20:06:01 172.31.77.6 64388 127.0.0.1 80 - - - - - Connection_Dropped -",
         {{"category", "conn-dropped"}}},
        {"not an httperr line", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(IisHttpErrParser);

}  // namespace
}  // namespace rstscope
