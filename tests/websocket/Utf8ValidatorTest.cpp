#include <gtest/gtest.h>
#include <sluice/websocket/Utf8Validator.h>

#include <string>
#include <string_view>
#include <vector>

namespace sluice::websocket {
namespace {

struct Case {
  const char* name;
  std::string bytes;
  bool valid;
};

// The boundary cases of the Autobahn test suite's section 6 (from Markus Kuhn's UTF-8
// decoder stress test): the first and last code point of each sequence length, the
// surrogate edges, overlong forms of the same characters, and truncated sequences.
std::vector<Case> boundaryCases() {
  return {
      {"empty", "", true},
      {"U+0000", std::string(1, '\0'), true},
      {"U+007F", "\x7F", true},
      {"U+0080", "\xC2\x80", true},
      {"U+07FF", "\xDF\xBF", true},
      {"U+0800", "\xE0\xA0\x80", true},
      {"U+D7FF", "\xED\x9F\xBF", true},
      {"U+D800 (surrogate)", "\xED\xA0\x80", false},
      {"U+DBFF (surrogate)", "\xED\xAF\xBF", false},
      {"U+DC00 (surrogate)", "\xED\xB0\x80", false},
      {"U+DFFF (surrogate)", "\xED\xBF\xBF", false},
      {"surrogate pair D834 DD1E", "\xED\xA0\xB4\xED\xB4\x9E", false},
      {"U+E000", "\xEE\x80\x80", true},
      {"U+FFFD", "\xEF\xBF\xBD", true},
      {"U+FFFE", "\xEF\xBF\xBE", true},  // a noncharacter, still valid UTF-8
      {"U+FFFF", "\xEF\xBF\xBF", true},
      {"U+10000", "\xF0\x90\x80\x80", true},
      {"U+10FFFF", "\xF4\x8F\xBF\xBF", true},
      {"U+110000", "\xF4\x90\x80\x80", false},
      {"U+1FFFFF", "\xF7\xBF\xBF\xBF", false},
      {"5-byte form", "\xF8\x88\x80\x80\x80", false},
      {"6-byte form", "\xFC\x84\x80\x80\x80\x80", false},
      {"overlong U+002F in 2", "\xC0\xAF", false},
      {"overlong U+002F in 3", "\xE0\x80\xAF", false},
      {"overlong U+002F in 4", "\xF0\x80\x80\xAF", false},
      {"overlong U+007F in 2", "\xC1\xBF", false},
      {"overlong U+07FF in 3", "\xE0\x9F\xBF", false},
      {"overlong U+FFFF in 4", "\xF0\x8F\xBF\xBF", false},
      {"overlong NUL in 2", "\xC0\x80", false},
      {"lone continuation 80", "\x80", false},
      {"lone continuation BF", "\xBF", false},
      {"FE", "\xFE", false},
      {"FF", "\xFF", false},
      {"truncated 2-byte at end", "a\xC2", false},
      {"truncated 3-byte at end", "a\xE0\xA0", false},
      {"truncated 4-byte at end", "a\xF0\x90\x80", false},
      {"2-byte lead then ASCII",
       "\xC2"
       "a",
       false},
      {"3-byte lead then ASCII",
       "\xE1\x80"
       "a",
       false},
      {"kosme", "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", true},
      {"Hello-µ@ßöäüàá-UTF-8!!",
       "\x48\x65\x6c\x6c\x6f\x2d\xc2\xb5\x40\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1\x2d"
       "\x55\x54\x46\x2d\x38\x21\x21",
       true},
  };
}

bool validateWhole(std::string_view s) { return Utf8Validator::isValidUtf8(s); }

bool validateByteByByte(std::string_view s) {
  Utf8Validator v;
  for (char c : s) {
    v.update(std::string_view(&c, 1));
  }
  return v.isValid() && v.finish();
}

TEST(Utf8ValidatorTest, BoundaryTableWholeAndByteByByte) {
  for (const Case& c : boundaryCases()) {
    EXPECT_EQ(validateWhole(c.bytes), c.valid) << c.name;
    EXPECT_EQ(validateByteByByte(c.bytes), c.valid) << c.name << " (byte by byte)";
    // Inside a long ASCII run, so that the 16-byte fast path meets the sequence at every
    // offset of a block.
    for (std::size_t pad = 0; pad < 20; ++pad) {
      const std::string s = std::string(pad, 'x') + c.bytes + std::string(20, 'y');
      EXPECT_EQ(validateWhole(s), c.valid) << c.name << " after " << pad << " ASCII bytes";
      for (std::size_t i = 0; i <= s.size(); ++i) {  // every split in two
        Utf8Validator split;
        split.update(std::string_view(s).substr(0, i));
        split.update(std::string_view(s).substr(i));
        EXPECT_EQ(split.isValid() && split.finish(), c.valid) << c.name << " split at " << i;
      }
    }
  }
}

TEST(Utf8ValidatorTest, FailsAsSoonAsTheFirstBadByteArrives) {
  Utf8Validator v;
  EXPECT_TRUE(v.update("\xCE\xBA\xE1\xBD\xB9"));
  EXPECT_FALSE(v.update("\xED\xA0"));  // a surrogate: known bad before the sequence ends
  EXPECT_FALSE(v.isValid());
  EXPECT_FALSE(v.update("abc"));  // sticky
  v.reset();
  EXPECT_TRUE(v.update("abc"));
  EXPECT_TRUE(v.finish());
}

TEST(Utf8ValidatorTest, FinishIsFalseInsideACharacter) {
  Utf8Validator v;
  EXPECT_TRUE(v.update("\xF0\x9F"));
  EXPECT_TRUE(v.isValid());
  EXPECT_FALSE(v.finish());
  EXPECT_TRUE(v.update("\x98\x80"));
  EXPECT_TRUE(v.finish());
}

TEST(Utf8ValidatorTest, AgreesWithADecoderOnEveryTwoByteSequence) {
  // Every lead byte followed by every second byte, against the RFC 3629 table.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const char s[2] = {static_cast<char>(a), static_cast<char>(b)};
      bool expected;
      if (a < 0x80) {
        expected = b < 0x80;
      } else if (a >= 0xC2 && a <= 0xDF) {
        expected = b >= 0x80 && b <= 0xBF;
      } else {
        expected = false;  // lone continuation, invalid lead, or a truncated longer sequence
      }
      EXPECT_EQ(Utf8Validator::isValidUtf8(std::string_view(s, 2)), expected) << a << " " << b;
    }
  }
}

TEST(Utf8ValidatorTest, LongMixedText) {
  std::string s;
  for (int i = 0; i < 100; ++i) {
    s += "ascii text, ";
    s += "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 ";  // Привет
    s += "\xE4\xBD\xA0\xE5\xA5\xBD ";                          // 你好
    s += "\xF0\x9F\x98\x80 ";                                  // 😀
  }
  EXPECT_TRUE(Utf8Validator::isValidUtf8(s));
  EXPECT_TRUE(validateByteByByte(s));
  s[s.size() / 2 + 1] = '\xFF';
  EXPECT_FALSE(Utf8Validator::isValidUtf8(s));
}

}  // namespace
}  // namespace sluice::websocket
