#pragma once

// The HTTP message model (Netty's HttpObject family), in one file because its nine types are
// one small hierarchy:
//
//   HttpObject                      decoderResult()
//   ├── HttpMessage                 protocolVersion(), headers()
//   │   ├── HttpRequest             method(), uri()
//   │   └── HttpResponse            status()
//   └── HttpContent                 content()
//       └── LastHttpContent         trailingHeaders()
//   FullHttpMessage   = HttpMessage + LastHttpContent
//   FullHttpRequest   = HttpRequest + FullHttpMessage
//   FullHttpResponse  = HttpResponse + FullHttpMessage
//
// Every type declares its supertypes, so Message's is-a tests answer as Java's instanceof:
// a FullHttpRequest is an HttpRequest, an HttpMessage, a LastHttpContent, an HttpContent and
// an HttpObject, and SimpleChannelInboundHandler<HttpObject> receives all of them.
// HttpObject and HttpMessage are virtual bases, so a full message has one of each.
//
// Netty's interfaces and their Default* classes are one class each here: HttpRequest is
// Netty's DefaultHttpRequest, and so on (docs/netty-mapping.md).

#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/ByteBufHolder.h>
#include <sluice/channel/Message.h>
#include <sluice/codec/DecoderResult.h>
#include <sluice/http/HttpHeaders.h>
#include <sluice/http/HttpMethod.h>
#include <sluice/http/HttpResponseStatus.h>
#include <sluice/http/HttpVersion.h>

#include <string>
#include <utility>

namespace sluice::http {

/// What every HTTP message and content piece is: it carries the result of decoding it.
/// Assignment is deleted throughout the family (virtual bases make it ambiguous); copy or
/// move-construct instead.
class HttpObject {
 public:
  virtual ~HttpObject() = default;
  HttpObject& operator=(const HttpObject&) = delete;
  HttpObject& operator=(HttpObject&&) = delete;

  /// Success, or why the decoder could not decode this message (see HttpErrc).
  const DecoderResult& decoderResult() const noexcept { return decoderResult_; }
  void setDecoderResult(DecoderResult result) noexcept { decoderResult_ = std::move(result); }

 protected:
  HttpObject() = default;
  HttpObject(const HttpObject&) = default;
  HttpObject(HttpObject&&) noexcept = default;

 private:
  DecoderResult decoderResult_;
};

/// The start of a request or response: version and header fields.
class HttpMessage : public virtual HttpObject {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<HttpMessage, HttpObject>;

  HttpVersion protocolVersion() const noexcept { return version_; }
  void setProtocolVersion(HttpVersion version) noexcept { version_ = version; }
  HttpHeaders& headers() noexcept { return headers_; }
  const HttpHeaders& headers() const noexcept { return headers_; }

 protected:
  HttpMessage() noexcept : version_(HttpVersion::kHttp11) {}
  HttpMessage(HttpVersion version, HttpHeaders headers) noexcept
      : version_(version), headers_(std::move(headers)) {}
  HttpMessage(const HttpMessage&) = default;
  HttpMessage(HttpMessage&&) noexcept = default;

 private:
  HttpVersion version_;
  HttpHeaders headers_;
};

/// A request's start: method, request target and headers; its body follows as HttpContent
/// pieces ending with a LastHttpContent (Netty's DefaultHttpRequest).
class HttpRequest : public virtual HttpMessage {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<HttpRequest, HttpMessage>;

  HttpRequest(HttpVersion version, HttpMethod method, std::string uri,
              HeaderValidation validation = HeaderValidation::On)
      : HttpRequest(version, std::move(method), std::move(uri), HttpHeaders(validation)) {}
  HttpRequest(HttpVersion version, HttpMethod method, std::string uri, HttpHeaders headers)
      : HttpMessage(version, std::move(headers)),
        method_(std::move(method)),
        uri_(std::move(uri)) {}
  HttpRequest(const HttpRequest&) = default;
  HttpRequest(HttpRequest&&) noexcept = default;

  const HttpMethod& method() const noexcept { return method_; }
  void setMethod(HttpMethod method) noexcept { method_ = std::move(method); }
  /// The request target as received or given ("/chat?room=1", "*", "host:443").
  const std::string& uri() const noexcept { return uri_; }
  void setUri(std::string uri) noexcept { uri_ = std::move(uri); }

 protected:
  /// For FullHttpRequest, which initialises the virtual HttpMessage itself.
  HttpRequest(HttpMethod method, std::string uri) noexcept
      : method_(std::move(method)), uri_(std::move(uri)) {}

 private:
  HttpMethod method_;
  std::string uri_;
};

/// A response's start: status and headers (Netty's DefaultHttpResponse).
class HttpResponse : public virtual HttpMessage {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<HttpResponse, HttpMessage>;

  HttpResponse(HttpVersion version, HttpResponseStatus status,
               HeaderValidation validation = HeaderValidation::On)
      : HttpResponse(version, std::move(status), HttpHeaders(validation)) {}
  HttpResponse(HttpVersion version, HttpResponseStatus status, HttpHeaders headers)
      : HttpMessage(version, std::move(headers)), status_(std::move(status)) {}
  HttpResponse(const HttpResponse&) = default;
  HttpResponse(HttpResponse&&) noexcept = default;

  const HttpResponseStatus& status() const noexcept { return status_; }
  void setStatus(HttpResponseStatus status) noexcept { status_ = std::move(status); }

 protected:
  explicit HttpResponse(HttpResponseStatus status) noexcept : status_(std::move(status)) {}

 private:
  HttpResponseStatus status_;
};

/// A piece of a message body (Netty's DefaultHttpContent). Owns its bytes, content(); move
/// them out with std::move(content.content()). Move-only. A ByteBufHolder, so the channel
/// counts its bytes against the water marks.
class HttpContent : public virtual HttpObject, public ByteBufHolder {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<HttpContent, HttpObject, ByteBufHolder>;

  explicit HttpContent(ByteBuf content) noexcept : ByteBufHolder(std::move(content)) {}
  HttpContent(HttpContent&&) noexcept = default;
};

/// The last piece of a message body, with the trailer fields of a chunked message
/// (Netty's DefaultLastHttpContent; LastHttpContent() is its EMPTY_LAST_CONTENT).
class LastHttpContent : public HttpContent {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<LastHttpContent, HttpContent>;

  /// No bytes, no trailers. Allocates nothing.
  LastHttpContent() noexcept : HttpContent(ByteBuf()) {}
  explicit LastHttpContent(ByteBuf content,
                           HeaderValidation validation = HeaderValidation::On) noexcept
      : HttpContent(std::move(content)), trailingHeaders_(validation) {}
  LastHttpContent(ByteBuf content, HttpHeaders trailingHeaders) noexcept
      : HttpContent(std::move(content)), trailingHeaders_(std::move(trailingHeaders)) {}
  LastHttpContent(LastHttpContent&&) noexcept = default;

  HttpHeaders& trailingHeaders() noexcept { return trailingHeaders_; }
  const HttpHeaders& trailingHeaders() const noexcept { return trailingHeaders_; }

 private:
  HttpHeaders trailingHeaders_;
};

/// A whole message: start, body and trailers in one object (what HttpObjectAggregator
/// makes).
class FullHttpMessage : public virtual HttpMessage, public LastHttpContent {
 public:
  using MessageSupertypes =
      sluice::MessageSupertypes<FullHttpMessage, HttpMessage, LastHttpContent>;

 protected:
  FullHttpMessage(ByteBuf content, HttpHeaders trailingHeaders) noexcept
      : LastHttpContent(std::move(content), std::move(trailingHeaders)) {}
  FullHttpMessage(FullHttpMessage&&) noexcept = default;
};

/// A whole request (Netty's DefaultFullHttpRequest).
class FullHttpRequest : public HttpRequest, public FullHttpMessage {
 public:
  using MessageSupertypes =
      sluice::MessageSupertypes<FullHttpRequest, HttpRequest, FullHttpMessage>;

  FullHttpRequest(HttpVersion version, HttpMethod method, std::string uri,
                  ByteBuf content = ByteBuf(), HeaderValidation validation = HeaderValidation::On)
      : FullHttpRequest(version, std::move(method), std::move(uri), std::move(content),
                        HttpHeaders(validation), HttpHeaders(validation)) {}
  FullHttpRequest(HttpVersion version, HttpMethod method, std::string uri, ByteBuf content,
                  HttpHeaders headers, HttpHeaders trailingHeaders)
      : HttpMessage(version, std::move(headers)),
        HttpRequest(std::move(method), std::move(uri)),
        FullHttpMessage(std::move(content), std::move(trailingHeaders)) {}
  FullHttpRequest(FullHttpRequest&&) noexcept = default;

  /// A copy with its own copy of the content bytes.
  FullHttpRequest copy() const;
  /// A copy whose content shares these bytes (a retained duplicate, Netty's
  /// retainedDuplicate()).
  FullHttpRequest retainedDuplicate() const;
};

/// A whole response (Netty's DefaultFullHttpResponse).
class FullHttpResponse : public HttpResponse, public FullHttpMessage {
 public:
  using MessageSupertypes =
      sluice::MessageSupertypes<FullHttpResponse, HttpResponse, FullHttpMessage>;

  FullHttpResponse(HttpVersion version, HttpResponseStatus status, ByteBuf content = ByteBuf(),
                   HeaderValidation validation = HeaderValidation::On)
      : FullHttpResponse(version, std::move(status), std::move(content), HttpHeaders(validation),
                         HttpHeaders(validation)) {}
  FullHttpResponse(HttpVersion version, HttpResponseStatus status, ByteBuf content,
                   HttpHeaders headers, HttpHeaders trailingHeaders)
      : HttpMessage(version, std::move(headers)),
        HttpResponse(std::move(status)),
        FullHttpMessage(std::move(content), std::move(trailingHeaders)) {}
  FullHttpResponse(FullHttpResponse&&) noexcept = default;

  /// A copy with its own copy of the content bytes.
  FullHttpResponse copy() const;
  /// A copy whose content shares these bytes.
  FullHttpResponse retainedDuplicate() const;
};

}  // namespace sluice::http
