#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/LoggingHandler.h>
#include <sluice/util/Log.h>

#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class LoggingHandlerTest : public testing::SluiceTest {
 protected:
  struct Record {
    LogLevel level;
    std::string logger;
    std::string message;
  };
  void SetUp() override {
    SluiceTest::SetUp();
    previousLevel_ = Log::level();
    previousSink_ =
        Log::setSink([this](LogLevel level, std::string_view logger, std::string_view message) {
          records.push_back({level, std::string(logger), std::string(message)});
        });
  }
  void TearDown() override {
    Log::setSink(std::move(previousSink_));
    Log::setLevel(previousLevel_);
    SluiceTest::TearDown();
  }
  bool logged(std::string_view text) const {
    for (const Record& r : records) {
      if (r.message.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
  std::vector<Record> records;

 private:
  LogLevel previousLevel_ = LogLevel::Info;
  Log::Sink previousSink_;
};

TEST_F(LoggingHandlerTest, LogsEventsThroughTheInstalledSinkAndPassesThemOn) {
  Log::setLevel(LogLevel::Debug);
  EmbeddedChannel ch(std::make_unique<LoggingHandler>());
  ASSERT_TRUE(ch.writeInbound(Unpooled::copiedBuffer("hello")));
  ASSERT_TRUE(ch.writeOutbound(Unpooled::copiedBuffer("bye")));
  ch.close();
  EXPECT_TRUE(logged(ch.toString() + " READ: 5B"));
  EXPECT_TRUE(logged("READ COMPLETE"));
  EXPECT_TRUE(logged("WRITE: 3B"));
  EXPECT_TRUE(logged("FLUSH"));
  EXPECT_TRUE(logged("CLOSE"));
  EXPECT_TRUE(logged("INACTIVE"));
  EXPECT_FALSE(logged("+--------+"));  // no hex dump below trace
  EXPECT_EQ(records.front().level, LogLevel::Debug);
  EXPECT_EQ(records.front().logger, "handler.logging");
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toString(), "hello");
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "bye");
}

TEST_F(LoggingHandlerTest, HexDumpsBytesAtTrace) {
  Log::setLevel(LogLevel::Trace);
  EmbeddedChannel ch(std::make_unique<LoggingHandler>(
      LoggingHandlerConfig{.level = LogLevel::Trace, .logger = "wire"}));
  ch.writeInbound(Unpooled::copiedBuffer("hi!"));
  bool dumped = false;
  for (const Record& r : records) {
    if (r.message.find("READ: 3B\n") != std::string::npos) {
      dumped = r.message.find("68 69 21") != std::string::npos && r.logger == "wire";
    }
  }
  EXPECT_TRUE(dumped);
  ch.finishAndReleaseAll();
}

TEST_F(LoggingHandlerTest, LogsNothingBelowTheSinkLevel) {
  Log::setLevel(LogLevel::Info);
  EmbeddedChannel ch(std::make_unique<LoggingHandler>(LogLevel::Debug));
  ch.writeInbound(Unpooled::copiedBuffer("quiet"));
  EXPECT_TRUE(records.empty());
  ch.finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice
