#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/http/HttpObject.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::http {
namespace detail {
class StaticFileServer;
}  // namespace detail

/// Settings of an HttpStaticFileHandler. Every field but `root` has a working default.
struct HttpStaticFileConfig {
  /// The directory whose files are served. Resolved once, with realpath, when the handler is
  /// made; nothing outside it is ever opened.
  std::string root;
  /// The request path that maps to `root`: "/" serves the whole site, "/static/" serves
  /// "/static/app.js" from root/app.js. Must start and end with '/'. Requests outside it go
  /// to the next handler.
  std::string prefix = "/";
  /// Served for a request that names a directory ("/" or "/docs/"); empty: such requests are
  /// a 404. Directories are never listed.
  std::string indexFile = "index.html";
  /// The Cache-Control value of every 200 and 304; empty: no such field. "no-cache" (the
  /// default) lets a browser keep a copy but revalidate it on every use, which a 304 answers.
  std::string cacheControl = "no-cache";
  /// Files up to this size are read once and kept in memory; each response shares the kept
  /// bytes. Larger files are streamed from disk through ChunkedWriteHandler.
  std::size_t maxCachedFileSize = 64 * 1024;
  /// The bytes kept in memory for all files together; the least recently served files are
  /// dropped to make room. Each kept file counts its content plus its request path and a
  /// few hundred bytes of bookkeeping, so the limit also bounds how many files are kept.
  std::size_t maxCacheSize = 8 * 1024 * 1024;
  /// How long a kept file is served without checking (stat) whether it changed on disk; zero
  /// checks on every request. Measured on the channel's event-loop clock.
  std::chrono::milliseconds revalidateAfter{1000};
  /// Bytes read from disk per chunk of a streamed file.
  std::size_t chunkSize = 8192;
  /// What happens to a request under `prefix` that names no servable file, or whose method
  /// is not GET or HEAD: false answers it (404 or 405); true passes it to the next handler,
  /// for sites that mix files with other routes under one prefix.
  bool passOnNotFound = false;
};

/// Serves the files of one directory to GET and HEAD requests: small sites, the chat demo's
/// page and assets. Put it after an HttpObjectAggregator (it answers FullHttpRequest only;
/// every other message goes to the next handler untouched) and a ChunkedWriteHandler:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::HttpObjectAggregator>(65536);
/// p.addLast<sluice::ChunkedWriteHandler>();
/// p.addLast<sluice::http::HttpStaticFileHandler>(
///     sluice::http::HttpStaticFileConfig{.root = "./www"});
/// p.addLast<sluice::websocket::WebSocketServerProtocolHandler>("/ws");
/// ```
///
/// Routing. A request whose path lies outside `prefix`, a request with an Upgrade field
/// (a WebSocket handshake), and a request the decoder failed (HttpServerCodec answers those)
/// go to the next handler untouched. Others are answered:
/// - 200 with Content-Type (by extension; text types in UTF-8; unknown types
///   application/octet-stream), Content-Length, ETag, Last-Modified, Cache-Control, Date;
///   a HEAD request gets the same fields and no content (RFC 9110 9.3.2);
/// - 304 when If-None-Match matches the ETag (weak comparison, "*" and lists; RFC 9110
///   13.1.2), or, without If-None-Match, when the file is not newer than If-Modified-Since
///   (RFC 9110 13.1.3);
/// - 412 when If-Match (strong comparison, so only "*" matches these weak tags) or, without
///   it, If-Unmodified-Since fails; these are evaluated first (RFC 9110 13.2.2);
/// - 301 to "/dir/" for "/dir" when it names a directory, so relative links in its index
///   resolve; a directory is served through `indexFile`;
/// - 405 with "Allow: GET, HEAD" for other methods (RFC 9110 15.5.6);
/// - 404 for anything else, and for every refused path alike, so that a refusal does not
///   reveal whether something exists: ".." or "." segments (plain or percent-encoded),
///   encoded separators (%2F, %5C), backslashes, NUL and other control characters, empty
///   segments ("//etc/passwd"), hidden names (a segment starting with '.'), malformed
///   percent-encoding, files that are not regular files, and symbolic links that lead out
///   of the root. The path is percent-decoded segment by segment ('+' stays '+'); the query
///   is ignored. An absolute-form target ("http://host/a.css") is read as its path, as RFC
///   9112 3.2.2 requires of a server.
///
/// The connection is kept open or closed after the response as HttpUtil::isKeepAlive says
/// of the request.
///
/// Blocking. Opening, stat-ing and reading a small file happen on the event loop; they are
/// bounded by `maxCachedFileSize` and happen once per file and `revalidateAfter`, not per
/// request. A cached file's responses share its bytes (no copy per request). Larger files go
/// out as an HttpChunkedInput over a ChunkedFile, read chunk by chunk as the channel becomes
/// writable, so a slow client holds at most about a water mark of the file in memory.
///
/// Sharing. The handler is sharable and thread-safe: make one with std::make_shared and add
/// it to every pipeline, so all connections share one cache. One made per pipeline with
/// addLast<HttpStaticFileHandler>(config) works too, with a cache per connection.
///
/// Thread: the loop of each channel it serves; its cache is guarded by a mutex.
class HttpStaticFileHandler : public ChannelInboundHandler {
 public:
  /// Throws std::invalid_argument when `config.root` is not a directory or `config.prefix`
  /// does not start and end with '/'.
  explicit HttpStaticFileHandler(HttpStaticFileConfig config);
  ~HttpStaticFileHandler() override;
  HttpStaticFileHandler(const HttpStaticFileHandler&) = delete;
  HttpStaticFileHandler& operator=(const HttpStaticFileHandler&) = delete;

  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  bool isSharable() const noexcept override { return true; }

  /// The Content-Type for a file name, by its extension (case-insensitive): "text/html;
  /// charset=utf-8" for "index.html", application/octet-stream for an unknown one.
  static std::string_view contentTypeFor(std::string_view fileName) noexcept;

  /// What the in-memory cache holds now.
  struct CacheStats {
    std::size_t files = 0;
    std::size_t bytes = 0;
    std::uint64_t hits = 0;    // requests served from memory
    std::uint64_t misses = 0;  // requests that read a file from disk
  };
  /// Thread: any.
  CacheStats cacheStats() const;

  const HttpStaticFileConfig& config() const noexcept;

 private:
  std::unique_ptr<detail::StaticFileServer> server_;
};

}  // namespace sluice::http
