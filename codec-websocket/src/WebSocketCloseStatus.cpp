#include <sluice/websocket/WebSocketCloseStatus.h>

namespace sluice::websocket {

WebSocketCloseStatus WebSocketCloseStatus::valueOf(int code) noexcept {
  for (const WebSocketCloseStatus* s :
       {&kNormalClosure, &kEndpointUnavailable, &kProtocolError, &kInvalidMessageType,
        &kInvalidPayloadData, &kPolicyViolation, &kMessageTooBig, &kMandatoryExtension,
        &kInternalServerError, &kServiceRestart, &kTryAgainLater, &kBadGateway, &kEmpty,
        &kAbnormalClosure, &kTlsHandshakeFailed}) {
    if (s->code() == code) {
      return *s;
    }
  }
  return WebSocketCloseStatus(code, {});
}

}  // namespace sluice::websocket
