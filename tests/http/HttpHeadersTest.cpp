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

TEST_F(HttpHeadersTest, ValidationFindsAControlCharacterAtAnyPositionOfAnyLength) {
  HttpHeaders h;
  for (const std::size_t length : {1U, 7U, 8U, 9U, 15U, 16U, 17U, 31U, 32U, 33U, 100U}) {
    for (std::size_t i = 0; i < length; ++i) {
      for (const char bad : {'\r', '\n', '\0', '\x1f', '\x7f'}) {
        std::string value(length, 'v');
        value[i] = bad;
        EXPECT_THROW(h.add("X", value), std::invalid_argument) << length << " " << i;
      }
      for (const char fine : {'\t', ' ', '\x80', '\xff', '~'}) {
        std::string value(length, 'v');
        value[i] = fine;
        EXPECT_NO_THROW(h.add("X", value)) << length << " " << i;
      }
    }
  }
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

TEST_F(HttpHeadersTest, EveryKnownNameIsRecognisedInEveryCaseAndNothingNearItIs) {
  struct Known {
    HttpHeaderName constant;
    std::string_view text;
  };
  const Known known[] = {
#define SLUICE_HTTP_TEST_KNOWN(constant, text) {HttpHeaderNames::constant, text},
      SLUICE_HTTP_HEADER_NAMES(SLUICE_HTTP_TEST_KNOWN)
#undef SLUICE_HTTP_TEST_KNOWN
  };
  const auto recases = [](std::string_view text, int pattern) {
    std::string out(text);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const bool up = pattern == 1 || (pattern == 2 && i % 2 == 0);
      if (up && out[i] >= 'a' && out[i] <= 'z') {
        out[i] = static_cast<char>(out[i] - 32);
      }
    }
    return out;
  };
  for (const Known& k : known) {
    for (int pattern = 0; pattern < 3; ++pattern) {
      const std::string spelling = recases(k.text, pattern);
      EXPECT_EQ(HttpHeaderName(spelling).id(), k.constant.id()) << spelling;
    }
    // Names one byte away are other names: a changed letter, a '-' made into bytes that
    // differ from it only in bit 0x20 ('\r') or otherwise ('_'), one byte more or less.
    for (std::size_t i = 0; i < k.text.size(); ++i) {
      std::string near(k.text);
      if (near[i] == '-') {
        near[i] = '\r';
        EXPECT_EQ(HttpHeaderName(near).id(), detail::KnownHeader::Unknown) << k.text << " " << i;
        near[i] = '_';
      } else {
        near[i] = near[i] == 'z' ? 'a' : static_cast<char>(near[i] + 1);
      }
      EXPECT_EQ(HttpHeaderName(near).id(), detail::KnownHeader::Unknown) << near;
      // An upper-case letter beside it, or, beside 'a' and 'z', the bytes just outside the
      // upper-case range ('@', '['), which the case folding must not take for letters.
      near = std::string(k.text);
      near[i] = static_cast<char>(near[i] - 32 + (near[i] == 'a' ? -1 : 1));
      EXPECT_EQ(HttpHeaderName(near).id(), detail::KnownHeader::Unknown) << near;
    }
    EXPECT_EQ(HttpHeaderName(std::string(k.text) + "s").id(), detail::KnownHeader::Unknown);
    EXPECT_EQ(HttpHeaderName(k.text.substr(1)).id(), detail::KnownHeader::Unknown);
  }
  EXPECT_EQ(HttpHeaderName("").id(), detail::KnownHeader::Unknown);
  EXPECT_EQ(HttpHeaderName("t").id(), detail::KnownHeader::Unknown);
  EXPECT_EQ(HttpHeaderName(std::string(100000, 'a')).id(), detail::KnownHeader::Unknown);
}

TEST_F(HttpHeadersTest, FieldsAddedFromAStoredSectionUseItsBytes) {
  HttpHeaders h;
  h.reserve(64, 2);
  const std::string section = "Host: example.com\r\nX-Id: 7";
  const std::string_view stored = h.storeText(section);
  ASSERT_EQ(stored, section);
  h.addTrusted(HttpHeaderName(stored.substr(0, 4), detail::KnownHeader::kHost),
               stored.substr(6, 11));
  h.addTrusted(stored.substr(19, 4), stored.substr(25, 1));
  EXPECT_EQ(h.get(HttpHeaderNames::kHost), "example.com");
  EXPECT_EQ(h.get(HttpHeaderNames::kHost)->data(), stored.data() + 6);
  EXPECT_EQ(h.get("x-id"), "7");
  EXPECT_EQ(h.names(), (std::vector<std::string_view>{"Host", "X-Id"}));
  // Fields added later, copied or not, leave the earlier ones intact when the text moves.
  for (int i = 0; i < 100; ++i) {
    h.add("X-More", std::string(50, 'm'));
    h.add("X-Same", *h.get("x-id"));
  }
  EXPECT_EQ(h.get(HttpHeaderNames::kHost), "example.com");
  EXPECT_EQ(h.getAll("x-same").size(), 100U);
  EXPECT_EQ(h.getAll("x-same").back(), "7");
  EXPECT_EQ(h.size(), 202U);
}

TEST_F(HttpHeadersTest, StoredSectionWithoutReservedRoomStillWorks) {
  HttpHeaders h;
  const std::string_view stored = h.storeText("Accept: */*");
  h.addTrusted(stored.substr(0, 6), stored.substr(8));
  EXPECT_EQ(h.get(HttpHeaderNames::kAccept), "*/*");
  EXPECT_EQ(h.get("ACCEPT")->data(), stored.data() + 8);
}

TEST_F(HttpHeadersTest, FieldsSharingBytesSurviveRemovalAndCompaction) {
  HttpHeaders h;
  h.add("Origin", std::string(2000, 'o'));
  h.add("X-Copy", *h.get("origin"));  // refers to Origin's bytes
  h.add("X-Other", "x");
  for (int i = 0; i < 5; ++i) {
    h.set("origin", std::string(2000, static_cast<char>('a' + i)));  // compacts at times
  }
  EXPECT_EQ(h.get("x-copy"), std::string(2000, 'o'));
  EXPECT_EQ(h.get("origin"), std::string(2000, 'e'));
  EXPECT_EQ(h.get("x-other"), "x");
  h.remove("x-copy");
  h.set("origin", "short");
  EXPECT_EQ(h.size(), 2U);
  EXPECT_EQ(h.get("origin"), "short");
}

TEST_F(HttpHeadersTest, ReserveKeepsFieldsAndGrowsAsNeeded) {
  HttpHeaders h;
  h.add("A", "1");
  h.reserve(1000, 100);
  for (int i = 0; i < 300; ++i) {
    h.reserve(3, 1);
    h.add("B", std::to_string(i));
  }
  EXPECT_EQ(h.get("a"), "1");
  EXPECT_EQ(h.getAll("b").size(), 300U);
  EXPECT_EQ(h.getAll("b")[299], "299");
}

}  // namespace
}  // namespace sluice::http
