#include <sluice/channel/ChannelClosedEvent.h>

#include <chrono>
#include <string>

#include "channel/ChannelCloseLog.h"
#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class ChannelCloseLogTest : public testing::SluiceTest {};

std::string field(std::string_view value) {
  std::string out;
  detail::appendLogfmtField(out, "k", value);
  return out;
}

TEST_F(ChannelCloseLogTest, PlainValuesStayBare) {
  EXPECT_EQ(field("peer"), " k=peer");
  EXPECT_EQ(field("127.0.0.1:8080"), " k=127.0.0.1:8080");
  EXPECT_EQ(field("[::1]:8080"), " k=[::1]:8080");
}

TEST_F(ChannelCloseLogTest, QuotesAndEscapesWhatWouldBreakTheLine) {
  EXPECT_EQ(field("two words"), " k=\"two words\"");
  EXPECT_EQ(field("a=b"), " k=\"a=b\"");
  EXPECT_EQ(field("say \"hi\""), " k=\"say \\\"hi\\\"\"");
  EXPECT_EQ(field("back\\slash"), " k=\"back\\\\slash\"");
  EXPECT_EQ(field("line\nbreak\r\ttab"), " k=\"line\\nbreak\\r\\ttab\"");
  EXPECT_EQ(field(std::string_view("nul\0bel\x07", 8)), " k=\"nul\\x00bel\\x07\"");
  EXPECT_EQ(field(""), " k=\"\"");
  EXPECT_EQ(field("caf\xc3\xa9"), " k=caf\xc3\xa9");  // UTF-8 passes as it is
}

TEST_F(ChannelCloseLogTest, EveryFieldInOrder) {
  ChannelClosedEvent e;
  e.reason.record(CloseInitiator::Protocol, "RFC 6455 5.1: a client frame must be masked",
                  Error(CoreErrc::IllegalState, "unmasked frame"));
  e.reason.recordSent(1002, "masking");
  e.reason.recordReceived(1001, "going \"away\"");
  e.duration = 12345us;
  e.bytesRead = 512;
  e.bytesWritten = 734;
  EXPECT_EQ(detail::formatChannelCloseLog("1f3a9c02", "127.0.0.1:53412", "", e),
            "closed id=1f3a9c02 remote=127.0.0.1:53412 initiator=protocol"
            " rule=\"RFC 6455 5.1: a client frame must be masked\" code_sent=1002"
            " reason_sent=masking code_received=1001 reason_received=\"going \\\"away\\\"\""
            " error=\"unmasked frame\" duration_ms=12 bytes_read=512 bytes_written=734");
}

TEST_F(ChannelCloseLogTest, FieldsWithoutAValueAreLeftOut) {
  ChannelClosedEvent e;
  e.reason.record(CloseInitiator::Application);
  EXPECT_EQ(detail::formatChannelCloseLog("00000001", "", "", e),
            "closed id=00000001 initiator=application duration_ms=0 bytes_read=0 "
            "bytes_written=0");
}

TEST_F(ChannelCloseLogTest, ARelayedConnectionNamesTheBalancerAfterTheClient) {
  ChannelClosedEvent e;
  e.reason.record(CloseInitiator::Peer, "end of stream");
  EXPECT_EQ(detail::formatChannelCloseLog("00000002", "203.0.113.5:4000", "10.0.0.2:41000", e),
            "closed id=00000002 remote=203.0.113.5:4000 via=10.0.0.2:41000 initiator=peer"
            " rule=\"end of stream\" duration_ms=0 bytes_read=0 bytes_written=0");
}

}  // namespace
}  // namespace sluice
