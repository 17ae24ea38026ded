#include <sluice/websocket/WebSocketChunkedInput.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <stdexcept>
#include <utility>

namespace sluice::websocket {

WebSocketChunkedInput::WebSocketChunkedInput(std::unique_ptr<ChunkedInput> input, int rsv)
    : input_(std::move(input)), rsv_(rsv) {
  if (input_ == nullptr) {
    throw std::invalid_argument("WebSocketChunkedInput: input is null");
  }
  if (rsv < 0 || rsv > 7) {
    throw std::invalid_argument("WebSocketChunkedInput: rsv must be 0 to 7");
  }
}

void WebSocketChunkedInput::close() { input_->close(); }

ChunkResult WebSocketChunkedInput::readChunk(ByteBufAllocator& alloc) {
  if (finished_) {
    return {};
  }
  ByteBuf payload;
  if (!input_->isEndOfInput()) {
    ChunkResult result = input_->readChunk(alloc);
    if (!result.hasChunk()) {
      return result;
    }
    ByteBuf* buf = result.chunk().getIf<ByteBuf>();
    if (buf == nullptr) {
      return Error(
          CoreErrc::UnsupportedMessageType,
          "WebSocketChunkedInput wraps inputs of ByteBuf chunks, not " + result.chunk().typeName());
    }
    payload = std::move(*buf);
  }
  // The input ended before this read (the last chunk went out without FIN) or with it.
  const bool fin = input_->isEndOfInput();
  finished_ = fin;
  if (!started_) {
    started_ = true;
    return Message(BinaryWebSocketFrame(fin, rsv_, std::move(payload)));
  }
  return Message(ContinuationWebSocketFrame(fin, 0, std::move(payload)));
}

void WebSocketChunkedInput::setResumeCallback(ResumeCallback resume) {
  input_->setResumeCallback(std::move(resume));
}

}  // namespace sluice::websocket
