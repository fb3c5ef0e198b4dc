// core/privacy: SHA-256 (FIPS 180-2 examples), HMAC-SHA256 (RFC 4231 test cases), pseudonyms,
// the key file check and path relativisation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/privacy.hpp"

namespace ecgforest {
namespace {

namespace fs = std::filesystem;

TEST(Sha256, FipsExamples) {
  EXPECT_EQ(hex_text(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_text(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Two blocks (56 bytes: the length no longer fits the first block).
  EXPECT_EQ(hex_text(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HmacSha256, Rfc4231TestCases) {
  // Test case 1: 20-byte key of 0x0b.
  EXPECT_EQ(hex_text(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: key shorter than the output.
  EXPECT_EQ(hex_text(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 3: 20 x 0xaa key, 50 x 0xdd data.
  EXPECT_EQ(hex_text(hmac_sha256(std::string(20, '\xaa'), std::string(50, '\xdd'))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Test case 4: key 0x01..0x19, 50 x 0xcd data.
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  EXPECT_EQ(hex_text(hmac_sha256(key4, std::string(50, '\xcd'))),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Test cases 6 and 7: a 131-byte key (longer than a block, hashed first).
  const std::string big(131, '\xaa');
  EXPECT_EQ(hex_text(hmac_sha256(big, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex_text(hmac_sha256(big, "This is a test using a larger than block-size key and a larger than block-size data. "
                                      "The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(Pseudonym, KeyedStableAndDistinct) {
  const std::string key = "0123456789abcdef-secret";
  const auto a = pseudonym(key, "patient", "00000258", "P");
  EXPECT_EQ(a, pseudonym(key, "patient", "00000258", "P"));  // same key → same pseudonym across runs
  EXPECT_EQ(a.size(), 17u);
  EXPECT_EQ(a[0], 'P');
  EXPECT_NE(a, pseudonym(key + "x", "patient", "00000258", "P"));
  EXPECT_NE(a, pseudonym(key, "recording", "00000258", "P"));
  EXPECT_EQ(a.find("00000258"), std::string::npos);
}

TEST(PseudonymKey, ReadsFileAndRejectsShortOrMissing) {
  const fs::path dir = fs::temp_directory_path() / ("ecgforest_privacy_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "good") << "0123456789abcdefXYZ\n";
  std::ofstream(dir / "short") << "tooshort\n";
  EXPECT_EQ(read_pseudonym_key(dir / "good"), "0123456789abcdefXYZ");
  EXPECT_THROW(read_pseudonym_key(dir / "short"), ConfigError);
  EXPECT_THROW(read_pseudonym_key(dir / "missing"), ConfigError);
  fs::remove_all(dir);
}

TEST(RelativePath, InsideAndOutsideRoot) {
  EXPECT_EQ(relative_path_text("/data/tuh/00000258/x.edf", "/data/tuh"), "00000258/x.edf");
  EXPECT_EQ(relative_path_text("/data/tuh/./a/../b/y.edf", "/data/tuh/"), "b/y.edf");
  EXPECT_EQ(relative_path_text("/data/ann/y.tse_bi", "/data/tuh"), "../ann/y.tse_bi");
  EXPECT_EQ(relative_path_text("", "/data/tuh"), "");
  EXPECT_EQ(relative_path_text("/data/x.edf", ""), "/data/x.edf");
}

TEST(CommonDirectory, DeepestSharedParent) {
  EXPECT_EQ(common_directory({"/data/tuh/p1/a.edf", "/data/tuh/p2/s1/b.edf"}), fs::path("/data/tuh"));
  EXPECT_EQ(common_directory({"/data/tuh/p1/a.edf"}), fs::path("/data/tuh/p1"));
  EXPECT_EQ(common_directory({"/data/tuhx/a.edf", "/data/tuh/b.edf"}), fs::path("/data"));
  EXPECT_EQ(common_directory({}), fs::path());
}

}  // namespace
}  // namespace ecgforest
