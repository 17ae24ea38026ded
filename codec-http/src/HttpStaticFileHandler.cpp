#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/handler/stream/ChunkedFile.h>
#include <sluice/http/HttpChunkedInput.h>
#include <sluice/http/HttpDateFormat.h>
#include <sluice/http/HttpStaticFileHandler.h>
#include <sluice/http/HttpUtil.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif

#include "HttpChars.h"

namespace sluice::http {
namespace {

// ---- Small pieces: file descriptors, percent-decoding, MIME types, dates, entity tags. ----

/// Owns a file descriptor.
class FileDescriptor {
 public:
  FileDescriptor() noexcept = default;
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~FileDescriptor() { reset(); }

  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

using detail::hexValue;

/// Percent-decodes one path segment (RFC 3986 2.1). '+' is a plain character in a path
/// (only form-encoded queries read it as a space). Nullopt for a '%' not followed by two
/// hex digits.
std::optional<std::string> percentDecode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    if (i + 2 >= raw.size()) {
      return std::nullopt;
    }
    const int hi = hexValue(raw[i + 1]);
    const int lo = hexValue(raw[i + 2]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

/// Whether a decoded segment may name a file under the root. Refused: "." and ".." (and
/// every other name starting with '.', hidden files such as .git or .env), separators that
/// arrived encoded ('/' from %2F, '\\' from %5C or sent as is), NUL and other control
/// characters, which no file name a site serves contains.
bool isSafeSegment(std::string_view segment) noexcept {
  if (segment.empty() || segment.front() == '.') {
    return false;
  }
  for (char c : segment) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7F) {
      return false;
    }
  }
  return true;
}

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && detail::equalsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

struct MimeType {
  std::string_view extension;
  std::string_view type;
};

// Sorted by extension for a binary search. Text types say UTF-8, so a page is never read in
// a browser's guessed charset.
constexpr std::array<MimeType, 37> kMimeTypes{{
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"css", "text/css; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"htm", "text/html; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"ico", "image/x-icon"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript; charset=utf-8"},  // RFC 9239 3
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"tar", "application/x-tar"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"wav", "audio/wav"},
    {"webm", "video/webm"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xml", "application/xml; charset=utf-8"},
    {"yaml", "application/yaml; charset=utf-8"},
    {"zip", "application/zip"},
}};

constexpr bool isSorted() {
  for (std::size_t i = 1; i < kMimeTypes.size(); ++i) {
    if (!(kMimeTypes[i - 1].extension < kMimeTypes[i].extension)) {
      return false;
    }
  }
  return true;
}
static_assert(isSorted(), "kMimeTypes must stay sorted by extension");

/// The IMF-fixdate of `seconds` since the epoch (RFC 9110 5.6.7).
std::string formatHttpDate(std::int64_t seconds) {
  return HttpDateFormat::format(std::chrono::sys_seconds(std::chrono::seconds(seconds)));
}

/// Whether an If-None-Match (or If-Match) field value matches `etag` by the weak comparison RFC
/// 9110 13.1.2 requires: the opaque tags are equal, whether either is weak. With `strong`, the
/// strong comparison If-Match requires (RFC 9110 13.1.1, 8.8.3.2): both tags must also be
/// strong. "*" matches any current representation. A malformed element ends the list: what
/// came before it still counts.
bool etagListMatches(std::string_view value, std::string_view etag, bool strong = false) noexcept {
  const bool etagWeak = etag.starts_with("W/");
  const std::string_view opaque = etagWeak ? etag.substr(2) : etag;
  std::size_t i = 0;
  while (i < value.size()) {
    const char c = value[i];
    if (c == ' ' || c == '\t' || c == ',') {
      ++i;
      continue;
    }
    if (c == '*') {
      return true;
    }
    bool eitherWeak = etagWeak;
    if (value.substr(i, 2) == "W/") {
      i += 2;
      eitherWeak = true;
    }
    if (i >= value.size() || value[i] != '"') {
      return false;
    }
    const std::size_t close = value.find('"', i + 1);
    if (close == std::string_view::npos) {
      return false;
    }
    if ((!strong || !eitherWeak) && value.substr(i, close - i + 1) == opaque) {
      return true;
    }
    i = close + 1;
  }
  return false;
}

std::int64_t nowSeconds() noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// What identifies a version of a file on disk.
struct FileStamp {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtimeNanos = 0;

  static FileStamp of(const struct stat& st) noexcept {
    return {.device = static_cast<std::uint64_t>(st.st_dev),
            .inode = static_cast<std::uint64_t>(st.st_ino),
            .size = static_cast<std::uint64_t>(st.st_size),
            .mtimeNanos =
                static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  }
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

/// A file as served: its validators and type, and its bytes when they are kept in memory.
/// Immutable once made, so responses on any thread share it.
struct Representation {
  FileStamp stamp;
  std::string_view contentType;
  std::string etag;
  std::string lastModified;
  std::int64_t lastModifiedSeconds = 0;
  ByteBuf content;  // the whole file, or empty when it is streamed from disk
  bool inMemory = false;
};

std::shared_ptr<Representation> makeRepresentation(const FileStamp& stamp,
                                                   std::string_view fileName) {
  auto rep = std::make_shared<Representation>();
  rep->stamp = stamp;
  rep->contentType = HttpStaticFileHandler::contentTypeFor(fileName);
  // RFC 9110 8.8.3: an entity tag that changes whenever the file does. Inode, size and
  // modification time change on every rewrite or replacement, but two writes of the same size
  // within one tick of the file system's clock could share a time; hence a weak tag (RFC 9110
  // 8.8.1), which is all If-None-Match compares anyway.
  rep->etag = fmt::format("W/\"{:x}-{:x}-{:x}\"", stamp.inode, stamp.size,
                          static_cast<std::uint64_t>(stamp.mtimeNanos));
  // RFC 9110 8.8.2.1: an origin server MUST NOT send a Last-Modified date later than its
  // Date; a file stamped in the future says "now".
  rep->lastModifiedSeconds =
      std::min<std::int64_t>(stamp.mtimeNanos / 1'000'000'000 -
                                 (stamp.mtimeNanos < 0 && stamp.mtimeNanos % 1'000'000'000 != 0),
                             nowSeconds());
  rep->lastModified = formatHttpDate(rep->lastModifiedSeconds);
  return rep;
}

/// The files kept in memory, by request path relative to the prefix. Thread: any (a mutex).
class FileCache {
 public:
  explicit FileCache(std::size_t maxBytes) noexcept : maxBytes_(maxBytes) {}

  /// The kept representation of `key` if it was checked against the disk less than `maxAge`
  /// nanoseconds ago.
  std::shared_ptr<const Representation> fresh(const std::string& key, std::int64_t now,
                                              std::int64_t maxAge) {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    if (it == slots_.end() || now - it->second.checkedAt >= maxAge) {
      return nullptr;
    }
    it->second.lastUsed = ++tick_;
    ++hits_;
    return it->second.rep;
  }

  /// The kept representation of `key` if the file on disk is still `stamp` (and marks it
  /// checked at `now`); otherwise forgets it.
  std::shared_ptr<const Representation> revalidate(const std::string& key, const FileStamp& stamp,
                                                   std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    if (it == slots_.end()) {
      return nullptr;
    }
    if (it->second.rep->stamp != stamp) {
      eraseLocked(it);
      return nullptr;
    }
    it->second.checkedAt = now;
    it->second.lastUsed = ++tick_;
    ++hits_;
    return it->second.rep;
  }

  void erase(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (auto it = slots_.find(key); it != slots_.end()) {
      eraseLocked(it);
    }
  }

  /// Counts a read from disk, and keeps `rep` when it is in memory and fits, forgetting the
  /// least recently served files to make room.
  void insert(const std::string& key, std::shared_ptr<const Representation> rep, std::int64_t now) {
    std::lock_guard lock(mutex_);
    ++misses_;
    const std::size_t size = rep->content.readableBytes();
    // Each kept file costs its key and validators besides its bytes. Counting them bounds the
    // number of files too: links inside the root can give one small (or empty) file any number
    // of names, each a key of up to PATH_MAX bytes.
    const std::size_t charge =
        size + key.size() + rep->etag.size() + rep->lastModified.size() + kSlotOverhead;
    if (!rep->inMemory || charge > maxBytes_) {
      return;
    }
    if (auto it = slots_.find(key); it != slots_.end()) {
      eraseLocked(it);
    }
    // A linear scan: a small site keeps tens of files, and this runs once per file read.
    while (charged_ + charge > maxBytes_ && !slots_.empty()) {
      auto oldest = slots_.begin();
      for (auto it = slots_.begin(); it != slots_.end(); ++it) {
        if (it->second.lastUsed < oldest->second.lastUsed) {
          oldest = it;
        }
      }
      eraseLocked(oldest);
    }
    bytes_ += size;
    charged_ += charge;
    slots_.emplace(
        key, Slot{.rep = std::move(rep), .checkedAt = now, .lastUsed = ++tick_, .charge = charge});
  }

  HttpStaticFileHandler::CacheStats stats() const {
    std::lock_guard lock(mutex_);
    return {.files = slots_.size(), .bytes = bytes_, .hits = hits_, .misses = misses_};
  }

 private:
  struct Slot {
    std::shared_ptr<const Representation> rep;
    std::int64_t checkedAt = 0;  // the event loop's clock, nanoseconds
    std::uint64_t lastUsed = 0;
    std::size_t charge = 0;  // what the slot counts against maxBytes_
  };
  using Map = std::unordered_map<std::string, Slot>;

  void eraseLocked(Map::iterator it) {
    bytes_ -= it->second.rep->content.readableBytes();
    charged_ -= it->second.charge;
    slots_.erase(it);
  }

  // The memory of a slot besides its key, content and validators: the map node, the slot,
  // the Representation and its control block, roughly.
  static constexpr std::size_t kSlotOverhead = 256;

  mutable std::mutex mutex_;
  Map slots_;
  std::size_t bytes_ = 0;    // content bytes kept
  std::size_t charged_ = 0;  // bytes_ plus every slot's overhead: what maxBytes_ bounds
  const std::size_t maxBytes_;
  std::uint64_t tick_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

/// A request target as this handler reads it.
struct Target {
  enum class Kind : std::uint8_t { Serve, PassOn, Refuse, RedirectToPrefix };
  Kind kind = Kind::PassOn;
  std::string relative;        // decoded path below the root, segments joined by '/'
  bool directoryForm = false;  // the path ends with '/' (or is the prefix itself)
  std::string_view path;       // the path as received, for redirects
  std::string_view query;      // "?..." as received, for redirects
};

Target parseTarget(std::string_view uri, std::string_view prefix) {
  Target t;
  std::string_view rest = uri;
  bool absoluteForm = false;
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (startsWithIgnoreCase(rest, scheme)) {
      // RFC 9112 3.2.2: a server MUST accept the absolute-form. Its path, not its authority,
      // names the file; the path is then checked like any other.
      rest.remove_prefix(scheme.size());
      const std::size_t pathStart = rest.find_first_of("/?#");
      rest = pathStart == std::string_view::npos ? std::string_view() : rest.substr(pathStart);
      absoluteForm = true;
      break;
    }
  }
  const std::size_t pathEnd = rest.find_first_of("?#");
  t.path = rest.substr(0, pathEnd);
  if (pathEnd != std::string_view::npos && rest[pathEnd] == '?') {
    t.query = rest.substr(pathEnd, rest.find('#', pathEnd) - pathEnd);
  }
  if (absoluteForm && t.path.empty()) {
    t.path = "/";  // RFC 9110 4.2.3: an empty path is "/"
  }
  if (t.path.empty() || t.path.front() != '/') {
    return t;  // asterisk-form or authority-form: not a file
  }
  if (!t.path.starts_with(prefix)) {
    if (prefix.size() > 1 && t.path == prefix.substr(0, prefix.size() - 1)) {
      t.kind = Target::Kind::RedirectToPrefix;
    }
    return t;
  }
  const std::string_view below = t.path.substr(prefix.size());
  t.directoryForm = below.empty() || below.back() == '/';
  t.kind = Target::Kind::Refuse;
  std::size_t pos = 0;
  while (true) {
    std::size_t end = below.find('/', pos);
    const bool last = end == std::string_view::npos;
    if (last) {
      end = below.size();
    }
    const std::string_view raw = below.substr(pos, end - pos);
    if (raw.empty()) {
      if (last) {
        break;  // the end of a directory path ("docs/") or of the prefix itself
      }
      return t;  // "//": an empty segment, as in "//etc/passwd"
    }
    // Decoded one segment at a time, so an encoded '/' (%2F) stays inside its segment, where
    // isSafeSegment refuses it, instead of becoming a separator.
    std::optional<std::string> segment = percentDecode(raw);
    if (!segment || !isSafeSegment(*segment)) {
      return t;
    }
    if (!t.relative.empty()) {
      t.relative += '/';
    }
    t.relative += *segment;
    if (last) {
      break;
    }
    pos = end + 1;
  }
  t.kind = Target::Kind::Serve;
  return t;
}

}  // namespace

// ---- The server behind the handler. ----

namespace detail {

/// The handler's state: the resolved root, the settings and the cache. Thread: any.
class StaticFileServer {
 public:
  explicit StaticFileServer(HttpStaticFileConfig config);
  ~StaticFileServer() {
    if (rootFd_ >= 0) {
      ::close(rootFd_);
    }
  }
  StaticFileServer(const StaticFileServer&) = delete;
  StaticFileServer& operator=(const StaticFileServer&) = delete;

  /// Answers `request`, or returns false to have it passed to the next handler.
  bool handle(ChannelHandlerContext& ctx, const FullHttpRequest& request);

  const HttpStaticFileConfig& config() const noexcept { return config_; }
  HttpStaticFileHandler::CacheStats stats() const { return cache_.stats(); }

 private:
  enum class Lookup : std::uint8_t { Found, NotFound, Redirect };

  struct File {
    std::shared_ptr<const Representation> rep;
    FileDescriptor fd;  // open when the file is streamed from disk
  };

  Lookup lookup(ChannelHandlerContext& ctx, const Target& target, File& file);
  Lookup open(const std::string& relative, bool directoryForm, FileDescriptor& fd, struct stat& st,
              std::string& resolved);
  std::optional<std::string> realpathBeneathRoot(const std::string& path) const;
  int openBeneathRoot(const std::string& resolved);
  void respond(ChannelHandlerContext& ctx, const FullHttpRequest& request, File& file);
  void respondStatus(ChannelHandlerContext& ctx, const FullHttpRequest& request,
                     const HttpResponseStatus& status, std::string_view extraName = {},
                     std::string_view extraValue = {});

  HttpStaticFileConfig config_;
  std::string rootPath_;  // realpath of config_.root
  int rootFd_ = -1;       // the root directory, which openat2 resolves beneath
  std::atomic<bool> openat2Usable_{true};
  FileCache cache_;
};

namespace {

/// Sets Connection as the request's wish to keep the connection needs it.
void setConnection(HttpResponse& response, const HttpRequest& request, bool keepAlive) {
  if (!keepAlive) {
    // RFC 9112 9.6: a server that is about to close SHOULD send "close".
    response.headers().set(HttpHeaderNames::kConnection, HttpHeaderValues::kClose);
  } else if (request.protocolVersion() == HttpVersion::kHttp10) {
    // RFC 9112 9.3: an HTTP/1.0 client keeps the connection only when told "keep-alive".
    response.headers().set(HttpHeaderNames::kConnection, HttpHeaderValues::kKeepAlive);
  }
}

/// Writes and flushes the last part of a response; closes afterwards unless `keepAlive`,
/// and whenever the write fails: a body cut short (a file that shrank while it was read)
/// leaves the peer waiting for bytes that will not come, and the next response would be
/// read as the rest of this one.
void finish(ChannelHandlerContext& ctx, Message msg, bool keepAlive) {
  if (!keepAlive) {
    // The request asked for the close (RFC 9112 9.6).
    ctx.channel().closeReason().record(CloseInitiator::Peer, "Connection: close");
  }
  ChannelFuture future = ctx.writeAndFlush(std::move(msg));
  future.addListener(keepAlive ? ChannelFutureListener::kCloseOnFailure
                               : ChannelFutureListener::kClose);
}

void setDate(HttpResponse& response) {
  // RFC 9110 6.6.1: an origin server with a clock MUST send Date in 2xx, 3xx and 4xx
  // responses.
  response.headers().set(HttpHeaderNames::kDate, formatHttpDate(nowSeconds()));
}

/// Whether the request's If-Match and If-Unmodified-Since preconditions hold (RFC 9110
/// 13.2.2 steps 1 and 2); when they do not, the answer is 412.
bool preconditionsHold(const HttpRequest& request, const Representation& rep) {
  const std::vector<std::string_view> ifMatch = request.headers().getAll(HttpHeaderNames::kIfMatch);
  if (!ifMatch.empty()) {
    // RFC 9110 13.1.1: true for "*" (the file exists) or a tag equal by the strong comparison.
    for (std::string_view value : ifMatch) {
      if (etagListMatches(value, rep.etag, /*strong=*/true)) {
        return true;
      }
    }
    return false;
  }
  // RFC 9110 13.1.4: a recipient MUST ignore If-Unmodified-Since next to If-Match, and one
  // that is not a single valid HTTP-date; it holds when the file is not newer than the date.
  const std::vector<std::string_view> ifUnmodifiedSince =
      request.headers().getAll(HttpHeaderNames::kIfUnmodifiedSince);
  if (ifUnmodifiedSince.size() != 1) {
    return true;
  }
  const std::optional<std::chrono::sys_seconds> since =
      HttpDateFormat::parse(ifUnmodifiedSince.front());
  return !since || rep.lastModifiedSeconds <= since->time_since_epoch().count();
}

/// Whether the request's preconditions say the client's copy is current (RFC 9110 13.2.2:
/// If-None-Match first; If-Modified-Since only without it).
bool isNotModified(const HttpRequest& request, const Representation& rep) {
  const std::vector<std::string_view> ifNoneMatch =
      request.headers().getAll(HttpHeaderNames::kIfNoneMatch);
  if (!ifNoneMatch.empty()) {
    // RFC 9110 13.1.2: the condition is false (so 304 for GET and HEAD) when any listed tag
    // matches by the weak comparison, or the value is "*".
    for (std::string_view value : ifNoneMatch) {
      if (etagListMatches(value, rep.etag)) {
        return true;
      }
    }
    return false;
  }
  const std::vector<std::string_view> ifModifiedSince =
      request.headers().getAll(HttpHeaderNames::kIfModifiedSince);
  // RFC 9110 13.1.3: a recipient MUST ignore If-Modified-Since when the request has
  // If-None-Match, when its value is not a valid HTTP-date, or when it has more than one
  // member. The method is GET or HEAD here.
  if (ifModifiedSince.size() != 1) {
    return false;
  }
  // HttpDateFormat::parse reads the three formats a recipient MUST accept (RFC 9110 5.6.7).
  const std::optional<std::chrono::sys_seconds> since =
      HttpDateFormat::parse(ifModifiedSince.front());
  return since && rep.lastModifiedSeconds <= since->time_since_epoch().count();
}

std::optional<ByteBuf> readWhole(ByteBufAllocator& alloc, int fd, std::size_t size) {
  if (size == 0) {
    return ByteBuf();
  }
  ByteBuf buf = alloc.buffer(size, size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n =
        ::pread(fd, buf.memoryAddress() + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::nullopt;
    }
    if (n == 0) {
      break;  // the file shrank since fstat: serve what it holds now
    }
    done += static_cast<std::size_t>(n);
  }
  buf.writerIndex(done);
  return buf;
}

}  // namespace

StaticFileServer::StaticFileServer(HttpStaticFileConfig config)
    : config_(std::move(config)), cache_(config_.maxCacheSize) {
  if (config_.prefix.empty() || config_.prefix.front() != '/' || config_.prefix.back() != '/') {
    throw std::invalid_argument(fmt::format(
        "HttpStaticFileConfig: prefix '{}' must start and end with '/'", config_.prefix));
  }
  if (!isFieldValue(config_.cacheControl)) {
    throw std::invalid_argument("HttpStaticFileConfig: cacheControl is not a valid field value");
  }
  if (!config_.indexFile.empty() && !isSafeSegment(config_.indexFile)) {
    throw std::invalid_argument("HttpStaticFileConfig: indexFile must be a plain file name");
  }
  if (config_.chunkSize == 0) {
    throw std::invalid_argument("HttpStaticFileConfig: chunkSize must not be 0");
  }
  char resolved[PATH_MAX];
  struct stat st {};
  if (config_.root.empty() || ::realpath(config_.root.c_str(), resolved) == nullptr ||
      ::stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw std::invalid_argument(
        fmt::format("HttpStaticFileConfig: root '{}' is not a directory", config_.root));
  }
  rootPath_ = resolved;
  rootFd_ = ::open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

bool StaticFileServer::handle(ChannelHandlerContext& ctx, const FullHttpRequest& request) {
  if (request.decoderResult().isFailure()) {
    return false;  // HttpServerCodec answers a request it could not decode
  }
  if (request.headers().contains(HttpHeaderNames::kUpgrade)) {
    return false;  // a WebSocket handshake belongs to the handler that speaks WebSocket
  }
  const Target target = parseTarget(request.uri(), config_.prefix);
  if (target.kind == Target::Kind::PassOn) {
    return false;
  }
  if (request.method() != HttpMethod::kGet && request.method() != HttpMethod::kHead) {
    // "/static" lies outside the prefix "/static/": only a GET or HEAD of it is redirected
    // in; another method may belong to a route after this handler.
    if (config_.passOnNotFound || target.kind == Target::Kind::RedirectToPrefix) {
      return false;
    }
    // RFC 9110 15.5.6: a 405 MUST carry Allow with the methods the target supports.
    respondStatus(ctx, request, HttpResponseStatus::kMethodNotAllowed,
                  HttpHeaderNames::kAllow.name(), "GET, HEAD");
    return true;
  }
  switch (target.kind) {
    case Target::Kind::RedirectToPrefix:
      respondStatus(ctx, request, HttpResponseStatus::kMovedPermanently,
                    HttpHeaderNames::kLocation.name(), config_.prefix + std::string(target.query));
      return true;
    case Target::Kind::Refuse:
      if (config_.passOnNotFound) {
        return false;
      }
      respondStatus(ctx, request, HttpResponseStatus::kNotFound);
      return true;
    default:
      break;
  }
  File file;
  switch (lookup(ctx, target, file)) {
    case Lookup::Found:
      respond(ctx, request, file);
      return true;
    case Lookup::Redirect:
      // A directory named without its '/': relative links in its index resolve against
      // "/dir/", not "/".
      respondStatus(ctx, request, HttpResponseStatus::kMovedPermanently,
                    HttpHeaderNames::kLocation.name(),
                    fmt::format("{}/{}", target.path, target.query));
      return true;
    case Lookup::NotFound:
      break;
  }
  if (config_.passOnNotFound) {
    return false;
  }
  respondStatus(ctx, request, HttpResponseStatus::kNotFound);
  return true;
}

StaticFileServer::Lookup StaticFileServer::lookup(ChannelHandlerContext& ctx, const Target& target,
                                                  File& file) {
  const std::string key = target.directoryForm ? target.relative + '/' : target.relative;
  const std::int64_t now = ctx.executor().nanoTime().count();
  const std::int64_t maxAge =
      std::chrono::duration_cast<std::chrono::nanoseconds>(config_.revalidateAfter).count();
  if (auto rep = cache_.fresh(key, now, maxAge)) {
    file.rep = std::move(rep);
    return Lookup::Found;
  }
  FileDescriptor fd;
  struct stat st {};
  std::string resolved;
  const Lookup found = open(target.relative, target.directoryForm, fd, st, resolved);
  if (found != Lookup::Found) {
    cache_.erase(key);
    return found;
  }
  const FileStamp stamp = FileStamp::of(st);
  if (auto rep = cache_.revalidate(key, stamp, now)) {
    file.rep = std::move(rep);
    return Lookup::Found;
  }
  std::shared_ptr<Representation> rep = makeRepresentation(stamp, resolved);
  if (stamp.size <= config_.maxCachedFileSize) {
    std::optional<ByteBuf> content = readWhole(ctx.alloc(), fd.get(), stamp.size);
    if (!content) {
      return Lookup::NotFound;
    }
    rep->content = std::move(*content);
    rep->inMemory = true;
  } else {
    file.fd = std::move(fd);
  }
  cache_.insert(key, rep, now);
  file.rep = std::move(rep);
  return Lookup::Found;
}

StaticFileServer::Lookup StaticFileServer::open(const std::string& relative, bool directoryForm,
                                                FileDescriptor& fd, struct stat& st,
                                                std::string& resolved) {
  std::string path = rootPath_;
  if (!relative.empty()) {
    if (path.back() != '/') {
      path += '/';
    }
    path += relative;
  }
  std::optional<std::string> real = realpathBeneathRoot(path);
  if (!real) {
    return Lookup::NotFound;
  }
  fd.reset(openBeneathRoot(*real));
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
    return Lookup::NotFound;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!directoryForm) {
      return Lookup::Redirect;
    }
    if (config_.indexFile.empty()) {
      return Lookup::NotFound;
    }
    // The index may itself be a link: it is resolved and checked like any other path.
    real = realpathBeneathRoot(*real + '/' + config_.indexFile);
    if (!real) {
      return Lookup::NotFound;
    }
    fd.reset(openBeneathRoot(*real));
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
      return Lookup::NotFound;
    }
  } else if (directoryForm) {
    return Lookup::NotFound;  // "/file.txt/" names no file
  }
  // Devices, sockets and FIFOs are not served (a FIFO was opened non-blocking, so opening
  // it did not wait for a writer).
  if (!S_ISREG(st.st_mode)) {
    return Lookup::NotFound;
  }
  resolved = std::move(*real);
  return Lookup::Found;
}

std::optional<std::string> StaticFileServer::realpathBeneathRoot(const std::string& path) const {
  if (path.size() >= PATH_MAX) {
    return std::nullopt;
  }
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {
    return std::nullopt;
  }
  // Every link on the way is followed; what matters is where the path ends up.
  const std::string_view real(buf);
  const bool beneath = rootPath_ == "/" || real == rootPath_ ||
                       (real.starts_with(rootPath_) && real.size() > rootPath_.size() &&
                        real[rootPath_.size()] == '/');
  if (!beneath) {
    return std::nullopt;
  }
  return std::string(real);
}

int StaticFileServer::openBeneathRoot(const std::string& resolved) {
  constexpr int kFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
  if (rootFd_ >= 0 && openat2Usable_.load(std::memory_order_relaxed)) {
    // The resolved path holds no links; opening it with RESOLVE_NO_SYMLINKS beneath the root
    // fails, instead of escaping, if a component was swapped for a link since realpath.
    std::string relative =
        resolved.size() > rootPath_.size() ? resolved.substr(rootPath_.size()) : std::string(".");
    while (!relative.empty() && relative.front() == '/') {
      relative.erase(0, 1);
    }
    struct open_how how {};
    how.flags = static_cast<std::uint64_t>(kFlags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, rootFd_, relative.c_str(), &how, sizeof how);
    if (fd >= 0) {
      return static_cast<int>(fd);
    }
    if (errno != ENOSYS && errno != EPERM) {
      return -1;
    }
    // A kernel before 5.6, or a seccomp filter that forbids the call.
    openat2Usable_.store(false, std::memory_order_relaxed);
  }
#endif
  return ::open(resolved.c_str(), kFlags | O_NOFOLLOW);
}

void StaticFileServer::respond(ChannelHandlerContext& ctx, const FullHttpRequest& request,
                               File& file) {
  const Representation& rep = *file.rep;
  const bool keepAlive = HttpUtil::isKeepAlive(request);
  // RFC 9110 13.2.1: an origin server MUST evaluate the preconditions it receives, in the
  // order of 13.2.2.
  if (!preconditionsHold(request, rep)) {
    respondStatus(ctx, request, HttpResponseStatus::kPreconditionFailed);
    return;
  }
  if (isNotModified(request, rep)) {
    // RFC 9110 15.4.5: a 304 has no content and carries the fields a 200 would have sent
    // among ETag, Cache-Control, Date (and Content-Location, Expires, Vary, unused here).
    Message msg =
        Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kNotModified);
    auto& response = msg.get<FullHttpResponse>();
    response.headers().set(HttpHeaderNames::kEtag, rep.etag);
    if (!config_.cacheControl.empty()) {
      response.headers().set(HttpHeaderNames::kCacheControl, config_.cacheControl);
    }
    setDate(response);
    setConnection(response, request, keepAlive);
    finish(ctx, std::move(msg), keepAlive);
    return;
  }
  const bool head = request.method() == HttpMethod::kHead;
  const std::uint64_t length = rep.inMemory ? rep.content.readableBytes() : rep.stamp.size;
  auto setHeaders = [&](HttpResponse& response) {
    HttpHeaders& h = response.headers();
    h.set(HttpHeaderNames::kContentType, rep.contentType);
    h.set(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(length));
    h.set(HttpHeaderNames::kEtag, rep.etag);
    h.set(HttpHeaderNames::kLastModified, rep.lastModified);
    if (!config_.cacheControl.empty()) {
      h.set(HttpHeaderNames::kCacheControl, config_.cacheControl);
    }
    setDate(response);
    setConnection(response, request, keepAlive);
  };
  if (head || rep.inMemory) {
    // RFC 9110 9.3.2: HEAD gets the fields of GET and no content. A kept file's bytes are
    // shared, not copied: the slice holds a reference to them.
    Message msg = Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                  head ? ByteBuf() : rep.content.slice());
    setHeaders(msg.get<FullHttpResponse>());
    finish(ctx, std::move(msg), keepAlive);
    return;
  }
  Message start = Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  setHeaders(start.get<HttpResponse>());
  ctx.write(std::move(start));
  // ChunkedWriteHandler reads the file a chunk at a time, only while the channel is
  // writable, so a slow client holds back the reading instead of filling memory.
  auto chunks = std::make_unique<ChunkedFile>(file.fd.release(), 0,
                                              static_cast<std::int64_t>(length), config_.chunkSize);
  finish(ctx, Message(HttpChunkedInput(std::move(chunks))), keepAlive);
}

void StaticFileServer::respondStatus(ChannelHandlerContext& ctx, const FullHttpRequest& request,
                                     const HttpResponseStatus& status, std::string_view extraName,
                                     std::string_view extraValue) {
  const bool keepAlive = HttpUtil::isKeepAlive(request);
  const std::string text = fmt::format("{} {}\n", status.code(), status.reasonPhrase());
  ByteBuf body;
  if (request.method() != HttpMethod::kHead) {
    body = ctx.alloc().buffer(text.size());
    body.writeBytes(text);
  }
  Message msg = Message::make<FullHttpResponse>(HttpVersion::kHttp11, status, std::move(body));
  HttpHeaders& h = msg.get<FullHttpResponse>().headers();
  h.set(HttpHeaderNames::kContentType, "text/plain; charset=utf-8");
  h.set(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(text.size()));
  if (!extraName.empty()) {
    h.set(extraName, extraValue);
  }
  setDate(msg.get<FullHttpResponse>());
  setConnection(msg.get<FullHttpResponse>(), request, keepAlive);
  finish(ctx, std::move(msg), keepAlive);
}

}  // namespace detail

// ---- The handler. ----

HttpStaticFileHandler::HttpStaticFileHandler(HttpStaticFileConfig config)
    : server_(std::make_unique<detail::StaticFileServer>(std::move(config))) {}

HttpStaticFileHandler::~HttpStaticFileHandler() = default;

void HttpStaticFileHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  const FullHttpRequest* request = msg.getIf<FullHttpRequest>();
  if (request == nullptr || !server_->handle(ctx, *request)) {
    ctx.fireChannelRead(std::move(msg));
  }
}

const HttpStaticFileConfig& HttpStaticFileHandler::config() const noexcept {
  return server_->config();
}

HttpStaticFileHandler::CacheStats HttpStaticFileHandler::cacheStats() const {
  return server_->stats();
}

std::string_view HttpStaticFileHandler::contentTypeFor(std::string_view fileName) noexcept {
  const std::size_t slash = fileName.rfind('/');
  if (slash != std::string_view::npos) {
    fileName.remove_prefix(slash + 1);
  }
  const std::size_t dot = fileName.rfind('.');
  constexpr std::size_t kLongestExtension = 16;
  if (dot == std::string_view::npos || dot + 1 == fileName.size() ||
      fileName.size() - dot - 1 > kLongestExtension) {
    return HttpHeaderValues::kApplicationOctetStream;
  }
  char lower[kLongestExtension];
  const std::string_view ext = fileName.substr(dot + 1);
  for (std::size_t i = 0; i < ext.size(); ++i) {
    lower[i] = detail::toLowerAscii(ext[i]);
  }
  const std::string_view key(lower, ext.size());
  std::size_t lo = 0;
  std::size_t hi = kMimeTypes.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (kMimeTypes[mid].extension < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < kMimeTypes.size() && kMimeTypes[lo].extension == key) {
    return kMimeTypes[lo].type;
  }
  return HttpHeaderValues::kApplicationOctetStream;
}

}  // namespace sluice::http
