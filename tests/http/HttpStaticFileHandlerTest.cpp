#include <fcntl.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpResponseEncoder.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpStaticFileHandler.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

namespace fs = std::filesystem;
using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

const std::string kIndex = "<!doctype html><title>chat</title>\n";
const std::string kScript = "console.log('hi');\n";

class HttpStaticFileHandlerTest : public testing::SluiceTest {
 protected:
  void SetUp() override {
    SluiceTest::SetUp();
    char pattern[] = "/tmp/sluice-static-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    base_ = pattern;
    root_ = base_ / "www";
    fs::create_directories(root_ / "sub");
    fs::create_directories(root_ / "emptydir");
    fs::create_directories(base_ / "outside");
    write(root_ / "index.html", kIndex);
    write(root_ / "app.js", kScript);
    write(root_ / "style.css", "body{}");
    write(root_ / "logo.PNG", "\x89PNG");
    write(root_ / "data.unknownext", "?");
    write(root_ / "a+b.txt", "plus");
    write(root_ / "with space.txt", "space");
    write(root_ / ".hidden", "secret");
    write(root_ / "sub" / "index.html", "sub index");
    write(root_ / "sub" / "page.txt", "page");
    write(base_ / "outside" / "secret.txt", "outside secret");
    write(base_ / "x", "outside x");
    fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "escape");
    fs::create_symlink("../outside", root_ / "escapedir");
    fs::create_symlink("app.js", root_ / "inner.js");
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(base_, ignored);
    SluiceTest::TearDown();
  }

  static void write(const fs::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }

  // Sets a file's modification time to `seconds` since the epoch.
  static void setMtime(const fs::path& path, std::int64_t seconds) {
    const struct timespec times[2] = {{static_cast<time_t>(seconds), 0},
                                      {static_cast<time_t>(seconds), 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  }

  HttpStaticFileConfig config() const { return {.root = root_.string()}; }

  EmbeddedChannel channel(HttpStaticFileConfig cfg) {
    return EmbeddedChannel(std::make_unique<ChunkedWriteHandler>(),
                           std::make_unique<HttpStaticFileHandler>(std::move(cfg)));
  }

  static Message request(std::string uri, Fields fields = {},
                         const HttpMethod& method = HttpMethod::kGet,
                         HttpVersion version = HttpVersion::kHttp11) {
    Message m = Message::make<FullHttpRequest>(version, method, std::move(uri));
    for (const auto& [name, value] : fields) {
      m.get<HttpRequest>().headers().add(name, value);
    }
    return m;
  }

  // Sends a request and returns the one whole response it got.
  static FullHttpResponse get(EmbeddedChannel& ch, std::string uri, Fields fields = {},
                              const HttpMethod& method = HttpMethod::kGet,
                              HttpVersion version = HttpVersion::kHttp11) {
    ch.writeInbound(request(std::move(uri), fields, method, version));
    EXPECT_TRUE(ch.inboundMessages().empty()) << "the request was passed on";
    EXPECT_EQ(ch.outboundMessages().size(), 1U);
    std::optional<FullHttpResponse> response = ch.readOutbound<FullHttpResponse>();
    if (!response) {
      ADD_FAILURE() << "no response";
      return FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kInternalServerError);
    }
    return std::move(*response);
  }

  static std::string body(const FullHttpResponse& response) {
    return std::string(response.content().toStringView());
  }

  static std::string header(const HttpMessage& m, HttpHeaderName name) {
    return std::string(m.headers().get(name, "<none>"));
  }

  fs::path base_;
  fs::path root_;
};

TEST_F(HttpStaticFileHandlerTest, ServesFileWithTypeLengthAndValidators) {
  EmbeddedChannel ch = channel(config());
  FullHttpResponse r = get(ch, "/app.js");
  EXPECT_EQ(r.status().code(), 200);
  EXPECT_EQ(body(r), kScript);
  EXPECT_EQ(header(r, HttpHeaderNames::kContentType), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(r, HttpHeaderNames::kContentLength), std::to_string(kScript.size()));
  EXPECT_TRUE(header(r, HttpHeaderNames::kEtag).starts_with("W/\"")) << header(r, "etag");
  EXPECT_TRUE(header(r, HttpHeaderNames::kLastModified).ends_with(" GMT"));
  EXPECT_EQ(header(r, HttpHeaderNames::kCacheControl), "no-cache");
  EXPECT_EQ(header(r, HttpHeaderNames::kDate).size(), 29U);
  EXPECT_FALSE(r.headers().contains(HttpHeaderNames::kConnection));
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finishAndReleaseAll());
}

TEST_F(HttpStaticFileHandlerTest, LastModifiedIsTheFileTimeAsImfFixdate) {
  setMtime(root_ / "style.css", 784111777);
  EmbeddedChannel ch = channel(config());
  FullHttpResponse r = get(ch, "/style.css");
  EXPECT_EQ(header(r, HttpHeaderNames::kLastModified), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_F(HttpStaticFileHandlerTest, ContentTypeByExtension) {
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("a/b.css"), "text/css; charset=utf-8");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("m.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("d.json"), "application/json; charset=utf-8");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.svg"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.png"), "image/png");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.JPG"), "image/jpeg");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.gif"), "image/gif");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("favicon.ico"), "image/x-icon");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.webp"), "image/webp");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.wasm"), "application/wasm");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.js.map"), "application/json; charset=utf-8");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("f.woff2"), "font/woff2");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("x.unknownext"), "application/octet-stream");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("Makefile"), "application/octet-stream");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("trailing."), "application/octet-stream");
  EXPECT_EQ(HttpStaticFileHandler::contentTypeFor("a.averyveryverylongextension"),
            "application/octet-stream");

  EmbeddedChannel ch = channel(config());
  EXPECT_EQ(header(get(ch, "/style.css"), HttpHeaderNames::kContentType),
            "text/css; charset=utf-8");
  EXPECT_EQ(header(get(ch, "/logo.PNG"), HttpHeaderNames::kContentType), "image/png");
  EXPECT_EQ(header(get(ch, "/data.unknownext"), HttpHeaderNames::kContentType),
            "application/octet-stream");
  EXPECT_EQ(header(get(ch, "/"), HttpHeaderNames::kContentType), "text/html; charset=utf-8");
}

TEST_F(HttpStaticFileHandlerTest, ServesIndexOfDirectories) {
  EmbeddedChannel ch = channel(config());
  EXPECT_EQ(body(get(ch, "/")), kIndex);
  EXPECT_EQ(body(get(ch, "/sub/")), "sub index");
  EXPECT_EQ(body(get(ch, "/sub/page.txt")), "page");
}

TEST_F(HttpStaticFileHandlerTest, RedirectsDirectoryWithoutSlash) {
  EmbeddedChannel ch = channel(config());
  FullHttpResponse r = get(ch, "/sub?room=1");
  EXPECT_EQ(r.status().code(), 301);
  EXPECT_EQ(header(r, HttpHeaderNames::kLocation), "/sub/?room=1");
}

TEST_F(HttpStaticFileHandlerTest, DirectoryWithoutIndexAndMissingFileAreNotFound) {
  EmbeddedChannel ch = channel(config());
  EXPECT_EQ(get(ch, "/emptydir/").status().code(), 404);
  EXPECT_EQ(get(ch, "/nope.html").status().code(), 404);
  EXPECT_EQ(get(ch, "/app.js/").status().code(), 404);
  FullHttpResponse r = get(ch, "/sub/missing");
  EXPECT_EQ(r.status().code(), 404);
  EXPECT_EQ(body(r), "404 Not Found\n");
  EXPECT_TRUE(ch.isOpen());  // an error answer keeps the connection
}

TEST_F(HttpStaticFileHandlerTest, NoIndexFileMakesDirectoriesNotFound) {
  HttpStaticFileConfig cfg = config();
  cfg.indexFile = "";
  EmbeddedChannel ch = channel(cfg);
  EXPECT_EQ(get(ch, "/").status().code(), 404);
}

TEST_F(HttpStaticFileHandlerTest, PercentDecodesPathButNotPlus) {
  EmbeddedChannel ch = channel(config());
  EXPECT_EQ(body(get(ch, "/with%20space.txt")), "space");
  EXPECT_EQ(body(get(ch, "/a+b.txt")), "plus");
  EXPECT_EQ(body(get(ch, "/a%2Bb.txt")), "plus");
  EXPECT_EQ(body(get(ch, "/app.js?v=3&x=..%2F")), kScript);  // the query is ignored
}

TEST_F(HttpStaticFileHandlerTest, HeadHasHeadersButNoBody) {
  EmbeddedChannel ch = channel(config());
  FullHttpResponse r = get(ch, "/app.js", {}, HttpMethod::kHead);
  EXPECT_EQ(r.status().code(), 200);
  EXPECT_EQ(r.content().readableBytes(), 0U);
  EXPECT_EQ(header(r, HttpHeaderNames::kContentLength), std::to_string(kScript.size()));
  EXPECT_EQ(header(r, HttpHeaderNames::kContentType), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(r, HttpHeaderNames::kEtag), header(get(ch, "/app.js"), "etag"));

  FullHttpResponse missing = get(ch, "/missing", {}, HttpMethod::kHead);
  EXPECT_EQ(missing.status().code(), 404);
  EXPECT_EQ(missing.content().readableBytes(), 0U);
}

TEST_F(HttpStaticFileHandlerTest, OtherMethodsGet405WithAllow) {
  EmbeddedChannel ch = channel(config());
  for (const HttpMethod& method : {HttpMethod::kPost, HttpMethod::kPut, HttpMethod::kDelete,
                                   HttpMethod::kOptions, HttpMethod::valueOf("BREW")}) {
    FullHttpResponse r = get(ch, "/app.js", {}, method);
    EXPECT_EQ(r.status().code(), 405) << method.name();
    EXPECT_EQ(header(r, HttpHeaderNames::kAllow), "GET, HEAD");
  }
}

TEST_F(HttpStaticFileHandlerTest, IfNoneMatchAnswers304WithoutBody) {
  EmbeddedChannel ch = channel(config());
  const std::string etag = header(get(ch, "/app.js"), HttpHeaderNames::kEtag);
  const std::string opaque = etag.substr(2);  // the same tag, strong: weak comparison matches

  for (const std::string& value :
       {etag, opaque, "\"other\", " + etag, "W/\"a\",W/\"b\" ,  " + opaque, std::string("*")}) {
    FullHttpResponse r = get(ch, "/app.js", {{"If-None-Match", value}});
    EXPECT_EQ(r.status().code(), 304) << value;
    EXPECT_EQ(r.content().readableBytes(), 0U);
    EXPECT_EQ(header(r, HttpHeaderNames::kEtag), etag);
    EXPECT_EQ(header(r, HttpHeaderNames::kCacheControl), "no-cache");
    EXPECT_FALSE(r.headers().contains(HttpHeaderNames::kContentLength));
  }
  // A second field line counts as part of the same list.
  EXPECT_EQ(
      get(ch, "/app.js", {{"If-None-Match", "\"x\""}, {"If-None-Match", etag}}).status().code(),
      304);
  EXPECT_EQ(get(ch, "/app.js", {{"If-None-Match", etag}}, HttpMethod::kHead).status().code(), 304);

  for (std::string_view value : {"\"other\"", "W/\"other\"", "garbage", "\"unterminated"}) {
    FullHttpResponse r = get(ch, "/app.js", {{"If-None-Match", value}});
    EXPECT_EQ(r.status().code(), 200) << value;
    EXPECT_EQ(body(r), kScript);
  }
}

TEST_F(HttpStaticFileHandlerTest, IfModifiedSinceOnlyWithoutIfNoneMatch) {
  setMtime(root_ / "style.css", 784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EmbeddedChannel ch = channel(config());
  auto status = [&](Fields fields) { return get(ch, "/style.css", fields).status().code(); };

  EXPECT_EQ(status({{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}), 304);
  EXPECT_EQ(status({{"If-Modified-Since", "Mon, 07 Nov 1994 00:00:00 GMT"}}), 304);
  // RFC 9110 5.6.7: the obsolete formats are accepted too.
  EXPECT_EQ(status({{"If-Modified-Since", "Sunday, 06-Nov-94 08:49:37 GMT"}}), 304);
  EXPECT_EQ(status({{"If-Modified-Since", "Sun Nov  6 08:49:37 1994"}}), 304);
  EXPECT_EQ(status({{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:36 GMT"}}), 200);
  EXPECT_EQ(status({{"If-Modified-Since", "not a date"}}), 200);
  EXPECT_EQ(status({{"If-Modified-Since", "Sun, 06 Nov 1994 25:49:37 GMT"}}), 200);
  // RFC 9110 13.1.3: ignored when If-None-Match is present.
  EXPECT_EQ(status({{"If-None-Match", "\"other\""},
                    {"If-Modified-Since", "Mon, 07 Nov 1994 00:00:00 GMT"}}),
            200);
}

TEST_F(HttpStaticFileHandlerTest, IfMatchAndIfUnmodifiedSinceAreEvaluatedFirst) {
  setMtime(root_ / "style.css", 784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EmbeddedChannel ch = channel(config());
  const std::string etag = header(get(ch, "/style.css"), HttpHeaderNames::kEtag);
  auto status = [&](Fields fields, const HttpMethod& method = HttpMethod::kGet) {
    return get(ch, "/style.css", fields, method).status().code();
  };
  // RFC 9110 13.1.1: If-Match compares strongly, and these tags are weak: only "*" matches.
  EXPECT_EQ(status({{"If-Match", "*"}}), 200);
  EXPECT_EQ(status({{"If-Match", "\"other\""}}), 412);
  EXPECT_EQ(status({{"If-Match", etag}}), 412);
  EXPECT_EQ(status({{"If-Match", etag}}, HttpMethod::kHead), 412);
  // RFC 9110 13.1.4: true when the file is not newer than the date.
  EXPECT_EQ(status({{"If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}), 200);
  EXPECT_EQ(status({{"If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:36 GMT"}}), 412);
  EXPECT_EQ(status({{"If-Unmodified-Since", "not a date"}}), 200);
  // ...and ignored next to If-Match.
  EXPECT_EQ(status({{"If-Match", "*"}, {"If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:36 GMT"}}),
            200);
  // RFC 9110 13.2.2: If-Match and If-Unmodified-Since before If-None-Match and
  // If-Modified-Since; when they hold, the later ones still answer 304.
  EXPECT_EQ(status({{"If-Match", "\"other\""}, {"If-None-Match", etag}}), 412);
  EXPECT_EQ(status({{"If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:36 GMT"},
                    {"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}),
            412);
  EXPECT_EQ(status({{"If-Match", "*"}, {"If-None-Match", etag}}), 304);
  EXPECT_EQ(status({{"If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"},
                    {"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}),
            304);
}

TEST_F(HttpStaticFileHandlerTest, RefusesEveryTraversalAlike) {
  EmbeddedChannel ch = channel(config());
  const std::string notFound = body(get(ch, "/does-not-exist"));
  for (std::string_view target : {
           "/../etc/passwd",
           "/../x",
           "/%2e%2e/x",
           "/%2E%2E%2Fx",
           "/..%2fx",
           "/..%2Fwww%2Fapp.js",
           "/sub/%2e%2e/app.js",
           "/a/../../x",
           "/sub/../app.js",
           "/./app.js",
           "/%2e/app.js",
           "/app.js%00.png",
           "/app.js%00",
           "/sub%2fpage.txt",
           "/sub%5cpage.txt",
           "/sub\\page.txt",
           "/..\\x",
           "//etc/passwd",
           "/sub//page.txt",
           "http://host/../x",
           "http://host/%2e%2e/x",
           "/escape",
           "/escapedir/secret.txt",
           "/escapedir/",
           "/.hidden",
           "/%2ehidden",
           "/%zz",
           "/%4",
           "/app.js%0a",
       }) {
    FullHttpResponse r = get(ch, std::string(target));
    EXPECT_EQ(r.status().code(), 404) << target;
    EXPECT_EQ(body(r), notFound) << target;
  }
}

TEST_F(HttpStaticFileHandlerTest, DoesNotServeFifoOrWaitForItsWriter) {
  ASSERT_EQ(::mkfifo((root_ / "pipe").c_str(), 0600), 0);
  EmbeddedChannel ch = channel(config());
  EXPECT_EQ(get(ch, "/pipe").status().code(), 404);
}

TEST_F(HttpStaticFileHandlerTest, ServesLinkThatStaysInsideRoot) {
  EmbeddedChannel ch = channel(config());
  FullHttpResponse r = get(ch, "/inner.js");
  EXPECT_EQ(r.status().code(), 200);
  EXPECT_EQ(body(r), kScript);
}

TEST_F(HttpStaticFileHandlerTest, ServesRootThatIsALink) {
  fs::create_symlink(root_, base_ / "link-to-www");
  HttpStaticFileConfig cfg = config();
  cfg.root = (base_ / "link-to-www").string();
  EmbeddedChannel ch = channel(cfg);
  EXPECT_EQ(body(get(ch, "/app.js")), kScript);
  EXPECT_EQ(get(ch, "/escape").status().code(), 404);
}

TEST_F(HttpStaticFileHandlerTest, ReadsAbsoluteFormAsItsPath) {
  EmbeddedChannel ch = channel(config());
  EXPECT_EQ(body(get(ch, "http://example.com/app.js")), kScript);
  EXPECT_EQ(body(get(ch, "HTTP://example.com")), kIndex);
  EXPECT_EQ(body(get(ch, "http://example.com?x")), kIndex);
}

TEST_F(HttpStaticFileHandlerTest, PassesOnRequestsOutsidePrefix) {
  HttpStaticFileConfig cfg = config();
  cfg.prefix = "/static/";
  EmbeddedChannel ch = channel(cfg);
  EXPECT_EQ(body(get(ch, "/static/app.js")), kScript);
  EXPECT_EQ(body(get(ch, "/static/")), kIndex);
  FullHttpResponse redirect = get(ch, "/static");
  EXPECT_EQ(redirect.status().code(), 301);
  EXPECT_EQ(header(redirect, HttpHeaderNames::kLocation), "/static/");

  // "/static" is outside the prefix too: only GET and HEAD are redirected into it.
  for (std::string_view uri :
       {"/api/users", "/app.js", "/staticx", "*", "/../etc/passwd", "/static"}) {
    ch.writeInbound(request(std::string(uri), {}, HttpMethod::kPost));
    std::optional<FullHttpRequest> passed = ch.readInbound<FullHttpRequest>();
    ASSERT_TRUE(passed.has_value()) << uri;
    EXPECT_EQ(passed->uri(), uri);
    EXPECT_TRUE(ch.outboundMessages().empty());
  }
  // Other messages (a body piece without an aggregator, a buffer) are not this handler's.
  ch.writeInbound(Unpooled::copiedBuffer("raw"));
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "raw");
}

TEST_F(HttpStaticFileHandlerTest, PassesOnUpgradeRequestsUntouched) {
  EmbeddedChannel ch = channel(config());
  ch.writeInbound(request("/ws", {{"Upgrade", "websocket"},
                                  {"Connection", "Upgrade"},
                                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                  {"Sec-WebSocket-Version", "13"}}));
  std::optional<FullHttpRequest> passed = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(passed.has_value());
  EXPECT_EQ(passed->uri(), "/ws");
  EXPECT_EQ(passed->headers().get(HttpHeaderNames::kSecWebSocketKey), "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_TRUE(ch.outboundMessages().empty());
}

TEST_F(HttpStaticFileHandlerTest, PassOnNotFoundHandsMissesToNextHandler) {
  HttpStaticFileConfig cfg = config();
  cfg.passOnNotFound = true;
  EmbeddedChannel ch = channel(cfg);
  EXPECT_EQ(body(get(ch, "/app.js")), kScript);
  for (auto [uri, method] :
       {std::pair{"/api/chat", HttpMethod::kGet}, std::pair{"/app.js", HttpMethod::kPost},
        std::pair{"/%2e%2e/x", HttpMethod::kGet}}) {
    ch.writeInbound(request(uri, {}, method));
    std::optional<FullHttpRequest> passed = ch.readInbound<FullHttpRequest>();
    ASSERT_TRUE(passed.has_value()) << uri;
    EXPECT_EQ(passed->uri(), uri);
    EXPECT_TRUE(ch.outboundMessages().empty());
  }
}

TEST_F(HttpStaticFileHandlerTest, CacheHitSharesMemory) {
  EmbeddedChannel ch = channel(config());
  FullHttpResponse first = get(ch, "/app.js");
  ByteBufAllocator& alloc = ch.config().allocator();
  const auto before = alloc.metrics();
  std::vector<FullHttpResponse> held;
  for (int i = 0; i < 50; ++i) {
    held.push_back(get(ch, "/app.js"));
  }
  const auto after = alloc.metrics();
  EXPECT_EQ(after.liveBuffers, before.liveBuffers);
  EXPECT_EQ(after.usedBytes, before.usedBytes);
  for (const FullHttpResponse& r : held) {
    EXPECT_EQ(r.content().memoryAddress(), first.content().memoryAddress());
    EXPECT_EQ(body(r), kScript);
  }
  const HttpStaticFileHandler::CacheStats stats =
      dynamic_cast<HttpStaticFileHandler&>(*ch.pipeline().last()).cacheStats();
  EXPECT_EQ(stats.misses, 1U);
  EXPECT_EQ(stats.hits, 50U);
  EXPECT_EQ(stats.files, 1U);
  EXPECT_EQ(stats.bytes, kScript.size());
}

TEST_F(HttpStaticFileHandlerTest, CacheSeesChangedFile) {
  HttpStaticFileConfig cfg = config();
  cfg.revalidateAfter = std::chrono::milliseconds(0);
  EmbeddedChannel ch = channel(cfg);
  setMtime(root_ / "app.js", 1'600'000'000);
  FullHttpResponse before = get(ch, "/app.js");
  EXPECT_EQ(body(get(ch, "/app.js")), kScript);

  write(root_ / "app.js", "changed();\n");
  setMtime(root_ / "app.js", 1'600'000'100);
  FullHttpResponse after = get(ch, "/app.js");
  EXPECT_EQ(body(after), "changed();\n");
  EXPECT_NE(header(after, HttpHeaderNames::kEtag), header(before, HttpHeaderNames::kEtag));
  // The old tag no longer matches.
  EXPECT_EQ(get(ch, "/app.js", {{"If-None-Match", header(before, "etag")}}).status().code(), 200);
  EXPECT_EQ(body(before), kScript);  // a response already made keeps its bytes

  fs::remove(root_ / "app.js");
  EXPECT_EQ(get(ch, "/app.js").status().code(), 404);
}

TEST_F(HttpStaticFileHandlerTest, CacheRevalidatesAfterInterval) {
  HttpStaticFileConfig cfg = config();
  cfg.revalidateAfter = std::chrono::seconds(1);
  EmbeddedChannel ch = channel(cfg);
  EXPECT_EQ(body(get(ch, "/app.js")), kScript);
  write(root_ / "app.js", "changed();\n");
  setMtime(root_ / "app.js", 1'600'000'100);
  EXPECT_EQ(body(get(ch, "/app.js")), kScript);  // not checked again within the interval
  ch.advanceTimeBy(std::chrono::milliseconds(1001));
  EXPECT_EQ(body(get(ch, "/app.js")), "changed();\n");
}

TEST_F(HttpStaticFileHandlerTest, CacheStaysWithinItsSize) {
  write(root_ / "a.txt", std::string(600, 'a'));
  write(root_ / "b.txt", std::string(600, 'b'));
  HttpStaticFileConfig cfg = config();
  cfg.maxCacheSize = 1000;
  EmbeddedChannel ch = channel(cfg);
  auto& handler = dynamic_cast<HttpStaticFileHandler&>(*ch.pipeline().last());
  EXPECT_EQ(body(get(ch, "/a.txt")), std::string(600, 'a'));
  EXPECT_EQ(body(get(ch, "/b.txt")), std::string(600, 'b'));
  EXPECT_EQ(handler.cacheStats().files, 1U);
  EXPECT_EQ(handler.cacheStats().bytes, 600U);
  EXPECT_EQ(body(get(ch, "/a.txt")), std::string(600, 'a'));
  EXPECT_EQ(handler.cacheStats().misses, 3U);
}

TEST_F(HttpStaticFileHandlerTest, CacheCountsEachKeptFileNotJustItsBytes) {
  // A link back to its own directory gives every file endlessly many names, each of them a
  // separate cache key; an empty file adds no content bytes. The cache must still stay
  // within its size instead of keeping every name it was asked for.
  write(root_ / "empty.txt", "");
  fs::create_symlink(".", root_ / "a");
  fs::create_symlink(".", root_ / "b");
  HttpStaticFileConfig cfg = config();
  cfg.maxCacheSize = 4096;
  EmbeddedChannel ch = channel(cfg);
  auto& handler = dynamic_cast<HttpStaticFileHandler&>(*ch.pipeline().last());
  for (unsigned i = 0; i < 256; ++i) {
    std::string path = "/";
    for (unsigned bit = 0; bit < 8; ++bit) {
      path += (i >> bit) & 1U ? "a/" : "b/";
    }
    FullHttpResponse r = get(ch, path + "empty.txt");
    ASSERT_EQ(r.status().code(), 200) << path;
    EXPECT_EQ(r.content().readableBytes(), 0U);
  }
  const HttpStaticFileHandler::CacheStats stats = handler.cacheStats();
  EXPECT_EQ(stats.misses, 256U);
  EXPECT_LT(stats.files, 20U);
  EXPECT_EQ(stats.bytes, 0U);
}

// A channel whose responses leave encoded, as they would reach a socket: only bytes count
// against the water marks, so the encoder belongs in front of ChunkedWriteHandler.
EmbeddedChannel encodingChannel(HttpStaticFileConfig cfg) {
  return EmbeddedChannel(std::make_unique<HttpResponseEncoder>(),
                         std::make_unique<ChunkedWriteHandler>(),
                         std::make_unique<HttpStaticFileHandler>(std::move(cfg)));
}

struct Wire {
  std::string head;  // status line and fields
  std::string body;
};

// Lets the bytes held in `ch` go, as a slow peer reads them, until a response with a body of
// `bodySize` bytes has left; checks that no more than the high water mark and one chunk
// (with its chunk framing) wait at any time, and that the writer did wait for the peer.
Wire drainStreamed(EmbeddedChannel& ch, std::size_t chunkSize, std::size_t bodySize) {
  const std::size_t high = ch.config().writeBufferWaterMark().high;
  std::string wire;
  std::size_t maxPending = 0;
  int rounds = 0;
  while (true) {
    ++rounds;
    maxPending = std::max(maxPending, ch.pendingOutboundBytes());
    EXPECT_LE(ch.pendingOutboundBytes(), high + chunkSize + 64);
    const std::size_t moved = ch.drainOutbound();
    ch.runPendingTasks();
    while (Message msg = ch.readOutbound()) {
      if (const ByteBuf* buf = msg.getIf<ByteBuf>()) {
        wire += buf->toStringView();
      } else if (const CompositeByteBuf* composite = msg.getIf<CompositeByteBuf>()) {
        wire += composite->toString();
      } else {
        ADD_FAILURE() << "unexpected " << msg.typeName();
      }
    }
    const std::size_t headEnd = wire.find("\r\n\r\n");
    const bool complete = headEnd != std::string::npos && wire.size() - headEnd - 4 >= bodySize;
    if (complete && moved == 0) {
      break;  // the whole body, and whatever empty last piece ends it, has left
    }
    if ((!complete && moved == 0 && ch.pendingOutboundBytes() == 0) || rounds > 100000) {
      ADD_FAILURE() << "the stream stalled after " << wire.size() << " bytes";
      break;
    }
  }
  // The writer did wait for the peer: it filled the buffer to the mark, in many rounds.
  EXPECT_GE(maxPending, high);
  EXPECT_GT(rounds, static_cast<int>(bodySize / (high + chunkSize)));
  const std::size_t headEnd = wire.find("\r\n\r\n");
  if (headEnd == std::string::npos) {
    return {wire, {}};
  }
  return {wire.substr(0, headEnd + 2), wire.substr(headEnd + 4)};
}

TEST_F(HttpStaticFileHandlerTest, StreamsLargeFileWithBoundedMemory) {
  std::string big(8 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<char>('a' + (i * 7 + i / 8191) % 26);
  }
  write(root_ / "big.bin", big);
  HttpStaticFileConfig cfg = config();
  EmbeddedChannel ch = encodingChannel(cfg);
  ch.setOutboundHeld(true);
  ch.writeInbound(request("/big.bin"));
  const Wire out = drainStreamed(ch, cfg.chunkSize, big.size());
  EXPECT_TRUE(out.head.starts_with("HTTP/1.1 200 OK\r\n")) << out.head;
  EXPECT_NE(out.head.find(fmt::format("content-length: {}\r\n", big.size())), std::string::npos)
      << out.head;
  EXPECT_NE(out.head.find("content-type: application/octet-stream\r\n"), std::string::npos);
  EXPECT_EQ(out.body.size(), big.size());
  EXPECT_TRUE(out.body == big);
  EXPECT_TRUE(ch.isOpen());
  const auto stats = dynamic_cast<HttpStaticFileHandler&>(*ch.pipeline().last()).cacheStats();
  EXPECT_EQ(stats.files, 0U);  // too large to keep

  // HEAD of a large file: the fields, no content, nothing streamed.
  ch.setOutboundHeld(false);
  EmbeddedChannel plain = channel(cfg);
  FullHttpResponse head = get(plain, "/big.bin", {}, HttpMethod::kHead);
  EXPECT_EQ(header(head, HttpHeaderNames::kContentLength), std::to_string(big.size()));
  EXPECT_EQ(head.content().readableBytes(), 0U);
}

TEST_F(HttpStaticFileHandlerTest, LargeFileClosesAfterItsLastChunkWhenAsked) {
  const std::size_t size = 300 * 1024;
  write(root_ / "big.bin", std::string(size, 'z'));
  HttpStaticFileConfig cfg = config();
  EmbeddedChannel ch = encodingChannel(cfg);
  ch.setOutboundHeld(true);
  ch.writeInbound(request("/big.bin", {{"Connection", "close"}}));
  EXPECT_TRUE(ch.isOpen());
  const Wire out = drainStreamed(ch, cfg.chunkSize, size);
  EXPECT_EQ(out.body, std::string(size, 'z'));
  EXPECT_NE(out.head.find("connection: close\r\n"), std::string::npos) << out.head;
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
}

// A file that shrinks while it is sent cannot fill the Content-Length the response
// announced: the connection must close, or a keep-alive client waits for the missing bytes
// forever and would read the next response as the rest of this body.
TEST_F(HttpStaticFileHandlerTest, FileThatShrinksWhileSentClosesTheConnection) {
  const std::size_t size = 1024 * 1024;
  write(root_ / "big.bin", std::string(size, 'q'));
  HttpStaticFileConfig cfg = config();
  EmbeddedChannel ch = encodingChannel(cfg);
  ch.setOutboundHeld(true);
  ch.writeInbound(request("/big.bin"));  // HTTP/1.1: keep-alive
  ASSERT_GT(ch.pendingOutboundBytes(), 0U);
  fs::resize_file(root_ / "big.bin", 1000);
  for (int i = 0; i < 1000 && ch.isOpen(); ++i) {
    const std::size_t moved = ch.drainOutbound();
    ch.runPendingTasks();
    ch.releaseOutbound();
    if (moved == 0 && ch.pendingOutboundBytes() == 0) {
      break;
    }
  }
  EXPECT_FALSE(ch.isOpen());
}

TEST_F(HttpStaticFileHandlerTest, KeepsOrClosesConnectionAsRequestSays) {
  {
    EmbeddedChannel ch = channel(config());
    FullHttpResponse r = get(ch, "/app.js", {{"Connection", "close"}});
    EXPECT_EQ(header(r, HttpHeaderNames::kConnection), "close");
    EXPECT_FALSE(ch.isOpen());
  }
  {
    EmbeddedChannel ch = channel(config());
    FullHttpResponse r = get(ch, "/app.js", {}, HttpMethod::kGet, HttpVersion::kHttp10);
    EXPECT_EQ(header(r, HttpHeaderNames::kConnection), "close");
    EXPECT_FALSE(ch.isOpen());
  }
  {
    EmbeddedChannel ch = channel(config());
    FullHttpResponse r =
        get(ch, "/app.js", {{"Connection", "keep-alive"}}, HttpMethod::kGet, HttpVersion::kHttp10);
    EXPECT_EQ(header(r, HttpHeaderNames::kConnection), "keep-alive");
    EXPECT_TRUE(ch.isOpen());
  }
  {
    EmbeddedChannel ch = channel(config());
    FullHttpResponse r = get(ch, "/missing", {{"Connection", "close"}});
    EXPECT_EQ(r.status().code(), 404);
    EXPECT_FALSE(ch.isOpen());
  }
}

TEST_F(HttpStaticFileHandlerTest, ServesThroughTheHttpCodec) {
  auto files = std::make_shared<HttpStaticFileHandler>(config());
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpObjectAggregator>(65536),
                     std::make_unique<ChunkedWriteHandler>(), files);
  ch.writeInbound(
      Unpooled::copiedBuffer("GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n"
                             "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string wire;
  while (std::optional<ByteBuf> out = ch.readOutbound<ByteBuf>()) {
    wire += out->toStringView();
  }
  EXPECT_TRUE(wire.starts_with("HTTP/1.1 200 OK\r\n")) << wire;
  EXPECT_NE(wire.find("\r\n\r\n" + kScript + "HTTP/1.1 200 OK\r\n"), std::string::npos) << wire;
  EXPECT_TRUE(wire.ends_with("\r\n\r\n")) << wire;  // HEAD: no body after the fields
  EXPECT_NE(wire.find(fmt::format("content-length: {}\r\n", kIndex.size())), std::string::npos)
      << wire;

  // The same handler, shared, serves a second connection from the same cache.
  EmbeddedChannel other(std::make_unique<ChunkedWriteHandler>(), files);
  EXPECT_EQ(body(get(other, "/app.js")), kScript);
  EXPECT_EQ(files->cacheStats().hits, 1U);
  EXPECT_FALSE(ch.finishAndReleaseAll());
}

TEST_F(HttpStaticFileHandlerTest, RejectsBadConfig) {
  EXPECT_THROW(HttpStaticFileHandler({.root = (base_ / "missing").string()}),
               std::invalid_argument);
  EXPECT_THROW(HttpStaticFileHandler({.root = (root_ / "app.js").string()}), std::invalid_argument);
  EXPECT_THROW(HttpStaticFileHandler({.root = root_.string(), .prefix = "static/"}),
               std::invalid_argument);
  EXPECT_THROW(HttpStaticFileHandler({.root = root_.string(), .prefix = "/static"}),
               std::invalid_argument);
  EXPECT_THROW(HttpStaticFileHandler({.root = root_.string(), .indexFile = "../x"}),
               std::invalid_argument);
  EXPECT_THROW(HttpStaticFileHandler({.root = root_.string(), .cacheControl = "a\r\nb: c"}),
               std::invalid_argument);
}

}  // namespace
}  // namespace sluice::http
