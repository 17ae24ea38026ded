#include <fcntl.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/handler/stream/ChunkedFile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace sluice {

namespace {

Error errnoError(int err, std::string what) {
  return Error(std::error_code(err, std::system_category()), std::move(what));
}

}  // namespace

ChunkedFile::ChunkedFile(int fd, std::int64_t offset, std::int64_t length, std::size_t chunkSize)
    : fd_(fd),
      startOffset_(offset),
      // Computed only when it cannot overflow; the check below throws otherwise.
      endOffset_(offset >= 0 && length >= 0 &&
                         length <= std::numeric_limits<std::int64_t>::max() - offset
                     ? offset + length
                     : offset),
      offset_(offset),
      chunkSize_(chunkSize) {
  if (offset < 0 || length < 0 || length > std::numeric_limits<std::int64_t>::max() - offset ||
      chunkSize == 0) {
    close();
    throw std::invalid_argument(
        "ChunkedFile: offset and length must be >= 0 with a representable end, chunkSize > 0");
  }
}

ChunkedFile::ChunkedFile(ChunkedFile&& other) noexcept
    : ChunkedInput(std::move(other)),
      fd_(std::exchange(other.fd_, -1)),
      startOffset_(other.startOffset_),
      endOffset_(other.endOffset_),
      offset_(other.offset_),
      chunkSize_(other.chunkSize_) {}

ChunkedFile& ChunkedFile::operator=(ChunkedFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    startOffset_ = other.startOffset_;
    endOffset_ = other.endOffset_;
    offset_ = other.offset_;
    chunkSize_ = other.chunkSize_;
  }
  return *this;
}

ChunkedFile::~ChunkedFile() { close(); }

std::optional<ChunkedFile> ChunkedFile::open(const std::string& path, Error& error,
                                             std::size_t chunkSize) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = errnoError(errno, "open " + path);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = errnoError(errno, "fstat " + path);
    ::close(fd);
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    error = Error(std::make_error_code(std::errc::is_a_directory), path + " is a directory");
    ::close(fd);
    return std::nullopt;
  }
  return ChunkedFile(fd, 0, static_cast<std::int64_t>(st.st_size), chunkSize);
}

void ChunkedFile::close() {
  if (fd_ >= 0) {
    // Not retried on EINTR: on Linux the descriptor is released whatever close returns.
    ::close(std::exchange(fd_, -1));
  }
}

ChunkResult ChunkedFile::readChunk(ByteBufAllocator& alloc) {
  if (offset_ >= endOffset_) {
    return {};
  }
  if (fd_ < 0) {
    return Error(std::make_error_code(std::errc::bad_file_descriptor), "ChunkedFile is closed");
  }
  const auto size = static_cast<std::size_t>(
      std::min<std::int64_t>(endOffset_ - offset_, static_cast<std::int64_t>(chunkSize_)));
  ByteBuf buf = alloc.buffer(size);
  std::uint8_t* out = buf.writableSpan().data();
  std::size_t filled = 0;
  while (filled < size) {
    const ssize_t n = ::pread(fd_, out + filled, size - filled,
                              static_cast<off_t>(offset_ + static_cast<std::int64_t>(filled)));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errnoError(errno, "pread");
    }
    if (n == 0) {
      // The file ended before the region did: no byte will ever come, so fail rather than
      // return none and wait (Netty's readFully throws EOFException).
      return Error(std::make_error_code(std::errc::io_error),
                   "unexpected end of file at offset " +
                       std::to_string(offset_ + static_cast<std::int64_t>(filled)));
    }
    filled += static_cast<std::size_t>(n);
  }
  buf.writerIndex(buf.writerIndex() + size);
  offset_ += static_cast<std::int64_t>(size);
  return Message(std::move(buf));
}

}  // namespace sluice
