// Streaming HTTP/1.x response framing for the probe: finds the status line, the headers and the end
// of the body (Content-Length, chunked, no body, or until close) without keeping the body.
// Cost: one pass over the bytes; headers are kept (capped at kMaxHeader), the body is only counted.
// Not thread-safe; one per response.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rstscope::probe {

class HttpResponseReader {
 public:
  static constexpr size_t kMaxHeader = 64 * 1024;
  explicit HttpResponseReader(bool head_request = false) : head_(head_request) {}

  // Feeds received bytes; returns the number consumed (all, unless the response ended inside them).
  size_t feed(std::string_view data);
  // The response is complete (as framed by its headers). Until-close bodies complete on close().
  bool complete() const { return state_ == State::done; }
  bool failed() const { return state_ == State::error; }
  const std::string& error() const { return error_; }
  // Peer closed: completes an until-close body; otherwise the response is truncated.
  void close();
  bool headers_done() const { return state_ != State::headers && state_ != State::error; }

  int status() const { return status_; }
  const std::string& protocol() const { return protocol_; }  // "HTTP/1.1"
  const std::string& reason() const { return reason_; }
  bool connection_close() const { return conn_close_; }
  int64_t content_length() const { return content_length_; }  // -1 when not given
  bool chunked() const { return chunked_; }
  int64_t body_bytes() const { return body_; }
  int64_t total_bytes() const { return total_; }
  // First bytes of the body (for messages such as nginx's "plain HTTP request was sent to HTTPS port").
  const std::string& body_preview() const { return preview_; }
  std::string_view framing() const;  // "content-length" | "chunked" | "none" | "until-close"

 private:
  enum class State { headers, body_length, chunk_size, chunk_data, chunk_crlf, trailer, until_close, done, error };
  bool parse_headers();
  void fail(std::string_view why);
  void add_body(std::string_view b);

  bool head_;
  State state_ = State::headers;
  std::string head_buf_;
  std::string line_;
  std::string error_;
  int status_ = 0;
  std::string protocol_, reason_;
  bool conn_close_ = false, chunked_ = false;
  int64_t content_length_ = -1;
  int64_t remaining_ = 0;
  int64_t body_ = 0, total_ = 0;
  std::string preview_;
};

}  // namespace rstscope::probe
