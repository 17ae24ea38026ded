#include <gtest/gtest.h>
#include <sluice/websocket/WebSocketCloseStatus.h>
#include <sluice/websocket/WebSocketError.h>

namespace sluice::websocket {
namespace {

TEST(WebSocketCloseStatusTest, ValidStatusCodesFollowRfc6455Section7_4) {
  for (int code = 0; code < 6000; ++code) {
    const bool expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                          (code >= 3000 && code <= 4999);
    EXPECT_EQ(WebSocketCloseStatus::isValidStatusCode(code), expected) << code;
  }
  for (int code : {999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535, -1}) {
    EXPECT_FALSE(WebSocketCloseStatus::isValidStatusCode(code)) << code;
  }
}

TEST(WebSocketCloseStatusTest, ConstantsHaveNettysCodesAndReasons) {
  EXPECT_EQ(WebSocketCloseStatus::kNormalClosure.code(), 1000);
  EXPECT_EQ(WebSocketCloseStatus::kNormalClosure.reasonText(), "Bye");
  EXPECT_EQ(WebSocketCloseStatus::kEndpointUnavailable.code(), 1001);
  EXPECT_EQ(WebSocketCloseStatus::kProtocolError.code(), 1002);
  EXPECT_EQ(WebSocketCloseStatus::kInvalidMessageType.code(), 1003);
  EXPECT_EQ(WebSocketCloseStatus::kInvalidPayloadData.code(), 1007);
  EXPECT_EQ(WebSocketCloseStatus::kPolicyViolation.code(), 1008);
  EXPECT_EQ(WebSocketCloseStatus::kMessageTooBig.code(), 1009);
  EXPECT_EQ(WebSocketCloseStatus::kMandatoryExtension.code(), 1010);
  EXPECT_EQ(WebSocketCloseStatus::kInternalServerError.code(), 1011);
  EXPECT_EQ(WebSocketCloseStatus::kServiceRestart.code(), 1012);
  EXPECT_EQ(WebSocketCloseStatus::kTryAgainLater.code(), 1013);
  EXPECT_EQ(WebSocketCloseStatus::kBadGateway.code(), 1014);
  for (const WebSocketCloseStatus& s :
       {WebSocketCloseStatus::kEmpty, WebSocketCloseStatus::kAbnormalClosure,
        WebSocketCloseStatus::kTlsHandshakeFailed}) {
    EXPECT_FALSE(WebSocketCloseStatus::isValidStatusCode(s.code())) << s.code();
  }
}

TEST(WebSocketCloseStatusTest, ValueOfFindsConstantsAndKeepsOtherCodes) {
  EXPECT_EQ(WebSocketCloseStatus::valueOf(1009).reasonText(), "Message too big");
  EXPECT_EQ(WebSocketCloseStatus::valueOf(4001).code(), 4001);
  EXPECT_EQ(WebSocketCloseStatus::valueOf(4001).reasonText(), "");
}

TEST(WebSocketCloseStatusTest, ErrorsMapToCloseStatusesAndConditions) {
  EXPECT_EQ(closeStatusOf(WebSocketErrc::InvalidUtf8), WebSocketCloseStatus::kInvalidPayloadData);
  EXPECT_EQ(closeStatusOf(WebSocketErrc::FrameTooLarge), WebSocketCloseStatus::kMessageTooBig);
  EXPECT_EQ(closeStatusOf(WebSocketErrc::MessageTooLarge), WebSocketCloseStatus::kMessageTooBig);
  EXPECT_EQ(closeStatusOf(WebSocketErrc::ReservedOpcode), WebSocketCloseStatus::kProtocolError);
  const std::error_code tooBig = WebSocketErrc::FrameTooLarge;
  EXPECT_EQ(tooBig, std::errc::message_size);
  EXPECT_EQ(std::error_code(WebSocketErrc::InvalidUtf8), std::errc::illegal_byte_sequence);
  EXPECT_EQ(std::error_code(WebSocketErrc::MaskMismatch), std::errc::protocol_error);
  EXPECT_STREQ(tooBig.category().name(), "sluice.websocket");
  EXPECT_EQ(tooBig.message(), "frame payload too large");
}

}  // namespace
}  // namespace sluice::websocket
