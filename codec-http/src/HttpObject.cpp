#include <sluice/http/HttpObject.h>

namespace sluice::http {
namespace {

ByteBuf copyOf(const ByteBuf& content) {
  return content.memoryAddress() == nullptr ? ByteBuf() : content.copy();
}
ByteBuf duplicateOf(const ByteBuf& content) {
  return content.memoryAddress() == nullptr ? ByteBuf() : content.retainedDuplicate();
}

}  // namespace

FullHttpRequest FullHttpRequest::copy() const {
  FullHttpRequest r(protocolVersion(), method(), uri(), copyOf(content()), headers(),
                    trailingHeaders());
  r.setDecoderResult(decoderResult());
  return r;
}

FullHttpRequest FullHttpRequest::retainedDuplicate() const {
  FullHttpRequest r(protocolVersion(), method(), uri(), duplicateOf(content()), headers(),
                    trailingHeaders());
  r.setDecoderResult(decoderResult());
  return r;
}

FullHttpResponse FullHttpResponse::copy() const {
  FullHttpResponse r(protocolVersion(), status(), copyOf(content()), headers(), trailingHeaders());
  r.setDecoderResult(decoderResult());
  return r;
}

FullHttpResponse FullHttpResponse::retainedDuplicate() const {
  FullHttpResponse r(protocolVersion(), status(), duplicateOf(content()), headers(),
                     trailingHeaders());
  r.setDecoderResult(decoderResult());
  return r;
}

}  // namespace sluice::http
