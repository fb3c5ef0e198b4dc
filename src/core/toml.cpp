#include "ecgforest/core/toml.hpp"

#include <cctype>
#include <set>

#include "ecgforest/core/error.hpp"

namespace ecgforest::toml {
namespace {

class Parser {
 public:
  Parser(const std::string& text, const std::string& origin) : s_(text), origin_(origin) {
    if (s_.rfind("\xEF\xBB\xBF", 0) == 0) i_ = 3;  // UTF-8 BOM
  }

  std::vector<Item> run() {
    std::vector<Item> out;
    std::set<std::string> seen;
    std::string table;
    while (true) {
      skip_ws_comments_newlines();
      if (i_ >= s_.size()) break;
      if (s_[i_] == '[') {
        ++i_;
        if (peek() == '[') fail("arrays of tables ([[...]]) are not supported");
        skip_inline_ws();
        table = dotted_key();
        skip_inline_ws();
        expect(']');
        end_of_line();
        continue;
      }
      Item it;
      it.line = line_;
      const std::string k = dotted_key();
      it.key = table.empty() ? k : table + "." + k;
      current_key_ = it.key;
      skip_inline_ws();
      expect('=');
      skip_inline_ws();
      if (peek() == '[') {
        ++i_;
        it.is_array = true;
        while (true) {
          skip_ws_comments_newlines();
          if (peek() == ']') {
            ++i_;
            break;
          }
          it.values.push_back(scalar());
          skip_ws_comments_newlines();
          if (peek() == ',') {
            ++i_;
            continue;
          }
          skip_ws_comments_newlines();
          expect(']');
          break;
        }
      } else {
        it.values.push_back(scalar());
      }
      end_of_line();
      current_key_.clear();
      if (!seen.insert(it.key).second) fail("the key '" + it.key + "' is set twice", it.line);
      out.push_back(std::move(it));
    }
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what, int line = 0) const {
    throw ConfigError("The configuration file " + origin_ + " is not valid TOML at line " +
                      std::to_string(line ? line : line_) + (current_key_.empty() ? "" : " (key '" + current_key_ + "')") +
                      ": " + what + ".");
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'" + (i_ < s_.size() ? std::string(" but found '") + s_[i_] + "'" : std::string(" at the end")));
    ++i_;
  }
  void skip_inline_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  void skip_comment() {
    if (peek() == '#') {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
    }
  }
  void skip_ws_comments_newlines() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '\n') {
        ++i_;
        ++line_;
      } else if (c == '#') {
        skip_comment();
      } else {
        break;
      }
    }
  }
  void end_of_line() {
    skip_inline_ws();
    skip_comment();
    if (peek() == '\r') ++i_;
    if (i_ < s_.size() && s_[i_] != '\n') fail(std::string("unexpected text '") + s_[i_] + "' after the value");
  }
  std::string bare_or_quoted_key() {
    if (peek() == '"') return basic_string();
    if (peek() == '\'') return literal_string();
    std::string k;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '-')) k += s_[i_++];
    if (k.empty()) fail("expected a key");
    return k;
  }
  std::string dotted_key() {
    std::string k = bare_or_quoted_key();
    skip_inline_ws();
    while (peek() == '.') {
      ++i_;
      skip_inline_ws();
      k += "." + bare_or_quoted_key();
      skip_inline_ws();
    }
    return k;
  }
  static void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  std::string basic_string() {
    expect('"');
    std::string out;
    while (true) {
      if (i_ >= s_.size() || s_[i_] == '\n') fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') break;
      if (c != '\\') {
        out += c;
        continue;
      }
      const char e = peek();
      ++i_;
      switch (e) {
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u':
        case 'U': {
          const std::size_t n = e == 'u' ? 4 : 8;
          if (i_ + n > s_.size()) fail("truncated \\u escape");
          unsigned long cp = 0;
          for (std::size_t k = 0; k < n; ++k) {
            const char h = s_[i_++];
            if (!std::isxdigit(static_cast<unsigned char>(h))) fail("bad \\u escape");
            cp = cp * 16 + static_cast<unsigned long>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
          }
          append_utf8(out, cp);
          break;
        }
        default:
          fail(std::string("unknown escape '\\") + e + "' in a string (write \\\\ for a backslash, or use a 'literal string')");
      }
    }
    return out;
  }
  std::string literal_string() {
    expect('\'');
    std::string out;
    while (true) {
      if (i_ >= s_.size() || s_[i_] == '\n') fail("unterminated literal string");
      const char c = s_[i_++];
      if (c == '\'') break;
      out += c;
    }
    return out;
  }
  std::string scalar() {
    const char c = peek();
    if (c == '"') {
      if (s_.compare(i_, 3, "\"\"\"") == 0) fail("multi-line strings are not supported");
      return basic_string();
    }
    if (c == '\'') return literal_string();
    std::string tok;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ']' && s_[i_] != '#' && s_[i_] != '\n' && s_[i_] != '\r' &&
           s_[i_] != ' ' && s_[i_] != '\t') {
      tok += s_[i_++];
    }
    if (tok.empty()) fail("expected a value");
    if (tok == "true" || tok == "false" || tok == "nan" || tok == "inf" || tok == "+inf" || tok == "-inf" ||
        tok == "+nan" || tok == "-nan") {
      return tok;  // the schema decides whether the key accepts it
    }
    // Numbers: TOML allows '_' between digits.
    std::string num;
    for (char d : tok) {
      if (d != '_') num += d;
    }
    const bool numeric = !num.empty() && (std::isdigit(static_cast<unsigned char>(num[0])) ||
                                          ((num[0] == '-' || num[0] == '+' || num[0] == '.') && num.size() > 1));
    if (!numeric) fail("'" + tok + "' is not a value (quote strings: \"...\")");
    if (num[0] == '+') num.erase(0, 1);
    return num;
  }

  const std::string& s_;
  const std::string& origin_;
  std::size_t i_ = 0;
  int line_ = 1;
  std::string current_key_;
};

}  // namespace

std::vector<Item> parse(const std::string& text, const std::string& origin) { return Parser(text, origin).run(); }

}  // namespace ecgforest::toml
