#include <sluice/http/QueryStringDecoder.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using QueryStringDecoderTest = testing::SluiceTest;
using Values = std::vector<std::string>;

Values values(const QueryStringDecoder& d, std::string_view name) {
  const auto v = d.parameters().get(name);
  return Values(v.begin(), v.end());
}

// Both targets decode to the same path and the same parameters in the same order.
void expectSameQuery(std::string_view expected, std::string_view actual,
                     bool semicolonIsNormalChar = false) {
  const QueryStringDecoderConfig config{.semicolonIsNormalChar = semicolonIsNormalChar};
  const QueryStringDecoder e(expected, config);
  const QueryStringDecoder a(actual, config);
  EXPECT_EQ(e.path(), a.path()) << expected << " vs " << actual;
  EXPECT_TRUE(e.parameters() == a.parameters()) << expected << " vs " << actual;
}

TEST_F(QueryStringDecoderTest, DecodesPathAndParameters) {
  QueryStringDecoder d("/hello?recipient=world&x=1;y=2");
  EXPECT_EQ(d.path(), "/hello");
  EXPECT_EQ(d.rawPath(), "/hello");
  EXPECT_EQ(d.rawQuery(), "recipient=world&x=1;y=2");
  EXPECT_EQ(d.parameters().size(), 3U);
  EXPECT_EQ(d.parameters().getFirst("recipient"), "world");
  EXPECT_EQ(values(d, "x"), Values{"1"});
  EXPECT_EQ(values(d, "y"), Values{"2"});
  EXPECT_TRUE(d.valid());
}

TEST_F(QueryStringDecoderTest, BasicCases) {
  QueryStringDecoder d("/foo");
  EXPECT_EQ(d.path(), "/foo");
  EXPECT_TRUE(d.parameters().empty());

  d = QueryStringDecoder("/foo%20bar");
  EXPECT_EQ(d.path(), "/foo bar");
  EXPECT_TRUE(d.parameters().empty());

  d = QueryStringDecoder("/foo?a=b=c");
  EXPECT_EQ(d.path(), "/foo");
  EXPECT_EQ(values(d, "a"), Values{"b=c"});

  d = QueryStringDecoder("/foo?a=1&a=2");
  EXPECT_EQ(d.parameters().size(), 1U);
  EXPECT_EQ(values(d, "a"), (Values{"1", "2"}));

  d = QueryStringDecoder("/foo%20bar?a=1&a=2");
  EXPECT_EQ(d.path(), "/foo bar");
  EXPECT_EQ(values(d, "a"), (Values{"1", "2"}));

  d = QueryStringDecoder("/foo?a=&a=2");
  EXPECT_EQ(values(d, "a"), (Values{"", "2"}));

  d = QueryStringDecoder("/foo?a=1&a=");
  EXPECT_EQ(values(d, "a"), (Values{"1", ""}));

  d = QueryStringDecoder("/foo?a=1&a=&a=");
  EXPECT_EQ(values(d, "a"), (Values{"1", "", ""}));

  d = QueryStringDecoder("/foo?a=1=&a==2");
  EXPECT_EQ(values(d, "a"), (Values{"1=", "=2"}));

  d = QueryStringDecoder("/foo?abc=1%2023&abc=124%20");
  EXPECT_EQ(values(d, "abc"), (Values{"1 23", "124 "}));
}

TEST_F(QueryStringDecoderTest, ExoticSeparatorsDecodeLikeTheirCleanForm) {
  expectSameQuery("", "");
  expectSameQuery("foo", "foo");
  expectSameQuery("foo", "foo?");
  expectSameQuery("/foo", "/foo?");
  expectSameQuery("/foo", "/foo");
  expectSameQuery("?a=", "?a");
  expectSameQuery("foo?a=", "foo?a");
  expectSameQuery("/foo?a=", "/foo?a");
  expectSameQuery("/foo?a=", "/foo?a&");
  expectSameQuery("/foo?a=", "/foo?&a");
  expectSameQuery("/foo?a=", "/foo?&a&");
  expectSameQuery("/foo?a=", "/foo?&=a");
  expectSameQuery("/foo?a=", "/foo?=a&");
  expectSameQuery("/foo?a=", "/foo?a=&");
  expectSameQuery("/foo?a=b&c=d", "/foo?a=b&&c=d");
  expectSameQuery("/foo?a=b&c=d", "/foo?a=b&=&c=d");
  expectSameQuery("/foo?a=b&c=d", "/foo?a=b&==&c=d");
  expectSameQuery("/foo?a=b&c=&x=y", "/foo?a=b&c&x=y");
  expectSameQuery("/foo?a=", "/foo?a=");
  expectSameQuery("/foo?a=", "/foo?&a=");
  expectSameQuery("/foo?a=b&c=d", "/foo?a=b&c=d");
  expectSameQuery("/foo?a=1&a=&a=", "/foo?a=1&a&a=");
}

TEST_F(QueryStringDecoderTest, SemicolonSeparatesUnlessConfiguredAsNormal) {
  QueryStringDecoder separated("/foo?a=1;2");
  EXPECT_EQ(values(separated, "a"), Values{"1"});
  EXPECT_TRUE(separated.parameters().contains("2"));

  QueryStringDecoder normal("/foo?a=1;2", {.semicolonIsNormalChar = true});
  EXPECT_EQ(values(normal, "a"), Values{"1;2"});
  expectSameQuery("/foo?a=1;2", "/foo?a=1%3B2", true);
}

TEST_F(QueryStringDecoderTest, PathIsDecodedButPlusStaysPlus) {
  EXPECT_EQ(QueryStringDecoder("/foo%20bar/?").path(), "/foo bar/");
  EXPECT_EQ(QueryStringDecoder("/foo%0D%0A\\bar/?").path(), "/foo\r\n\\bar/");
  EXPECT_EQ(QueryStringDecoder("+").path(), "+");
  EXPECT_EQ(QueryStringDecoder("/foo+bar/?").path(), "/foo+bar/");
  EXPECT_EQ(QueryStringDecoder("/foo++?index.php").path(), "/foo++");
  EXPECT_EQ(QueryStringDecoder("/foo%20+?index.php").path(), "/foo +");
  EXPECT_EQ(QueryStringDecoder("/foo+%20").path(), "/foo+ ");
  // In the query, '+' is a space (application/x-www-form-urlencoded).
  EXPECT_EQ(QueryStringDecoder("/p+q?a+b=c+d").parameters().getFirst("a b"), "c d");
}

TEST_F(QueryStringDecoderTest, DecodedPathKeepsEveryByteForTheCallerToCheck) {
  QueryStringDecoder d("/files/%2E%2E%2Fetc%2Fpasswd%00");
  EXPECT_EQ(d.path(), std::string("/files/../etc/passwd\0", 21));
  EXPECT_EQ(d.rawPath(), "/files/%2E%2E%2Fetc%2Fpasswd%00");
}

TEST_F(QueryStringDecoderTest, FragmentIsStripped) {
  EXPECT_EQ(QueryStringDecoder("#123").path(), "");
  EXPECT_EQ(QueryStringDecoder("foo?bar#anchor").path(), "foo");
  EXPECT_EQ(QueryStringDecoder("/foo-bar#anchor").path(), "/foo-bar");
  EXPECT_EQ(QueryStringDecoder("/foo-bar#a#b?c=d").path(), "/foo-bar");

  EXPECT_EQ(QueryStringDecoder("?a#anchor").parameters().begin()->name, "a");
  EXPECT_EQ(QueryStringDecoder("?a=b#anchor").parameters().getFirst("a"), "b");
  EXPECT_TRUE(QueryStringDecoder("?#").parameters().empty());
  EXPECT_TRUE(QueryStringDecoder("?#anchor").parameters().empty());
  EXPECT_TRUE(QueryStringDecoder("#?a=b#anchor").parameters().empty());
  EXPECT_TRUE(QueryStringDecoder("?#a=b#anchor").parameters().empty());

  // Unlike Netty's rawQuery(), the fragment is not part of the raw query either.
  QueryStringDecoder d("/p?a=1#frag");
  EXPECT_EQ(d.rawQuery(), "a=1");
  EXPECT_EQ(QueryStringDecoder("/p#a=1").rawQuery(), "");
}

TEST_F(QueryStringDecoderTest, ParametersPastTheLimitAreIgnored) {
  std::string uri = "?";
  for (int i = 0; i < 65536; ++i) {
    uri += "k" + std::to_string(i) + "=v" + std::to_string(i) + "&";
  }
  QueryStringDecoder d(uri);
  EXPECT_EQ(d.parameters().size(), 1024U);
  EXPECT_EQ(d.parameters().getFirst("k1023"), "v1023");
  EXPECT_FALSE(d.parameters().contains("k1024"));

  // The limit counts parameters, not names: a repeated name counts each time.
  QueryStringDecoder repeated("/?a=1&a=2&a=3&b=4", {.maxParams = 2});
  EXPECT_EQ(values(repeated, "a"), (Values{"1", "2"}));
  EXPECT_FALSE(repeated.parameters().contains("b"));
  EXPECT_EQ(repeated.parameters().valueCount(), 2U);

  // Empty separators are not parameters and do not count.
  QueryStringDecoder sparse("/?&&&a=1&&&b=2", {.maxParams = 2});
  EXPECT_EQ(sparse.parameters().size(), 2U);

  EXPECT_TRUE(QueryStringDecoder("/?a=1", {.maxParams = 0}).parameters().empty());
}

TEST_F(QueryStringDecoderTest, ManyDistinctNamesAreFoundInOrder) {
  std::string uri = "/?";
  for (int i = 0; i < 300; ++i) {
    uri += "n" + std::to_string(i) + "=" + std::to_string(i) + "&";
  }
  uri += "n7=again";
  QueryStringDecoder d(uri);
  ASSERT_EQ(d.parameters().size(), 300U);
  int i = 0;
  for (const QueryParameters::Entry& e : d.parameters()) {
    EXPECT_EQ(e.name, "n" + std::to_string(i));
    EXPECT_EQ(d.parameters().getFirst(e.name), std::to_string(i));
    ++i;
  }
  EXPECT_EQ(values(d, "n7"), (Values{"7", "again"}));
  EXPECT_FALSE(d.parameters().contains("n300"));
  EXPECT_EQ(d.parameters().valueCount(), 301U);
}

TEST_F(QueryStringDecoderTest, WithoutPathTheWholeInputIsParameters) {
  QueryStringDecoder d("1=2", {.hasPath = false});
  EXPECT_EQ(d.path(), "");
  EXPECT_EQ(d.rawPath(), "");
  EXPECT_EQ(d.rawQuery(), "1=2");
  EXPECT_EQ(values(d, "1"), Values{"2"});

  // A form body: '/' and '?' inside it are ordinary characters.
  QueryStringDecoder form("next=/a/b?c&name=J%C3%BCrgen+M", {.hasPath = false});
  EXPECT_EQ(form.parameters().getFirst("next"), "/a/b?c");
  EXPECT_EQ(form.parameters().getFirst("name"), "J\xC3\xBCrgen M");
}

TEST_F(QueryStringDecoderTest, AbsoluteFormTargetSkipsSchemeAndAuthority) {
  QueryStringDecoder d("http://localhost:8080/foo?param1=value1&param2=value2&param3=value3");
  EXPECT_EQ(d.path(), "/foo");
  EXPECT_EQ(d.rawPath(), "/foo");
  EXPECT_EQ(d.rawQuery(), "param1=value1&param2=value2&param3=value3");
  ASSERT_EQ(d.parameters().size(), 3U);
  auto it = d.parameters().begin();
  EXPECT_EQ(it->name, "param1");
  EXPECT_EQ(it->values, Values{"value1"});
  ++it;
  EXPECT_EQ(it->name, "param2");
  ++it;
  EXPECT_EQ(it->name, "param3");

  EXPECT_EQ(QueryStringDecoder("http://localhost:8080/?a=1").path(), "/");
  QueryStringDecoder noPath("http://localhost:8080?a=1&b=2");
  EXPECT_EQ(noPath.path(), "");
  EXPECT_EQ(noPath.rawQuery(), "a=1&b=2");
  EXPECT_EQ(QueryStringDecoder("http://localhost").path(), "");

  QueryStringDecoder matrix("http://foo.com/images;num=10?query=name;value=123");
  EXPECT_EQ(matrix.path(), "/images;num=10");
  EXPECT_EQ(matrix.rawQuery(), "query=name;value=123");
  EXPECT_EQ(matrix.parameters().getFirst("query"), "name");
  EXPECT_EQ(matrix.parameters().getFirst("value"), "123");

  // Not absolute-form: no "://" after a scheme.
  EXPECT_EQ(QueryStringDecoder("a:b?c").path(), "a:b");
  EXPECT_EQ(QueryStringDecoder("/http://x/y").path(), "/http://x/y");
}

TEST_F(QueryStringDecoderTest, DecodeComponentMatchesNettysTable) {
  EXPECT_EQ(QueryStringDecoder::decodeComponent(""), "");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("foo"), "foo");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("f+o"), "f o");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("f++"), "f  ");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("f++", false), "f++");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("%42"), "B");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("%5f"), "_");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("Caff%C3%A9"), "Caff\xC3\xA9");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("случайный праздник"), "случайный праздник");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("случайный%20праздник"), "случайный праздник");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("случайный%20праздник%20%E2%98%BA"),
            "случайный праздник ☺");
}

TEST_F(QueryStringDecoderTest, MalformedEscapesAreKeptAndReported) {
  // Where Netty throws IllegalArgumentException ("unterminated escape sequence", "invalid
  // hex byte"), the text is kept as it is and the decoder reports it.
  EXPECT_EQ(QueryStringDecoder::decodeComponent("fo%"), "fo%");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("f%4"), "f%4");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("%x2"), "%x2");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("%4x"), "%4x");
  EXPECT_EQ(QueryStringDecoder::decodeComponent("%%41"), "%A");
  EXPECT_EQ(QueryStringDecoder::tryDecodeComponent("fo%"), std::nullopt);
  EXPECT_EQ(QueryStringDecoder::tryDecodeComponent("%4x"), std::nullopt);
  EXPECT_EQ(QueryStringDecoder::tryDecodeComponent("%41+"), "A ");

  QueryStringDecoder badValue("/ok?a=100%&b=%zz&c=1");
  EXPECT_FALSE(badValue.valid());
  EXPECT_EQ(badValue.path(), "/ok");
  EXPECT_EQ(badValue.parameters().getFirst("a"), "100%");
  EXPECT_EQ(badValue.parameters().getFirst("b"), "%zz");
  EXPECT_EQ(badValue.parameters().getFirst("c"), "1");

  QueryStringDecoder badPath("/a%2/b?x=1");
  EXPECT_FALSE(badPath.valid());
  EXPECT_EQ(badPath.path(), "/a%2/b");

  QueryStringDecoder badName("/?%G0=1");
  EXPECT_FALSE(badName.valid());
  EXPECT_EQ(badName.parameters().getFirst("%G0"), "1");

  // An escape that is malformed only past the limit is not looked at.
  EXPECT_TRUE(QueryStringDecoder("/?a=1&b=%", {.maxParams = 1}).valid());
}

TEST_F(QueryStringDecoderTest, Rfc3986Examples) {
  // RFC 3986 1.1.2 and 3: the parts of a URI, and the query with its "/" and "?".
  QueryStringDecoder d("http://example.com:8042/over/there?name=ferret#nose");
  EXPECT_EQ(d.path(), "/over/there");
  EXPECT_EQ(d.rawQuery(), "name=ferret");
  EXPECT_EQ(d.parameters().getFirst("name"), "ferret");

  QueryStringDecoder q("/rfc3986?objectClass?one");
  EXPECT_EQ(q.path(), "/rfc3986");
  EXPECT_EQ(q.rawQuery(), "objectClass?one");
  EXPECT_EQ(q.parameters().getFirst("objectClass?one"), "");

  // RFC 3986 2.1: hex digits are case-insensitive.
  EXPECT_EQ(QueryStringDecoder::decodeComponent("%7e%7E"), "~~");
  // RFC 3986 2.4: an escaped delimiter is data, not a delimiter.
  QueryStringDecoder escaped("/?a%3Db=c%26d");
  EXPECT_EQ(escaped.parameters().size(), 1U);
  EXPECT_EQ(escaped.parameters().getFirst("a=b"), "c&d");
}

TEST_F(QueryStringDecoderTest, Utf8IsDecodedAsBytesAndInvalidUtf8IsKept) {
  QueryStringDecoder d("/caf%C3%A9?q=%E2%82%AC&emoji=%F0%9F%98%80&raw=%FF%FE");
  EXPECT_EQ(d.path(), "/caf\xC3\xA9");
  EXPECT_EQ(d.parameters().getFirst("q"), "\xE2\x82\xAC");
  EXPECT_EQ(d.parameters().getFirst("emoji"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(d.parameters().getFirst("raw"), "\xFF\xFE");
  EXPECT_TRUE(d.valid());
}

TEST_F(QueryStringDecoderTest, CopiesAndMovesKeepTheirViews) {
  QueryStringDecoder original("/short?a=1");
  QueryStringDecoder copy = original;
  QueryStringDecoder moved = std::move(original);
  EXPECT_EQ(copy.rawPath(), "/short");
  EXPECT_EQ(copy.rawQuery(), "a=1");
  EXPECT_EQ(moved.rawQuery(), "a=1");
  EXPECT_EQ(moved.uri(), "/short?a=1");
}

}  // namespace
}  // namespace sluice::http
