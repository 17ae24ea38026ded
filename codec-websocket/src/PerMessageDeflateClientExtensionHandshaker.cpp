#include <sluice/websocket/PerMessageDeflateClientExtensionHandshaker.h>
#include <sluice/websocket/PerMessageDeflateDecoder.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>

#include <stdexcept>
#include <string>

#include "PerMessageDeflateParameters.h"

namespace sluice::websocket {
namespace {

class PerMessageDeflateClientExtension final : public WebSocketClientExtension {
 public:
  PerMessageDeflateClientExtension(PerMessageDeflateEncoderConfig encoder,
                                   PerMessageDeflateDecoderConfig decoder)
      : encoder_(encoder), decoder_(decoder) {}

  int rsv() const override { return kRsv1; }
  std::unique_ptr<ChannelHandler> newExtensionEncoder() override {
    return std::make_unique<PerMessageDeflateEncoder>(encoder_);
  }
  std::unique_ptr<ChannelHandler> newExtensionDecoder() override {
    return std::make_unique<PerMessageDeflateDecoder>(decoder_);
  }

 private:
  PerMessageDeflateEncoderConfig encoder_;
  PerMessageDeflateDecoderConfig decoder_;
};

}  // namespace

PerMessageDeflateClientExtensionHandshaker::PerMessageDeflateClientExtensionHandshaker(
    PerMessageDeflateClientConfig config)
    : config_(config) {
  if (config.compressionLevel < 0 || config.compressionLevel > 9) {
    throw std::invalid_argument("permessage-deflate: compressionLevel must be 0 to 9");
  }
  if (config.memLevel < 1 || config.memLevel > 9) {
    throw std::invalid_argument("permessage-deflate: memLevel must be 1 to 9");
  }
  if (config.requestedServerWindowSize < 8 || config.requestedServerWindowSize > 15) {
    throw std::invalid_argument("permessage-deflate: requestedServerWindowSize must be 8 to 15");
  }
}

WebSocketExtensionData PerMessageDeflateClientExtensionHandshaker::newRequestData() const {
  WebSocketExtensionData offer{std::string(kExtensionName), {}};
  if (config_.requestedServerNoContext) {
    offer.parameters.emplace_back("server_no_context_takeover", "");
  }
  if (config_.clientNoContextTakeover) {
    offer.parameters.emplace_back("client_no_context_takeover", "");
  }
  if (config_.requestedServerWindowSize < 15) {
    offer.parameters.emplace_back("server_max_window_bits",
                                  std::to_string(config_.requestedServerWindowSize));
  }
  if (config_.allowClientWindowSize) {
    offer.parameters.emplace_back("client_max_window_bits", "");
  }
  return offer;
}

std::unique_ptr<WebSocketClientExtension>
PerMessageDeflateClientExtensionHandshaker::handshakeExtension(
    const WebSocketExtensionData& response) const {
  if (response.name != kExtensionName) {
    return nullptr;
  }
  const std::optional<detail::PerMessageDeflateParameters> parsed =
      detail::parsePerMessageDeflateParameters(response, /*response=*/true);
  if (!parsed) {
    return nullptr;  // RFC 7692 7: an unknown, repeated or invalid parameter
  }
  const detail::PerMessageDeflateParameters& p = *parsed;
  // RFC 7692 7.1.2.1: the answer is the requested value or smaller.
  const int requested = config_.requestedServerWindowSize;
  if (requested < 15 && (p.serverMaxWindowBits == 0 || p.serverMaxWindowBits > requested)) {
    return nullptr;
  }
  // RFC 7692 7.1.1.1: a server accepts the request by including the parameter.
  if (config_.requestedServerNoContext && !p.serverNoContextTakeover) {
    return nullptr;
  }
  // RFC 7692 7.1.2.2: only in answer to an offer that has it; 8 is more than zlib can do.
  if (p.clientMaxWindowBits && (!config_.allowClientWindowSize || p.clientMaxWindowBitsValue < 9)) {
    return nullptr;
  }
  PerMessageDeflateEncoderConfig encoder{
      .deflater = {.compressionLevel = config_.compressionLevel,
                   .windowBits = p.clientMaxWindowBits ? p.clientMaxWindowBitsValue : 15,
                   .memLevel = config_.memLevel,
                   .noContextTakeover =
                       p.clientNoContextTakeover || config_.clientNoContextTakeover},
      .compressionThreshold = config_.compressionThreshold,
      .engine = config_.deflateEngine,
  };
  PerMessageDeflateDecoderConfig decoder{
      .inflater = {.windowBits = p.serverMaxWindowBits != 0 ? p.serverMaxWindowBits : 15,
                   .noContextTakeover = p.serverNoContextTakeover,
                   .maxMessageLength = config_.maxMessageLength},
      .engine = config_.inflateEngine,
  };
  return std::make_unique<PerMessageDeflateClientExtension>(encoder, decoder);
}

}  // namespace sluice::websocket
