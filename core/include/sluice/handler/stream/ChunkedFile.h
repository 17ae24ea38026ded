#pragma once

#include <sluice/handler/stream/ChunkedInput.h>
#include <sluice/util/Error.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace sluice {

/// A region of a file, read chunk by chunk (Netty's ChunkedFile): each readChunk() preads
/// up to chunkSize bytes at the current offset into a buffer from the channel's allocator,
/// so at most one chunk of the file is in memory per call.
///
/// Blocking. pread runs on the event loop, as in Netty: a chunk of 8 KiB from the page
/// cache costs microseconds, a bounded block accepted for the simplicity of no thread hop.
/// Files on slow or network storage are better read on an executor (add the handler with
/// an EventExecutorGroup) or with larger chunks read less often.
///
/// Errors. A read error fails the write with the errno (std::system_category). A file that
/// is shorter than the region (truncated, or length past its end) fails the write with
/// std::errc::io_error, "unexpected end of file", rather than waiting for bytes that will
/// never come.
///
/// Ownership. The file descriptor is owned: close() or the destructor closes it. Move-only.
/// Thread: one thread at a time (the channel's loop once written).
class ChunkedFile : public ChunkedInput {
 public:
  static constexpr std::size_t kDefaultChunkSize = 8192;

  /// Reads `length` bytes of `fd` starting at `offset`, `chunkSize` bytes at a time. Takes
  /// ownership of `fd`. Throws std::invalid_argument (after closing `fd`) if offset or
  /// length is negative or chunkSize is 0.
  ChunkedFile(int fd, std::int64_t offset, std::int64_t length,
              std::size_t chunkSize = kDefaultChunkSize);
  ChunkedFile(ChunkedFile&& other) noexcept;
  ChunkedFile& operator=(ChunkedFile&& other) noexcept;
  ChunkedFile(const ChunkedFile&) = delete;
  ChunkedFile& operator=(const ChunkedFile&) = delete;
  /// Closes the file if close() was not called.
  ~ChunkedFile() override;

  /// Opens `path` read-only (close-on-exec) for its whole length as fstat reports it. On
  /// failure returns nullopt and sets `error` to the errno of open or fstat (or
  /// std::errc::is_a_directory for a directory). Thread: any.
  static std::optional<ChunkedFile> open(const std::string& path, Error& error,
                                         std::size_t chunkSize = kDefaultChunkSize);

  bool isEndOfInput() override { return offset_ >= endOffset_; }
  void close() override;
  ChunkResult readChunk(ByteBufAllocator& alloc) override;
  std::int64_t length() override { return endOffset_ - startOffset_; }
  std::int64_t progress() override { return offset_ - startOffset_; }

  /// The file descriptor, or -1 once closed.
  int fd() const noexcept { return fd_; }
  /// Where the region starts and ends, and the next byte to read.
  std::int64_t startOffset() const noexcept { return startOffset_; }
  std::int64_t endOffset() const noexcept { return endOffset_; }
  std::int64_t currentOffset() const noexcept { return offset_; }
  std::size_t chunkSize() const noexcept { return chunkSize_; }

 private:
  int fd_;
  std::int64_t startOffset_;
  std::int64_t endOffset_;
  std::int64_t offset_;
  std::size_t chunkSize_;
};

}  // namespace sluice
