#include "probe/http_reader.h"

#include <algorithm>

#include "rstscope/text.h"

namespace rstscope::probe {

void HttpResponseReader::fail(std::string_view why) {
  state_ = State::error;
  error_.assign(why);
}

void HttpResponseReader::add_body(std::string_view b) {
  body_ += static_cast<int64_t>(b.size());
  if (preview_.size() < 256) preview_.append(b.substr(0, 256 - preview_.size()));
}

std::string_view HttpResponseReader::framing() const {
  if (chunked_) return "chunked";
  if (content_length_ >= 0) return "content-length";
  if (state_ == State::until_close || (state_ == State::done && body_ > 0 && content_length_ < 0))
    return "until-close";
  return "none";
}

bool HttpResponseReader::parse_headers() {
  std::string_view all = head_buf_;
  size_t eol = all.find('\n');
  std::string_view status_line = trim(all.substr(0, eol));
  std::string_view rest = status_line, tok;
  if (!next_token(rest, tok) || !starts_with(tok, "HTTP/")) {
    fail("the answer is not HTTP (no HTTP/x.y status line)");
    return false;
  }
  protocol_.assign(tok);
  std::string_view code;
  int64_t st = 0;
  if (!next_token(rest, code) || !parse_int(code, st) || st < 100 || st > 999) {
    fail("bad HTTP status code");
    return false;
  }
  status_ = static_cast<int>(st);
  reason_.assign(trim(rest));
  if (protocol_ == "HTTP/1.0") conn_close_ = true;
  std::string_view hdrs = eol == std::string_view::npos ? std::string_view{} : all.substr(eol + 1);
  std::string_view line;
  while (next_field(hdrs, '\n', line)) {
    line = trim(line);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      int64_t n = 0;
      if (!parse_int(value, n) || n < 0) {
        fail("bad Content-Length");
        return false;
      }
      content_length_ = n;
    } else if (iequals(name, "transfer-encoding")) {
      if (icontains(value, "chunked")) chunked_ = true;
    } else if (iequals(name, "connection")) {
      if (icontains(value, "close")) conn_close_ = true;
      if (icontains(value, "keep-alive")) conn_close_ = false;
    }
  }
  if (status_ >= 100 && status_ < 200) {
    // Interim response (100 Continue): the real one follows.
    head_buf_.clear();
    status_ = 0;
    content_length_ = -1;
    chunked_ = false;
    return true;
  }
  if (head_ || status_ == 204 || status_ == 304) {
    state_ = State::done;
  } else if (chunked_) {
    state_ = State::chunk_size;
  } else if (content_length_ >= 0) {
    remaining_ = content_length_;
    state_ = remaining_ == 0 ? State::done : State::body_length;
  } else {
    state_ = State::until_close;
    conn_close_ = true;
  }
  return true;
}

size_t HttpResponseReader::feed(std::string_view data) {
  size_t used = 0;
  while (used < data.size() && state_ != State::done && state_ != State::error) {
    std::string_view d = data.substr(used);
    switch (state_) {
      case State::headers: {
        // Append up to the end of the header block.
        size_t take = d.size();
        size_t old = head_buf_.size();
        head_buf_.append(d);
        size_t from = old >= 3 ? old - 3 : 0;
        size_t end = head_buf_.find("\r\n\r\n", from);
        size_t endlen = 4;
        size_t lf = head_buf_.find("\n\n", from);
        if (lf != std::string::npos && (end == std::string::npos || lf < end)) {
          end = lf;
          endlen = 2;
        }
        if (end == std::string::npos) {
          if (head_buf_.size() > kMaxHeader) fail("response headers larger than 64 KiB");
          used += take;
          break;
        }
        size_t block = end + endlen;
        take = block - old;
        head_buf_.resize(block);
        used += take;
        if (!parse_headers()) break;
        break;
      }
      case State::body_length: {
        size_t take = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(d.size())));
        add_body(d.substr(0, take));
        remaining_ -= static_cast<int64_t>(take);
        used += take;
        if (remaining_ == 0) state_ = State::done;
        break;
      }
      case State::until_close:
        add_body(d);
        used += d.size();
        break;
      case State::chunk_size:
      case State::trailer: {
        size_t nl = d.find('\n');
        std::string_view part = d.substr(0, nl == std::string_view::npos ? d.size() : nl + 1);
        line_.append(part);
        used += part.size();
        if (line_.size() > 8192) {
          fail("chunk-size line too long");
          break;
        }
        if (nl == std::string_view::npos) break;
        std::string_view l = trim(line_);
        if (state_ == State::trailer) {
          if (l.empty()) state_ = State::done;
          line_.clear();
          break;
        }
        l = l.substr(0, l.find(';'));
        int64_t n = 0;
        bool ok = !l.empty();
        for (char c : l) {
          int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
          if (v < 0 || n > (INT64_MAX >> 4)) {
            ok = false;
            break;
          }
          n = n * 16 + v;
        }
        line_.clear();
        if (!ok) {
          fail("bad chunk size");
          break;
        }
        if (n == 0) {
          state_ = State::trailer;
        } else {
          remaining_ = n;
          state_ = State::chunk_data;
        }
        break;
      }
      case State::chunk_data: {
        size_t take = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(d.size())));
        add_body(d.substr(0, take));
        remaining_ -= static_cast<int64_t>(take);
        used += take;
        if (remaining_ == 0) {
          state_ = State::chunk_crlf;
          remaining_ = 0;
        }
        break;
      }
      case State::chunk_crlf: {
        // Skip "\r\n" after the chunk data.
        if (d[0] == '\r') {
          ++used;
        } else if (d[0] == '\n') {
          ++used;
          state_ = State::chunk_size;
        } else {
          fail("missing CRLF after chunk data");
        }
        break;
      }
      case State::done:
      case State::error:
        break;
    }
  }
  total_ += static_cast<int64_t>(used);
  return used;
}

void HttpResponseReader::close() {
  if (state_ == State::until_close) {
    state_ = State::done;
    return;
  }
  if (state_ == State::done || state_ == State::error) return;
  if (state_ == State::headers)
    fail(total_ == 0 ? "the server closed the connection without answering" : "the response headers were cut off");
  else
    fail("the response body was cut off");
}

}  // namespace rstscope::probe
