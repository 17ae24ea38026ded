#include <sluice/handler/stream/ChunkedStream.h>

#include <deque>
#include <mutex>
#include <utility>

namespace sluice {

struct ChunkedStream::State {
  mutable std::mutex mutex;
  std::deque<ByteBuf> queue;
  std::size_t queuedBytes = 0;
  std::int64_t written = 0;
  std::int64_t read = 0;
  Error error;
  ResumeCallback resume;
  bool ended = false;
  bool closed = false;
  bool waiting = false;  // readChunk() returned none: the next change must resume

  // Under the lock: what to call once it is released, if the consumer is waiting. Called
  // outside the lock, since the handler may read the next chunk from inside the call.
  ResumeCallback takeResume() {
    if (!waiting || !resume) {
      return nullptr;
    }
    waiting = false;
    return resume;
  }
};

ChunkedStream::ChunkedStream() : state_(std::make_shared<State>()) {}

bool ChunkedStream::write(ByteBuf buf) {
  ResumeCallback resume;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed || state_->ended || state_->error) {
      return false;
    }
    if (!buf.isReadable()) {
      return true;
    }
    state_->queuedBytes += buf.readableBytes();
    state_->written += static_cast<std::int64_t>(buf.readableBytes());
    state_->queue.push_back(std::move(buf));
    resume = state_->takeResume();
  }
  if (resume) {
    resume();
  }
  return true;
}

void ChunkedStream::end() {
  ResumeCallback resume;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed || state_->ended || state_->error) {
      return;
    }
    state_->ended = true;
    resume = state_->takeResume();
  }
  if (resume) {
    resume();
  }
}

void ChunkedStream::fail(Error error) {
  ResumeCallback resume;
  std::deque<ByteBuf> dropped;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed || state_->ended || state_->error) {
      return;
    }
    state_->error = error ? std::move(error) : Error(CoreErrc::Cancelled, "ChunkedStream failed");
    dropped.swap(state_->queue);
    state_->queuedBytes = 0;
    resume = state_->takeResume();
  }
  if (resume) {
    resume();
  }
}

bool ChunkedStream::isClosed() const {
  std::lock_guard lock(state_->mutex);
  return state_->closed;
}

std::size_t ChunkedStream::queuedBytes() const {
  std::lock_guard lock(state_->mutex);
  return state_->queuedBytes;
}

bool ChunkedStream::isEndOfInput() {
  std::lock_guard lock(state_->mutex);
  return state_->ended && state_->queue.empty();
}

void ChunkedStream::close() {
  std::deque<ByteBuf> dropped;  // released after the lock
  ResumeCallback resume;
  {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
    state_->waiting = false;
    dropped.swap(state_->queue);
    state_->queuedBytes = 0;
    // The callback may hold the last reference to what it resumes: dropped outside too.
    resume = std::move(state_->resume);
    state_->resume = nullptr;
  }
}

ChunkResult ChunkedStream::readChunk(ByteBufAllocator& /*alloc*/) {
  std::lock_guard lock(state_->mutex);
  if (state_->error) {
    return state_->error;
  }
  if (!state_->queue.empty()) {
    ByteBuf buf = std::move(state_->queue.front());
    state_->queue.pop_front();
    state_->queuedBytes -= buf.readableBytes();
    state_->read += static_cast<std::int64_t>(buf.readableBytes());
    return Message(std::move(buf));
  }
  if (!state_->ended && !state_->closed) {
    state_->waiting = true;
  }
  return {};
}

std::int64_t ChunkedStream::length() {
  std::lock_guard lock(state_->mutex);
  return state_->ended ? state_->written : -1;
}

std::int64_t ChunkedStream::progress() {
  std::lock_guard lock(state_->mutex);
  return state_->read;
}

void ChunkedStream::setResumeCallback(ResumeCallback resume) {
  ResumeCallback old;
  std::lock_guard lock(state_->mutex);
  old = std::exchange(state_->resume, std::move(resume));
}

}  // namespace sluice
