#include <sluice/http/HttpHeaders.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpHeadersTest = testing::SluiceTest;

TEST_F(HttpHeadersTest, NamesAreCaseInsensitiveWhetherKnownOrNot) {
  HttpHeaders h;
  h.add("Content-Length", "12").add("X-Trace-Id", "abc");
  EXPECT_EQ(h.get(HttpHeaderNames::kContentLength), "12");
  EXPECT_EQ(h.get("CONTENT-LENGTH"), "12");
  EXPECT_EQ(h.get("x-trace-id"), "abc");
  EXPECT_EQ(h.get("X-TRACE-ID"), "abc");
  EXPECT_FALSE(h.get("x-trace").has_value());
  EXPECT_FALSE(h.get("content-type").has_value());
}

TEST_F(HttpHeadersTest, KeepsOrderAndSpellingOfEveryField) {
  HttpHeaders h;
  h.add("Set-Cookie", "a=1").add("Host", "example.com").add("set-cookie", "b=2");
  std::vector<std::string> seen;
  for (const auto& [name, value] : h) {
    seen.push_back(std::string(name) + "=" + std::string(value));
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"Set-Cookie=a=1", "Host=example.com", "set-cookie=b=2"}));
  EXPECT_EQ(h.getAll(HttpHeaderNames::kSetCookie), (std::vector<std::string_view>{"a=1", "b=2"}));
  EXPECT_EQ(h.get(HttpHeaderNames::kSetCookie), "a=1");
  EXPECT_EQ(h.size(), 3U);
  EXPECT_EQ(h.names(), (std::vector<std::string_view>{"Set-Cookie", "Host"}));
}

TEST_F(HttpHeadersTest, SetReplacesEveryFieldOfThatName) {
  HttpHeaders h;
  h.add("Via", "a").add("Accept", "*/*").add("via", "b");
  h.set(HttpHeaderNames::kVia, "c");
  EXPECT_EQ(h.getAll("VIA"), (std::vector<std::string_view>{"c"}));
  EXPECT_EQ(h.size(), 2U);
  h.set("content-length", std::int64_t{42});
  EXPECT_EQ(h.getInt(HttpHeaderNames::kContentLength), 42);
}

TEST_F(HttpHeadersTest, RemoveAndClear) {
  HttpHeaders h;
  h.add("A", "1").add("B", "2").add("a", "3");
  EXPECT_TRUE(h.remove("a"));
  EXPECT_FALSE(h.remove("a"));
  EXPECT_EQ(h.size(), 1U);
  EXPECT_EQ(h.get("b"), "2");
  h.clear();
  EXPECT_TRUE(h.isEmpty());
  EXPECT_EQ(h.begin(), h.end());
}

TEST_F(HttpHeadersTest, RepeatedSetDoesNotGrowWithoutBound) {
  HttpHeaders h;
  const std::string value(100, 'v');
  for (int i = 0; i < 10000; ++i) {
    h.set("X-Counter", value);
  }
  EXPECT_EQ(h.size(), 1U);
  EXPECT_EQ(h.get("x-counter"), value);
}

TEST_F(HttpHeadersTest, AddingAViewOfItsOwnTextIsSafe) {
  HttpHeaders h;
  h.add("Origin", std::string(300, 'o'));
  for (int i = 0; i < 20; ++i) {
    h.add("X-Copy", *h.get("origin"));
  }
  h.set("origin", *h.get("x-copy"));
  EXPECT_EQ(h.get("Origin"), std::string(300, 'o'));
  EXPECT_EQ(h.getAll("x-copy").size(), 20U);
}

TEST_F(HttpHeadersTest, ContainsValueLooksAtCommaSeparatedElements) {
  HttpHeaders h;
  h.add(HttpHeaderNames::kConnection, "keep-alive, Upgrade");
  EXPECT_TRUE(h.containsValue(HttpHeaderNames::kConnection, "upgrade", true));
  EXPECT_FALSE(h.containsValue(HttpHeaderNames::kConnection, "upgrade", false));
  EXPECT_TRUE(h.containsValue(HttpHeaderNames::kConnection, "keep-alive", false));
  EXPECT_FALSE(h.containsValue(HttpHeaderNames::kConnection, "keep", true));
  EXPECT_FALSE(h.containsValue(HttpHeaderNames::kUpgrade, "websocket", true));
}

TEST_F(HttpHeadersTest, GetIntRejectsWhatIsNotADecimalNumber) {
  HttpHeaders h;
  h.add("A", " 17 ").add("B", "1x").add("C", "").add("D", "-3");
  EXPECT_EQ(h.getInt("a"), 17);
  EXPECT_FALSE(h.getInt("b").has_value());
  EXPECT_FALSE(h.getInt("c").has_value());
  EXPECT_EQ(h.getInt("d"), -3);
  EXPECT_FALSE(h.getInt("missing").has_value());
}

TEST_F(HttpHeadersTest, ValidationRejectsInjectionAndBadNames) {
  HttpHeaders h;
  EXPECT_THROW(h.add("X", "a\r\nSet-Cookie: evil=1"), std::invalid_argument);
  EXPECT_THROW(h.add("X", std::string_view("a\0b", 3)), std::invalid_argument);
  EXPECT_THROW(h.add("X", "a\x7f"), std::invalid_argument);
  EXPECT_THROW(h.add("Bad Name", "v"), std::invalid_argument);
  EXPECT_THROW(h.add("Bad:Name", "v"), std::invalid_argument);
  EXPECT_THROW(h.add("", "v"), std::invalid_argument);
  EXPECT_THROW(h.set("X", "\n"), std::invalid_argument);
  EXPECT_TRUE(h.isEmpty());
  h.add("X", "tab\tand obs-text \xE9 are fine");
  EXPECT_EQ(h.size(), 1U);
}

TEST_F(HttpHeadersTest, ValidationCanBeTurnedOff) {
  HttpHeaders h(HeaderValidation::Off);
  EXPECT_FALSE(h.isValidating());
  h.add("Bad Name", "a\r\nb");
  EXPECT_EQ(h.get("bad name"), "a\r\nb");
}

TEST_F(HttpHeadersTest, EqualityComparesNamesCaseInsensitivelyAndValuesExactly) {
  HttpHeaders a;
  HttpHeaders b;
  a.add("Host", "x").add("Accept", "y");
  b.add("host", "x").add("ACCEPT", "y");
  EXPECT_EQ(a, b);
  b.set("accept", "Y");
  EXPECT_NE(a, b);
}

TEST_F(HttpHeadersTest, EveryKnownNameConstantFindsItsFieldsInAnyCase) {
  const HttpHeaderName names[] = {HttpHeaderNames::kAccept, HttpHeaderNames::kHost,
                                  HttpHeaderNames::kSecWebSocketKey,
                                  HttpHeaderNames::kTransferEncoding, HttpHeaderNames::kTe};
  for (const HttpHeaderName& name : names) {
    std::string upper(name.name());
    for (char& c : upper) {
      c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    HttpHeaders h;
    h.add(upper, "v");
    EXPECT_EQ(h.get(name), "v") << upper;
    EXPECT_NE(HttpHeaderName(upper).id(), detail::KnownHeader::Unknown) << upper;
  }
  EXPECT_EQ(HttpHeaderName("x-unknown").id(), detail::KnownHeader::Unknown);
  EXPECT_EQ(HttpHeaderName("hos").id(), detail::KnownHeader::Unknown);
}

}  // namespace
}  // namespace sluice::http
