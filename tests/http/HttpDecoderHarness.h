#pragma once

// Drives HttpRequestDecoder / HttpResponseDecoder on an EmbeddedChannel and renders what
// they emit as compact strings, so a test can state the whole observable result in one
// line per object and check that every split of the input gives the same result.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpObjectDecoder.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http::testing {

/// The result of a decode, one string per event:
///   "GET /x HTTP/1.1 {Host: a, Content-Length: 2}"   a request (fields as received)
///   "HTTP/1.1 200 OK {}"                              a response
///   "BODY <bytes>"                                    the content of one message, pieces joined
///   "END" / "END {Expires: x}"                        its LastHttpContent (with trailers)
///   "RAW <bytes>"                                     bytes passed through after an upgrade
///   "... !<error message>"                            a failed decoderResult()
///   "EXCEPTION <message>"                             exceptionCaught (never expected)
///   "OVERSIZED <n>"                                   a content piece above maxChunkSize
using Events = std::vector<std::string>;

inline std::string renderHeaders(const HttpHeaders& headers) {
  std::string s = "{";
  for (const HttpHeaders::Entry& e : headers) {
    s += s.size() == 1 ? "" : ", ";
    s += fmt::format("{}: {}", e.name, e.value);
  }
  return s + "}";
}

inline std::string renderResult(const HttpObject& o) {
  return o.decoderResult().isSuccess() ? std::string()
                                       : " !" + o.decoderResult().cause().code().message();
}

/// The last handler of a decoder test: renders each object it receives into Events.
class HttpObjectRecorder : public ChannelInboundHandler {
 public:
  HttpObjectRecorder(Events* events, std::size_t maxChunkSize)
      : events_(events), maxChunkSize_(maxChunkSize) {}

  void channelRead(ChannelHandlerContext&, Message msg) override {
    if (const auto* request = msg.getIf<HttpRequest>()) {
      events_->push_back(fmt::format("{} {} {} {}", request->method(), request->uri(),
                                     request->protocolVersion(),
                                     renderHeaders(request->headers())) +
                         renderResult(*request));
    } else if (const auto* response = msg.getIf<HttpResponse>()) {
      events_->push_back(fmt::format("{} {} {} {}", response->protocolVersion(),
                                     response->status().code(), response->status().reasonPhrase(),
                                     renderHeaders(response->headers())) +
                         renderResult(*response));
    } else if (const auto* content = msg.getIf<HttpContent>()) {
      const std::size_t n = content->content().readableBytes();
      if (n > maxChunkSize_) {
        events_->push_back(fmt::format("OVERSIZED {}", n));
      }
      if (n != 0) {
        append("BODY ", content->content().toStringView());
      }
      if (const auto* last = msg.getIf<LastHttpContent>()) {
        events_->push_back((last->trailingHeaders().isEmpty()
                                ? "END"
                                : "END " + renderHeaders(last->trailingHeaders())) +
                           renderResult(*last));
      }
    } else if (const auto* raw = msg.getIf<ByteBuf>()) {
      append("RAW ", raw->toStringView());
    } else {
      events_->push_back("UNEXPECTED " + msg.typeName());
    }
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    events_->push_back("EXCEPTION " + error.message());
  }

 private:
  // Content and raw bytes are joined, so that any split of the input renders the same.
  void append(std::string_view tag, std::string_view bytes) {
    if (!events_->empty() && events_->back().starts_with(tag)) {
      events_->back() += bytes;
    } else {
      events_->push_back(std::string(tag) + std::string(bytes));
    }
  }

  Events* events_;
  std::size_t maxChunkSize_;
};

using DecoderFactory = std::function<std::unique_ptr<HttpObjectDecoder>()>;

/// How the input reaches the decoder in decodeChunks.
enum class Buffers { Pooled, Unpooled };

/// Feeds `chunks` to a fresh decoder, one read each; then closes the channel when `close`.
inline Events decodeChunks(const DecoderFactory& make, const std::vector<std::string_view>& chunks,
                           Cumulator cumulator = Cumulator::Merge,
                           Buffers buffers = Buffers::Pooled, bool close = true) {
  Events events;
  std::unique_ptr<HttpObjectDecoder> decoder = make();
  decoder->setCumulator(cumulator);
  const std::size_t maxChunkSize = decoder->decoderConfig().maxChunkSize;
  EmbeddedChannel ch(std::move(decoder),
                     std::make_unique<HttpObjectRecorder>(&events, maxChunkSize));
  for (std::string_view c : chunks) {
    ch.writeInbound(buffers == Buffers::Pooled
                        ? PooledByteBufAllocator::defaultAllocator().copiedBuffer(c)
                        : Unpooled::copiedBuffer(c));
  }
  if (close) {
    ch.finish();
  }
  return events;
}

/// Feeds `input` whole, split in two at every index, and one byte per read, with both
/// cumulators and pooled and unpooled buffers, then closes the channel; expects the same
/// events every time, and returns them.
inline Events expectSameAtEverySplit(const DecoderFactory& make, std::string_view input) {
  const Events whole = decodeChunks(make, {input});
  for (Cumulator cumulator : {Cumulator::Merge, Cumulator::Composite}) {
    const char* name = cumulator == Cumulator::Merge ? " (merge)" : " (composite)";
    for (std::size_t i = 0; i <= input.size(); ++i) {
      const Buffers buffers = i % 2 == 0 ? Buffers::Pooled : Buffers::Unpooled;
      EXPECT_EQ(decodeChunks(make, {input.substr(0, i), input.substr(i)}, cumulator, buffers),
                whole)
          << "split at " << i << name;
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < input.size(); ++i) {
      bytes.push_back(input.substr(i, 1));
    }
    EXPECT_EQ(decodeChunks(make, bytes, cumulator, Buffers::Unpooled), whole)
        << "byte by byte" << name;
  }
  return whole;
}

}  // namespace sluice::http::testing
