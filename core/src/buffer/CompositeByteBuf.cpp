#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/CompositeByteBuf.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace sluice {

CompositeByteBuf::CompositeByteBuf(ByteBufAllocator& alloc, std::size_t maxNumComponents)
    : alloc_(&alloc), maxNumComponents_(std::max<std::size_t>(1, maxNumComponents)) {}

CompositeByteBuf& CompositeByteBuf::addComponent(ByteBuf buf) {
  if (!buf.isReadable()) {
    return *this;
  }
  const std::size_t length = buf.readableBytes();
  components_.push_back(Component{std::move(buf), writerIndex_});
  writerIndex_ += length;
  if (components_.size() > maxNumComponents_) {
    consolidate();
  }
  return *this;
}

CompositeByteBuf& CompositeByteBuf::addComponents(std::span<ByteBuf> bufs) {
  for (ByteBuf& buf : bufs) {
    addComponent(std::move(buf));
  }
  return *this;
}

std::size_t CompositeByteBuf::componentIndex(std::size_t index) const noexcept {
  // Sequential reads stay in the hinted component or move to the next.
  std::size_t hint = lastComponent_;
  if (hint < components_.size()) {
    if (components_[hint].offset <= index && index < components_[hint].end()) {
      return hint;
    }
    if (hint + 1 < components_.size() && components_[hint + 1].offset <= index &&
        index < components_[hint + 1].end()) {
      return lastComponent_ = hint + 1;
    }
  }
  auto it = std::upper_bound(components_.begin(), components_.end(), index,
                             [](std::size_t i, const Component& c) { return i < c.offset; });
  return lastComponent_ = static_cast<std::size_t>(it - components_.begin()) - 1;
}

void CompositeByteBuf::checkIndex(std::size_t index, std::size_t length) const {
  if (index > writerIndex_ || length > writerIndex_ - index) {
    throw std::out_of_range(
        fmt::format("index: {}, length: {} (expected: range(0, {}))", index, length, writerIndex_));
  }
}

void CompositeByteBuf::checkReadable(std::size_t length) const {
  if (length > readableBytes()) {
    throw std::out_of_range(fmt::format("readerIndex({}) + length({}) exceeds writerIndex({})",
                                        readerIndex_, length, writerIndex_));
  }
}

CompositeByteBuf& CompositeByteBuf::readerIndex(std::size_t index) {
  if (index > writerIndex_) {
    throw std::out_of_range(
        fmt::format("readerIndex: {} (expected: 0 <= readerIndex <= {})", index, writerIndex_));
  }
  readerIndex_ = index;
  return *this;
}

CompositeByteBuf& CompositeByteBuf::skipBytes(std::size_t length) {
  checkReadable(length);
  readerIndex_ += length;
  return *this;
}

void CompositeByteBuf::getBytes(std::size_t index, std::span<std::uint8_t> dst) const {
  checkIndex(index, dst.size());
  std::size_t done = 0;
  while (done < dst.size()) {
    const Component& c = components_[componentIndex(index + done)];
    const std::size_t within = index + done - c.offset;
    const std::size_t n = std::min(dst.size() - done, c.buf.readableBytes() - within);
    std::memcpy(dst.data() + done, c.data() + within, n);
    done += n;
  }
}

std::uint8_t CompositeByteBuf::getUnsignedByte(std::size_t index) const {
  checkIndex(index, 1);
  const Component& c = components_[componentIndex(index)];
  return c.data()[index - c.offset];
}

std::uint32_t CompositeByteBuf::getUnsignedMedium(std::size_t index) const {
  std::uint8_t b[3];
  getBytes(index, b);
  return std::uint32_t{b[0]} << 16 | std::uint32_t{b[1]} << 8 | b[2];
}

std::uint8_t CompositeByteBuf::readUnsignedByte() {
  checkReadable(1);
  return getUnsignedByte(readerIndex_++);
}

std::uint32_t CompositeByteBuf::readUnsignedMedium() {
  checkReadable(3);
  std::uint32_t v = getUnsignedMedium(readerIndex_);
  readerIndex_ += 3;
  return v;
}

CompositeByteBuf& CompositeByteBuf::readBytes(std::span<std::uint8_t> dst) {
  checkReadable(dst.size());
  getBytes(readerIndex_, dst);
  readerIndex_ += dst.size();
  return *this;
}

ByteBuf CompositeByteBuf::copyReadable(std::size_t index, std::size_t length) const {
  ByteBuf out = alloc_->buffer(length);
  getBytes(index, out.writableSpan().first(length));
  out.writerIndex(length);
  return out;
}

ByteBuf CompositeByteBuf::readSlice(std::size_t length) {
  checkReadable(length);
  ByteBuf out;
  if (length == 0) {
    return out;
  }
  const Component& c = components_[componentIndex(readerIndex_)];
  const std::size_t within = readerIndex_ - c.offset;
  if (within + length <= c.buf.readableBytes()) {
    out = c.buf.slice(c.buf.readerIndex() + within, length);
  } else {
    out = copyReadable(readerIndex_, length);
  }
  readerIndex_ += length;
  return out;
}

std::ptrdiff_t CompositeByteBuf::indexOf(std::size_t fromIndex, std::size_t toIndex,
                                         std::uint8_t value) const {
  toIndex = std::min(toIndex, writerIndex_);
  std::size_t i = fromIndex;
  while (i < toIndex) {
    const Component& c = components_[componentIndex(i)];
    const std::size_t within = i - c.offset;
    const std::size_t n = std::min(toIndex, c.end()) - i;
    if (const void* hit = std::memchr(c.data() + within, value, n); hit != nullptr) {
      return static_cast<std::ptrdiff_t>(c.offset) +
             (static_cast<const std::uint8_t*>(hit) - c.data());
    }
    i += n;
  }
  return -1;
}

CompositeByteBuf& CompositeByteBuf::discardReadComponents() {
  std::size_t drop = 0;
  while (drop < components_.size() && components_[drop].end() <= readerIndex_) {
    ++drop;
  }
  if (drop == 0) {
    return *this;
  }
  const std::size_t shift = components_[drop - 1].end();
  components_.erase(components_.begin(), components_.begin() + static_cast<std::ptrdiff_t>(drop));
  for (Component& c : components_) {
    c.offset -= shift;
  }
  readerIndex_ -= shift;
  writerIndex_ -= shift;
  lastComponent_ = 0;
  return *this;
}

CompositeByteBuf& CompositeByteBuf::consolidate() {
  const std::size_t length = readableBytes();
  ByteBuf merged;
  if (length != 0) {
    merged = copyReadable(readerIndex_, length);
  }
  components_.clear();
  readerIndex_ = 0;
  writerIndex_ = 0;
  lastComponent_ = 0;
  if (length != 0) {
    components_.push_back(Component{std::move(merged), 0});
    writerIndex_ = length;
  }
  return *this;
}

ByteBuf CompositeByteBuf::release() {
  discardReadComponents();
  ByteBuf out;
  if (components_.size() == 1) {
    out = std::move(components_.front().buf);
    out.skipBytes(readerIndex_);
  } else if (isReadable()) {
    out = copyReadable(readerIndex_, readableBytes());
  }
  components_.clear();
  readerIndex_ = writerIndex_ = 0;
  lastComponent_ = 0;
  return out;
}

std::size_t CompositeByteBuf::nioBufferCount() const noexcept {
  if (!isReadable()) {
    return 0;
  }
  return components_.size() - componentIndex(readerIndex_);
}

std::size_t CompositeByteBuf::readableIovecs(std::span<iovec> out) const noexcept {
  if (!isReadable()) {
    return 0;
  }
  std::size_t n = 0;
  std::size_t i = componentIndex(readerIndex_);
  std::size_t within = readerIndex_ - components_[i].offset;
  for (; i < components_.size() && n < out.size(); ++i, ++n) {
    const Component& c = components_[i];
    out[n].iov_base = const_cast<std::uint8_t*>(c.data() + within);
    out[n].iov_len = c.buf.readableBytes() - within;
    within = 0;
  }
  return n;
}

std::string CompositeByteBuf::toString() const {
  std::string out(readableBytes(), '\0');
  getBytes(readerIndex_,
           std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
  return out;
}

bool operator==(const CompositeByteBuf& a, const CompositeByteBuf& b) {
  return a.readableBytes() == b.readableBytes() && a.toString() == b.toString();
}

}  // namespace sluice
