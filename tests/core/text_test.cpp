// escape_text: what reaches a message or /records from outside is printable, valid UTF-8, NUL-free.
#include <gtest/gtest.h>

#include <string>

#include "ecgforest/core/text.hpp"

namespace ecgforest {
namespace {

using namespace std::string_literals;

TEST(EscapeText, PrintableAsciiAndValidUtf8PassUnchanged) {
  EXPECT_EQ(escape_text("0.0 12.5 seiz 1.0 \\ 'x'"), "0.0 12.5 seiz 1.0 \\ 'x'");
  EXPECT_EQ(escape_text("\xC2\xB5V \xE2\x82\xAC \xF0\x9F\x98\x80"), "\xC2\xB5V \xE2\x82\xAC \xF0\x9F\x98\x80");  // µV € 😀
}

TEST(EscapeText, NulAndControlCharactersAreEscaped) {
  // A UTF-16LE "1 2" line: every other byte is NUL; the message must not end at the first one.
  EXPECT_EQ(escape_text("1\0 \0002"s), "1\\x00 \\x002");
  EXPECT_EQ(escape_text("a\tb\rc\x7F"), "a\\x09b\\x0Dc\\x7F");
}

TEST(EscapeText, InvalidUtf8BytesAreEscapedOneByOne) {
  EXPECT_EQ(escape_text("\xFF\xFE"), "\\xFF\\xFE");            // UTF-16 BOM
  EXPECT_EQ(escape_text("x\xC2"), "x\\xC2");                   // sequence cut at the end
  EXPECT_EQ(escape_text("\xC0\xAF"), "\\xC0\\xAF");            // overlong '/'
  EXPECT_EQ(escape_text("\xED\xA0\x80"), "\\xED\\xA0\\x80");   // UTF-16 surrogate
  EXPECT_EQ(escape_text("\x80" "a"), "\\x80a");                // lone continuation byte
  EXPECT_EQ(escape_text("\xE2\x82" "A"), "\\xE2\\x82A");       // 3-byte sequence missing its last byte
}

TEST(CountText, TheNounTakesTheNumberOfTheCount) {
  EXPECT_EQ(count_text(1, "stretch", "stretches"), "1 stretch");
  EXPECT_EQ(count_text(0, "stretch", "stretches"), "0 stretches");
  EXPECT_EQ(count_text(2, "seizure", "seizures"), "2 seizures");
  EXPECT_EQ(count_text(11, "patient", "patients"), "11 patients");
}

}  // namespace
}  // namespace ecgforest
