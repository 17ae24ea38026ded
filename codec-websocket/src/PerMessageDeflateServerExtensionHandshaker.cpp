#include <sluice/websocket/PerMessageDeflateDecoder.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>
#include <sluice/websocket/PerMessageDeflateServerExtensionHandshaker.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "PerMessageDeflateParameters.h"

namespace sluice::websocket {
namespace {

class PerMessageDeflateServerExtension final : public WebSocketServerExtension {
 public:
  PerMessageDeflateServerExtension(PerMessageDeflateEncoderConfig encoder,
                                   PerMessageDeflateDecoderConfig decoder,
                                   WebSocketExtensionData response)
      : encoder_(encoder), decoder_(decoder), response_(std::move(response)) {}

  int rsv() const override { return kRsv1; }
  std::unique_ptr<ChannelHandler> newExtensionEncoder() override {
    return std::make_unique<PerMessageDeflateEncoder>(encoder_);
  }
  std::unique_ptr<ChannelHandler> newExtensionDecoder() override {
    return std::make_unique<PerMessageDeflateDecoder>(decoder_);
  }
  WebSocketExtensionData newResponseData() const override { return response_; }

 private:
  PerMessageDeflateEncoderConfig encoder_;
  PerMessageDeflateDecoderConfig decoder_;
  WebSocketExtensionData response_;
};

}  // namespace

PerMessageDeflateServerExtensionHandshaker::PerMessageDeflateServerExtensionHandshaker(
    PerMessageDeflateServerConfig config)
    : config_(config) {
  if (config.compressionLevel < 0 || config.compressionLevel > 9) {
    throw std::invalid_argument("permessage-deflate: compressionLevel must be 0 to 9");
  }
  if (config.memLevel < 1 || config.memLevel > 9) {
    throw std::invalid_argument("permessage-deflate: memLevel must be 1 to 9");
  }
  if (config.serverMaxWindowBits < 9 || config.serverMaxWindowBits > 15) {
    throw std::invalid_argument("permessage-deflate: serverMaxWindowBits must be 9 to 15");
  }
  if (config.clientMaxWindowBits < 8 || config.clientMaxWindowBits > 15) {
    throw std::invalid_argument("permessage-deflate: clientMaxWindowBits must be 8 to 15");
  }
}

std::unique_ptr<WebSocketServerExtension>
PerMessageDeflateServerExtensionHandshaker::handshakeExtension(
    const WebSocketExtensionData& offer) const {
  if (offer.name != kExtensionName) {
    return nullptr;
  }
  const std::optional<detail::PerMessageDeflateParameters> parsed =
      detail::parsePerMessageDeflateParameters(offer, /*response=*/false);
  if (!parsed) {
    return nullptr;  // RFC 7692 7: decline (the client's next offer may do)
  }
  const detail::PerMessageDeflateParameters& p = *parsed;
  if (p.serverNoContextTakeover && !config_.allowServerNoContextTakeover) {
    return nullptr;
  }
  if (p.serverMaxWindowBits != 0 && !config_.allowServerWindowSize) {
    return nullptr;
  }
  // RFC 7692 7.1.2.1: the answer is the offer's value or smaller. zlib compresses raw deflate
  // with 512-byte windows at the least, so an offer of 8 is more than the server supports.
  const int serverWindow = p.serverMaxWindowBits != 0
                               ? std::min(config_.serverMaxWindowBits, p.serverMaxWindowBits)
                               : config_.serverMaxWindowBits;
  if (serverWindow < 9) {
    return nullptr;
  }
  const bool serverNoContext = p.serverNoContextTakeover || config_.serverNoContextTakeover;
  // RFC 7692 7.1.1.2: a client's client_no_context_takeover is a hint the server may agree to
  // (and so keep no inflate window), or the server may ask for it unasked.
  const bool clientNoContext = p.clientNoContextTakeover || config_.clientNoContextTakeover;
  // RFC 7692 7.1.2.2: client_max_window_bits only in answer to an offer that has it.
  int clientWindow = 15;
  bool answerClientWindow = false;
  if (p.clientMaxWindowBits) {
    clientWindow = config_.clientMaxWindowBits;
    if (p.clientMaxWindowBitsValue != 0) {
      clientWindow = std::min(clientWindow, p.clientMaxWindowBitsValue);
    }
    answerClientWindow = clientWindow < 15;
  }

  WebSocketExtensionData response{std::string(kExtensionName), {}};
  if (serverNoContext) {
    response.parameters.emplace_back("server_no_context_takeover", "");
  }
  if (clientNoContext) {
    response.parameters.emplace_back("client_no_context_takeover", "");
  }
  if (p.serverMaxWindowBits != 0 || serverWindow < 15) {
    response.parameters.emplace_back("server_max_window_bits", std::to_string(serverWindow));
  }
  if (answerClientWindow) {
    response.parameters.emplace_back("client_max_window_bits", std::to_string(clientWindow));
  }

  PerMessageDeflateEncoderConfig encoder{
      .deflater = {.compressionLevel = config_.compressionLevel,
                   .windowBits = serverWindow,
                   .memLevel = config_.memLevel,
                   .noContextTakeover = serverNoContext},
      .compressionThreshold = config_.compressionThreshold,
      .engine = config_.deflateEngine,
  };
  PerMessageDeflateDecoderConfig decoder{
      .inflater = {.windowBits = clientWindow,
                   .noContextTakeover = clientNoContext,
                   .maxMessageLength = config_.maxMessageLength},
      .engine = config_.inflateEngine,
  };
  return std::make_unique<PerMessageDeflateServerExtension>(encoder, decoder, std::move(response));
}

}  // namespace sluice::websocket
