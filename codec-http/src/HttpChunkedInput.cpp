#include <sluice/http/HttpChunkedInput.h>

#include <stdexcept>
#include <utility>

namespace sluice::http {

HttpChunkedInput::HttpChunkedInput(std::unique_ptr<ChunkedInput> input, LastHttpContent lastContent)
    : input_(std::move(input)), lastContent_(std::move(lastContent)) {
  if (input_ == nullptr) {
    throw std::invalid_argument("HttpChunkedInput: input is null");
  }
}

bool HttpChunkedInput::isEndOfInput() { return input_->isEndOfInput() && !lastContent_; }

void HttpChunkedInput::close() { input_->close(); }

ChunkResult HttpChunkedInput::readChunk(ByteBufAllocator& alloc) {
  if (input_->isEndOfInput()) {
    if (!lastContent_) {
      return {};
    }
    Message last(std::move(*lastContent_));
    lastContent_.reset();
    return last;
  }
  ChunkResult result = input_->readChunk(alloc);
  if (!result.hasChunk()) {
    return result;
  }
  ByteBuf* buf = result.chunk().getIf<ByteBuf>();
  if (buf == nullptr) {
    return Error(
        CoreErrc::UnsupportedMessageType,
        "HttpChunkedInput wraps inputs of ByteBuf chunks, not " + result.chunk().typeName());
  }
  return Message(HttpContent(std::move(*buf)));
}

void HttpChunkedInput::setResumeCallback(ResumeCallback resume) {
  input_->setResumeCallback(std::move(resume));
}

}  // namespace sluice::http
