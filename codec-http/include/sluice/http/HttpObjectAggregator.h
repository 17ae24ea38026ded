#pragma once

#include <sluice/codec/MessageAggregator.h>
#include <sluice/http/HttpObject.h>

#include <cstddef>

namespace sluice::http {

/// Settings of an HttpObjectAggregator.
struct HttpObjectAggregatorConfig {
  /// The most content bytes one aggregated message may carry. Safe by default: 64 KiB.
  std::size_t maxContentLength = 65536;
  /// Whether to close the connection after refusing an expectation (a 417, or the 413 sent
  /// instead of "100 Continue"). When false the connection stays open and the refused
  /// request's content, if the client sends it, is read and dropped.
  bool closeOnExpectationFailed = false;
  /// The content buffers kept apart before they are joined (see MessageAggregatorConfig).
  std::size_t maxCumulationBufferComponents = 1024;
};

/// Fired through the pipeline (from its head) when HttpObjectAggregator refuses a request's
/// expectation with a 413 or 417 (Netty's HttpExpectationFailedEvent): the content of that
/// request will not be used, so a decoder may stop expecting it.
struct HttpExpectationFailedEvent {};

/// Joins an HttpRequest or HttpResponse, its HttpContent pieces and its LastHttpContent into
/// one FullHttpRequest or FullHttpResponse (Netty's HttpObjectAggregator), so that the
/// handlers after it see whole messages:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::HttpObjectAggregator>(65536);
/// ```
///
/// The aggregated message takes the start's version, method or status, headers and
/// decoder result, the trailer fields of the LastHttpContent, and the content joined (no
/// copy when it came in one buffer). It is no longer chunked: Transfer-Encoding is removed,
/// and Content-Length is set to the content's length unless the start had one (a response
/// to HEAD declares the length of a body it does not carry, RFC 9110 8.6). Full messages
/// and non-HTTP messages pass through untouched.
///
/// A server may answer for itself, as the table says; each answer is a FullHttpResponse
/// written and flushed toward the encoder, and nothing of the request it answers is passed
/// on except after a 100:
///
/// | Answer | When |
/// | --- | --- |
/// | 100 Continue | "Expect: 100-continue" and a Content-Length within the limit, or none |
/// | 413, Content-Length: 0 | "Expect: 100-continue" and a Content-Length over the limit |
/// | 417, Content-Length: 0 | an Expect value other than 100-continue |
/// | 413, Content-Length: 0 | a Content-Length over the limit, or content growing past it |
///
/// After a 413 or 417 refusing an expectation, the request's content is dropped; the
/// connection closes after the answer if closeOnExpectationFailed (and the answer then says
/// "Connection: close"). After the oversize 413 the connection closes (the answer says
/// "Connection: close") when content of the request had already arrived, since the rest of
/// it cannot be told from the next request, or when the request is not keep-alive and did
/// not expect 100-continue; otherwise it stays open and the request's content is dropped.
/// It also closes if writing the 413 fails. An oversized *response* (on a client) closes
/// the channel and fires CodecErrc::TooLongFrame ("response entity too large: content
/// length exceeded N bytes.").
///
/// A message that failed to decode is passed on as a Full message carrying that failure:
/// at once when its start failed, or when one of its contents failed, with what arrived so
/// far; whoever answers failed requests (HttpServerCodec's user) sees it.
///
/// Thread: the loop.
class HttpObjectAggregator : public MessageAggregator {
 public:
  explicit HttpObjectAggregator(HttpObjectAggregatorConfig config = {});
  /// An aggregator of messages up to `maxContentLength` content bytes.
  explicit HttpObjectAggregator(std::size_t maxContentLength)
      : HttpObjectAggregator(HttpObjectAggregatorConfig{.maxContentLength = maxContentLength}) {}

  bool closeOnExpectationFailed() const noexcept { return closeOnExpectationFailed_; }

 protected:
  bool isStartMessage(const Message& msg) override;
  bool isContentMessage(const Message& msg) override;
  bool isLastContentMessage(const Message& content) override;
  bool isAggregated(const Message& msg) override;
  ByteBuf* contentOf(Message& msg) override;
  std::optional<std::size_t> contentLength(const Message& start) override;
  Message beginAggregation(Message start) override;
  void aggregate(Message& aggregated, Message& content) override;
  void finishAggregation(Message& aggregated, ByteBuf content) override;
  void handleOversizedMessage(ChannelHandlerContext& ctx, const Message& oversized) override;
  Message newContinueResponse(Message& start, std::size_t maxContentLength,
                              ChannelPipeline& pipeline) override;
  bool closeAfterContinueResponse(const Message& response) override;
  bool ignoreContentAfterContinueResponse(const Message& response) override;
  const DecoderResult* decoderResultOf(const Message& msg) override;
  void setDecoderResult(Message& aggregated, DecoderResult result) override;

 private:
  bool closeOnExpectationFailed_;
};

}  // namespace sluice::http
