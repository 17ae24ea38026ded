#include <fcntl.h>
#include <gtest/gtest.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/handler/stream/ChunkedFile.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class ChunkedFileTest : public testing::SluiceTest {
 protected:
  void TearDown() override {
    if (!path_.empty()) {
      ::unlink(path_.c_str());
    }
    testing::SluiceTest::TearDown();
  }

  // A file in /tmp holding `size` bytes of byteAt(i).
  const std::string& makeFile(std::size_t size) {
    std::string name = "/tmp/sluice-chunked-file-XXXXXX";
    const int fd = ::mkstemp(name.data());
    EXPECT_GE(fd, 0);
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
      bytes[i] = static_cast<char>(byteAt(i));
    }
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(size));
    ::close(fd);
    path_ = name;
    return path_;
  }
  int openFile() const { return ::open(path_.c_str(), O_RDONLY | O_CLOEXEC); }

  static std::uint8_t byteAt(std::size_t i) { return static_cast<std::uint8_t>(i * 7 + i / 251); }

  static std::size_t openDescriptors() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      ++n;
    }
    return n;
  }

  ByteBufAllocator& alloc_ = ByteBufAllocator::defaultAllocator();
  std::string path_;
};

TEST_F(ChunkedFileTest, ReadsItsRegionChunkByChunk) {
  makeFile(20000);
  ChunkedFile file(openFile(), 100, 19000, 8192);
  EXPECT_EQ(file.length(), 19000);
  std::size_t offset = 100;
  std::vector<std::size_t> sizes;
  while (!file.isEndOfInput()) {
    ChunkResult r = file.readChunk(alloc_);
    ASSERT_TRUE(r.hasChunk()) << r.error().message();
    ByteBuf& buf = r.chunk().get<ByteBuf>();
    sizes.push_back(buf.readableBytes());
    for (std::size_t i = 0; i < buf.readableBytes(); ++i) {
      ASSERT_EQ(buf.getUnsignedByte(buf.readerIndex() + i), byteAt(offset + i));
    }
    offset += buf.readableBytes();
    EXPECT_EQ(file.progress(), static_cast<std::int64_t>(offset - 100));
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{8192, 8192, 2616}));
  EXPECT_TRUE(file.readChunk(alloc_).isNone());  // nothing after the end
}

TEST_F(ChunkedFileTest, IsAChunkedInputInAMessage) {
  makeFile(10);
  Message msg(ChunkedFile(openFile(), 0, 10));
  ASSERT_TRUE(msg.is<ChunkedInput>());
  EXPECT_EQ(msg.get<ChunkedInput>().length(), 10);
}

TEST_F(ChunkedFileTest, OpenReadsTheWholeFile) {
  makeFile(5000);
  Error error;
  std::optional<ChunkedFile> file = ChunkedFile::open(path_, error, 4096);
  ASSERT_TRUE(file.has_value()) << error.message();
  EXPECT_EQ(file->length(), 5000);
  EXPECT_EQ(file->chunkSize(), 4096U);
  EXPECT_EQ(file->readChunk(alloc_).chunk().get<ByteBuf>().readableBytes(), 4096U);
  EXPECT_EQ(file->readChunk(alloc_).chunk().get<ByteBuf>().readableBytes(), 904U);
  EXPECT_TRUE(file->isEndOfInput());
}

TEST_F(ChunkedFileTest, OpenReportsWhyItFailed) {
  Error error;
  EXPECT_FALSE(ChunkedFile::open("/tmp/sluice-no-such-file-here", error).has_value());
  EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory);
  error = Error();
  EXPECT_FALSE(ChunkedFile::open("/tmp", error).has_value());
  EXPECT_EQ(error.code(), std::errc::is_a_directory);
}

TEST_F(ChunkedFileTest, RegionPastTheEndOfTheFileFailsInsteadOfWaiting) {
  makeFile(1000);
  ChunkedFile file(openFile(), 0, 5000, 512);
  EXPECT_TRUE(file.readChunk(alloc_).hasChunk());  // bytes 0..511 exist
  ChunkResult r = file.readChunk(alloc_);          // 512..1023: the file ends at 1000
  ASSERT_TRUE(r.hasError());
  EXPECT_EQ(r.error().code(), std::errc::io_error);
  EXPECT_EQ(r.error().message(), "unexpected end of file at offset 1000");
  EXPECT_FALSE(file.isEndOfInput());
  EXPECT_EQ(file.progress(), 512);
}

TEST_F(ChunkedFileTest, ReadErrorIsTheErrno) {
  makeFile(100);
  ChunkedFile file(::open(path_.c_str(), O_WRONLY | O_CLOEXEC), 0, 100);
  ChunkResult r = file.readChunk(alloc_);
  ASSERT_TRUE(r.hasError());
  EXPECT_EQ(r.error().code(), std::error_code(EBADF, std::system_category()));
}

TEST_F(ChunkedFileTest, CloseAndDestructorReleaseTheDescriptor) {
  makeFile(100);
  const std::size_t before = openDescriptors();
  {
    ChunkedFile file(openFile(), 0, 100);
    EXPECT_EQ(openDescriptors(), before + 1);
    file.close();
    EXPECT_EQ(file.fd(), -1);
    EXPECT_EQ(openDescriptors(), before);
    file.close();                                    // twice is harmless
    EXPECT_TRUE(file.readChunk(alloc_).hasError());  // closed before the end
  }
  {
    ChunkedFile file(openFile(), 0, 100);
    ChunkedFile moved(std::move(file));
    EXPECT_EQ(file.fd(), -1);  // NOLINT(bugprone-use-after-move): the moved-from state
    EXPECT_EQ(openDescriptors(), before + 1);
    Message msg(std::move(moved));
    EXPECT_EQ(openDescriptors(), before + 1);
  }
  EXPECT_EQ(openDescriptors(), before);
}

TEST_F(ChunkedFileTest, BadArgumentsThrowAndCloseTheDescriptor) {
  makeFile(10);
  const std::size_t before = openDescriptors();
  EXPECT_THROW(ChunkedFile(openFile(), -1, 10), std::invalid_argument);
  EXPECT_THROW(ChunkedFile(openFile(), 0, -1), std::invalid_argument);
  EXPECT_THROW(ChunkedFile(openFile(), 0, 10, 0), std::invalid_argument);
  // A region whose end is not representable.
  EXPECT_THROW(ChunkedFile(openFile(), 10, std::numeric_limits<std::int64_t>::max()),
               std::invalid_argument);
  EXPECT_EQ(openDescriptors(), before);
}

TEST_F(ChunkedFileTest, EmptyRegionEndsAtOnce) {
  makeFile(10);
  ChunkedFile file(openFile(), 10, 0);
  EXPECT_TRUE(file.isEndOfInput());
  EXPECT_TRUE(file.readChunk(alloc_).isNone());
  EXPECT_EQ(file.length(), 0);
}

}  // namespace
}  // namespace sluice
