#pragma once

// The body of the HTTP decoder fuzz targets: the input after its first byte is one
// connection's bytes, decoded once whole and once split into two reads at a position the
// first byte picks (its top bit also picks small limits, so that the limit paths are
// reached). The decoder must not crash, throw, leak or hang, must keep every content piece
// within maxChunkSize, and must emit the same objects however the input is split.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpObjectDecoder.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::http::fuzzing {

/// Renders what reaches it into one string; content pieces are joined (a split may cut them
/// differently), everything else is delimited.
class Recorder : public ChannelInboundHandler {
 public:
  Recorder(std::string* out, std::size_t maxChunkSize) : out_(out), maxChunkSize_(maxChunkSize) {}

  void channelRead(ChannelHandlerContext&, Message msg) override {
    if (const auto* m = msg.getIf<HttpMessage>()) {
      *out_ += "\n<msg ";
      if (const auto* request = msg.getIf<HttpRequest>()) {
        *out_ += request->method().name();
        *out_ += ' ';
        *out_ += request->uri();
      } else if (const auto* response = msg.getIf<HttpResponse>()) {
        *out_ += std::to_string(response->status().code());
        *out_ += response->status().reasonPhrase();
      }
      *out_ += m->protocolVersion().text();
      for (const HttpHeaders::Entry& e : m->headers()) {
        *out_ += '|';
        *out_ += e.name;
        *out_ += ':';
        *out_ += e.value;
      }
      result(*m);
    }
    if (const auto* content = msg.getIf<HttpContent>()) {
      if (content->content().readableBytes() > maxChunkSize_) {
        std::abort();  // a piece larger than allowed
      }
      *out_ += content->content().toStringView();
      if (const auto* last = msg.getIf<LastHttpContent>()) {
        *out_ += "\n<last";
        for (const HttpHeaders::Entry& e : last->trailingHeaders()) {
          *out_ += '|';
          *out_ += e.name;
          *out_ += ':';
          *out_ += e.value;
        }
        result(*last);
      }
    } else if (const auto* raw = msg.getIf<ByteBuf>()) {
      *out_ += raw->toStringView();
    }
  }

  void exceptionCaught(ChannelHandlerContext&, const Error&) override {
    std::abort();  // bad input is reported in decoderResult(), never as an exception
  }

 private:
  void result(const HttpObject& o) {
    *out_ += o.decoderResult().isSuccess()
                 ? ">\n"
                 : " failed " + o.decoderResult().cause().code().message() + ">\n";
  }

  std::string* out_;
  std::size_t maxChunkSize_;
};

template <typename Decoder>
std::string decodeOnce(std::string_view stream, std::size_t split, const HttpDecoderConfig& config,
                       Cumulator cumulator) {
  std::string rendered;
  auto decoder = std::make_unique<Decoder>(config);
  decoder->setCumulator(cumulator);
  EmbeddedChannel ch(std::move(decoder),
                     std::make_unique<Recorder>(&rendered, config.maxChunkSize));
  if (split == 0 || split >= stream.size()) {
    ch.writeInbound(Unpooled::copiedBuffer(stream));
  } else {
    ch.writeInbound(Unpooled::copiedBuffer(stream.substr(0, split)));
    ch.writeInbound(Unpooled::copiedBuffer(stream.substr(split)));
  }
  ch.finishAndReleaseAll();
  return rendered;
}

template <typename Decoder>
int fuzzDecoder(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  const std::uint8_t control = data[0];
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  const HttpDecoderConfig config =
      (control & 0x80) != 0
          ? HttpDecoderConfig{.maxInitialLineLength = 40, .maxHeaderSize = 64, .maxChunkSize = 5}
          : HttpDecoderConfig{};
  const std::size_t split = (control & 0x7F) * stream.size() / 0x7F;
  const std::string whole = decodeOnce<Decoder>(stream, 0, config, Cumulator::Merge);
  const Cumulator cumulator = (control & 1) != 0 ? Cumulator::Composite : Cumulator::Merge;
  if (decodeOnce<Decoder>(stream, split, config, cumulator) != whole) {
    std::abort();  // the result depends on how the input was split
  }
  return 0;
}

}  // namespace sluice::http::fuzzing
