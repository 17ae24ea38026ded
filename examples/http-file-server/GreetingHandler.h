#pragma once

#include <fmt/format.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpUtil.h>
#include <sluice/http/QueryStringDecoder.h>
#include <sluice/http/cookie/ServerCookieDecoder.h>
#include <sluice/http/cookie/ServerCookieEncoder.h>

#include <charconv>
#include <string>
#include <string_view>

// [docs:http-file-server-greeting]
/// GET /api/greet?name=Ada answers {"greeting":"Hello, Ada","visits":N} and counts the
/// caller's visits in a cookie. Every other request goes on to the next handler (the files).
class GreetingHandler : public sluice::ChannelInboundHandler {
 public:
  void channelRead(sluice::ChannelHandlerContext& ctx, sluice::Message msg) override {
    namespace http = sluice::http;
    auto* request = msg.getIf<http::FullHttpRequest>();
    if (request == nullptr) {
      ctx.fireChannelRead(std::move(msg));
      return;
    }
    const http::QueryStringDecoder query(request->uri());
    if (query.path() != "/api/greet") {
      ctx.fireChannelRead(std::move(msg));
      return;
    }

    int visits = 0;
    if (auto header = request->headers().get(http::HttpHeaderNames::kCookie)) {
      for (const http::Cookie& cookie : http::ServerCookieDecoder::strict().decode(*header)) {
        if (cookie.name() == "visits") {
          std::from_chars(cookie.value().data(), cookie.value().data() + cookie.value().size(),
                          visits);
        }
      }
    }
    ++visits;
    const std::string name{query.parameters().getFirst("name").value_or("stranger")};

    const std::string json =
        fmt::format(R"({{"greeting":"Hello, {}","visits":{}}})", jsonEscape(name), visits);
    sluice::ByteBuf body = ctx.alloc().buffer(json.size());
    body.writeBytes(json);
    http::FullHttpResponse response(request->protocolVersion(), http::HttpResponseStatus::kOk,
                                    std::move(body));
    http::Cookie counter("visits", std::to_string(visits));
    counter.setPath("/").setHttpOnly(true).setSameSite(http::SameSite::Lax);
    response.headers()
        .add(http::HttpHeaderNames::kContentType, "application/json")
        .add(http::HttpHeaderNames::kContentLength,
             static_cast<std::int64_t>(response.content().readableBytes()))
        .add(http::HttpHeaderNames::kSetCookie,
             http::ServerCookieEncoder::strict().encode(counter));

    const bool keepAlive = http::HttpUtil::isKeepAlive(*request);
    http::HttpUtil::setKeepAlive(response, keepAlive);
    sluice::ChannelFuture written = ctx.writeAndFlush(sluice::Message(std::move(response)));
    if (!keepAlive) {
      written.addListener(sluice::ChannelFutureListener::kClose);
    }
  }

 private:
  static std::string jsonEscape(std::string_view s) {
    std::string out;
    for (const char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
      } else {
        out += c;
      }
    }
    return out;
  }
};
// [docs:end]
