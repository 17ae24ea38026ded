#include <sluice/http/HttpUtil.h>

#include <stdexcept>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpUtilTest = testing::SluiceTest;

HttpRequest request(HttpVersion version) { return {version, HttpMethod::kGet, "/"}; }

TEST_F(HttpUtilTest, KeepAliveFollowsTheVersionAndTheConnectionField) {
  HttpRequest r11 = request(HttpVersion::kHttp11);
  EXPECT_TRUE(HttpUtil::isKeepAlive(r11));
  r11.headers().set(HttpHeaderNames::kConnection, "Close");
  EXPECT_FALSE(HttpUtil::isKeepAlive(r11));

  HttpRequest r10 = request(HttpVersion::kHttp10);
  EXPECT_FALSE(HttpUtil::isKeepAlive(r10));
  r10.headers().set(HttpHeaderNames::kConnection, "Keep-Alive");
  EXPECT_TRUE(HttpUtil::isKeepAlive(r10));
}

TEST_F(HttpUtilTest, SetKeepAliveWritesWhatEachVersionNeeds) {
  HttpRequest r11 = request(HttpVersion::kHttp11);
  HttpUtil::setKeepAlive(r11, false);
  EXPECT_EQ(r11.headers().get(HttpHeaderNames::kConnection), "close");
  HttpUtil::setKeepAlive(r11, true);
  EXPECT_FALSE(r11.headers().contains(HttpHeaderNames::kConnection));

  HttpRequest r10 = request(HttpVersion::kHttp10);
  HttpUtil::setKeepAlive(r10, true);
  EXPECT_EQ(r10.headers().get(HttpHeaderNames::kConnection), "keep-alive");
  HttpUtil::setKeepAlive(r10, false);
  EXPECT_FALSE(r10.headers().contains(HttpHeaderNames::kConnection));
}

TEST_F(HttpUtilTest, ContentLength) {
  HttpRequest r = request(HttpVersion::kHttp11);
  EXPECT_FALSE(HttpUtil::getContentLength(r).has_value());
  EXPECT_FALSE(HttpUtil::isContentLengthSet(r));
  HttpUtil::setContentLength(r, 1234);
  EXPECT_EQ(HttpUtil::getContentLength(r), 1234U);
  r.headers().set(HttpHeaderNames::kContentLength, "-1");
  EXPECT_FALSE(HttpUtil::getContentLength(r).has_value());
  r.headers().set(HttpHeaderNames::kContentLength, "99999999999999999999999");
  EXPECT_FALSE(HttpUtil::getContentLength(r).has_value());
}

TEST_F(HttpUtilTest, ChunkedOnlyWhenItIsTheLastCoding) {
  HttpRequest r = request(HttpVersion::kHttp11);
  EXPECT_FALSE(HttpUtil::isTransferEncodingChunked(r));
  r.headers().set(HttpHeaderNames::kTransferEncoding, "gzip, Chunked");
  EXPECT_TRUE(HttpUtil::isTransferEncodingChunked(r));
  r.headers().set(HttpHeaderNames::kTransferEncoding, "chunked, gzip");
  EXPECT_FALSE(HttpUtil::isTransferEncodingChunked(r));
  HttpUtil::setContentLength(r, 5);
  HttpUtil::setTransferEncodingChunked(r, true);
  EXPECT_TRUE(HttpUtil::isTransferEncodingChunked(r));
  EXPECT_FALSE(HttpUtil::isContentLengthSet(r));
  HttpUtil::setTransferEncodingChunked(r, false);
  EXPECT_FALSE(r.headers().contains(HttpHeaderNames::kTransferEncoding));
}

TEST_F(HttpUtilTest, ExpectContinueOnlyInHttp11) {
  HttpRequest r11 = request(HttpVersion::kHttp11);
  HttpUtil::set100ContinueExpected(r11, true);
  EXPECT_TRUE(HttpUtil::is100ContinueExpected(r11));
  EXPECT_FALSE(HttpUtil::isUnsupportedExpectation(r11));
  r11.headers().set(HttpHeaderNames::kExpect, "something-else");
  EXPECT_FALSE(HttpUtil::is100ContinueExpected(r11));
  EXPECT_TRUE(HttpUtil::isUnsupportedExpectation(r11));

  HttpRequest r10 = request(HttpVersion::kHttp10);
  r10.headers().set(HttpHeaderNames::kExpect, "100-continue");
  EXPECT_FALSE(HttpUtil::is100ContinueExpected(r10));
  EXPECT_FALSE(HttpUtil::isUnsupportedExpectation(r10)) << "RFC 9110 10.1.1: ignored in 1.0";
}

TEST_F(HttpUtilTest, MethodsStatusesAndVersions) {
  EXPECT_EQ(HttpMethod::valueOf("GET"), HttpMethod::kGet);
  EXPECT_EQ(HttpMethod::valueOf("PURGE").name(), "PURGE");
  EXPECT_EQ(HttpMethod::valueOf("PURGE"), HttpMethod::valueOf("PURGE"));
  EXPECT_NE(HttpMethod::valueOf("get"), HttpMethod::kGet) << "methods are case-sensitive";
  EXPECT_THROW(HttpMethod::valueOf("G T"), std::invalid_argument);
  EXPECT_THROW(HttpMethod::valueOf(""), std::invalid_argument);

  EXPECT_EQ(HttpResponseStatus::valueOf(404).reasonPhrase(), "Not Found");
  EXPECT_EQ(HttpResponseStatus::valueOf(299).reasonPhrase(), "Unknown Status");
  EXPECT_EQ(HttpResponseStatus(200, "Fine"), HttpResponseStatus::kOk);
  EXPECT_EQ(HttpResponseStatus(200, "Fine").reasonPhrase(), "Fine");
  EXPECT_THROW(HttpResponseStatus(200, "a\r\nb"), std::invalid_argument);
  EXPECT_THROW(HttpResponseStatus::valueOf(99), std::invalid_argument);
  EXPECT_EQ(HttpResponseStatus::kNoContent.codeClass(), HttpStatusClass::Success);
  EXPECT_EQ(HttpResponseStatus::kContinue.codeClass(), HttpStatusClass::Informational);
  EXPECT_EQ(fmt::format("{}", HttpResponseStatus::kNotFound), "404 Not Found");

  EXPECT_EQ(HttpVersion::parse("HTTP/1.1"), HttpVersion::kHttp11);
  EXPECT_FALSE(HttpVersion::parse("HTTP/2.0").has_value());
  EXPECT_FALSE(HttpVersion::parse("http/1.1").has_value());
  EXPECT_EQ(fmt::format("{}", HttpVersion::kHttp10), "HTTP/1.0");
}

}  // namespace
}  // namespace sluice::http
