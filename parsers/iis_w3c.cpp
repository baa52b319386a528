// IIS W3C extended log (u_exYYMMDD.log; signatures.md B6.1), driven by its #Fields: directive
// (any field set, header changes mid-file, lines from another layout without a header), via the
// shared engine in w3c_common. role=server; time-taken ms -> duration_us; sc-win32-status refines
// the status category (64 -> client-closed, 1236/995 -> server-abort, ARR 12002 -> upstream-timeout).
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "w3c_common.h"

namespace rstscope {
namespace {

class IisW3cParser : public Parser {
 public:
  std::string_view name() const override { return "iis-w3c"; }
  std::string_view description() const override {
    return "IIS / W3C extended log driven by #Fields: (any field set, mid-file header changes); sc-win32-status "
           "decoded";
  }
  Role role() const override { return Role::server; }
  Score sniff(const SniffInput& in) const override {
    bool fields = false, web_fields = false, httperr = false, firewall = false, software_iis = false;
    int data = 0, fit = 0;
    for (std::string_view l : in.lines) {
      if (starts_with(l, "#Fields:")) {
        fields = true;
        if (l.find("s-reason") != std::string_view::npos) httperr = true;
        if (l.find("cs-method") != std::string_view::npos || l.find("cs-uri") != std::string_view::npos ||
            l.find("sc-status") != std::string_view::npos || l.find("c-ip") != std::string_view::npos)
          web_fields = true;
        if (l.find("src-ip") != std::string_view::npos) firewall = true;
      } else if (starts_with(l, "#Software:")) {
        if (l.find("Internet Information") != std::string_view::npos) software_iis = true;
        if (l.find("HTTP API") != std::string_view::npos) httperr = true;
        if (l.find("Firewall") != std::string_view::npos) firewall = true;
      } else if (!l.empty() && l[0] != '#') {
        ++data;
        if (w3c::fits_default_layout(l, w3c::Flavor::iis)) ++fit;
      }
    }
    if (firewall) return {};
    if (fields && httperr) return {};
    if (fields && web_fields) return {95, software_iis ? "W3C #Fields: header from IIS" : "W3C #Fields: header with web fields"};
    if (fields) return {60, "W3C #Fields: header"};
    if (fit && fit * 2 > data) return {70, std::to_string(fit) + " of " + std::to_string(data) +
                                               " headerless lines fit a default IIS W3C layout"};
    return {};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<w3c::W3cFile>(ctx, w3c::Flavor::iis, Role::server);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // corpus beats_iis_access_access-full.log
        {"#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2018-01-01 09:10:11\n"
         "#Fields: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
         "c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status "
         "sc-bytes cs-bytes time-taken\n"
         "2018-01-01 09:10:11 W3SVC1 MACHINE-NAME 127.0.0.1 GET / - 80 - 127.0.0.1 HTTP/1.1 Mozilla/5.0+(Windows+"
         "NT+6.1;+Win64;+x64;+rv:57.0)+Gecko/20100101+Firefox/57.0 - - localhost 200 0 0 123 456 789",
         {{"count", "1"},
          {"ts", "2018-01-01T09:10:11.000Z"},
          {"role", "server"},
          {"server_ip", "127.0.0.1"},
          {"server_port", "80"},
          {"client_ip", "127.0.0.1"},
          {"method", "GET"},
          {"path", "/"},
          {"protocol", "HTTP/1.1"},
          {"host", "localhost"},
          {"status", "200"},
          {"bytes", "123"},
          {"duration_us", "789000"},
          {"fields.site", "W3SVC1"},
          {"category", "request"}}},
        // corpus plaso_iis10_edge_cases.log line 11: sc-win32-status 64 (client went away), 886 s
        {"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
         "cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
         "2022-01-01 18:42:11 ::1 RPC_IN_DATA /rpc/rpcproxy.dll EX04.ad.RaDomain:6001&RequestId=675grftyryt-1ca5-"
         "45b2-b55f-567567tfghf 81 RanDomain\\EX04$ ::1 MSRPC - 200 0 64 886786",
         {{"category", "client-closed"}, {"fields.win32_status", "64"}, {"duration_us", "886786000"},
          {"path", "/rpc/rpcproxy.dll?EX04.ad.RaDomain:6001&RequestId=675grftyryt-1ca5-45b2-b55f-567567tfghf"}}},
        // corpus lnav_logfile_w3c.3.log: local times, quoted values with spaces
        {"#Fields:   date-local time-local   s-ip   cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
         "cs(User-Agent) cs(Referer) cs(Host) sc-status sc-substatus sc-win32-status TimeTakenMS\n"
         "2012-08-15 17:00:00.363 1.2.3.4 GET /Products/theProduct - 80 - \"70.95.0.0\" \"Mozilla/5.0 (Linux; "
         "Android 4.4.4)\" \"http://example.com/Search\" \"xzy.example.com\" 200 0 0 109",
         {{"ts", "2012-08-15T15:00:00.363Z"}, {"client_ip", "70.95.0.0"}, {"host", "xzy.example.com"},
          {"duration_us", "109000"}, {"ts_zone", "assumed"}},
         "+02:00"},
        // corpus lnav_logfile_w3c.1.log: Oracle Web Cache, #GMT-Offset, runs of spaces
        {"#GMT-Offset: -0800\n#Fields:  c-ip  c-dns  c-auth-id  date  time  cs-method  cs-uri  sc-status  bytes  "
         "cs(Cookie)  cs(Referrer)  time-taken  cs(User-Agent)\n"
         "64.103.37.2      client_joaz7      DMS.user      2001-10-31     00:00:18      GET      /admin/x.gif    200"
         "     350    \"BIG=1\"         \"http://www.oracle.com/nl/\"      370879      \"Mozilla/4.5 [en] (WinNT; I)\"",
         {{"ts", "2001-10-31T08:00:18.000Z"}, {"bytes", "350"}, {"fields.c-dns", "client_joaz7"}, {"path", "/admin/x.gif"}}},
        // header change mid-file: the second line follows the new #Fields:
        {"#Fields: date time c-ip sc-status\n2020-01-01 00:00:00 10.0.0.1 200\n#Fields: date time sc-status c-ip\n"
         "2020-01-01 00:00:01 503 10.0.0.2",
         {{"count", "2"}, {"client_ip", "10.0.0.2"}, {"status", "503"}, {"category", "unavailable"}}},
        {"#Fields: date time c-ip sc-status\nnot a w3c line at all but has words", {{"count", "1"}}},
        {"garbage without header", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(IisW3cParser);

}  // namespace
}  // namespace rstscope
