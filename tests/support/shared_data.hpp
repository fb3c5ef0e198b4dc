#pragma once
// Tests that rest on the reference data in ../shared/data (the real TUH/La Teppe samples, MIT-BIH,
// the aura2021/head golden outputs). When it is absent such a test FAILS, saying why, unless the
// developer explicitly allows it with ECGFOREST_ALLOW_MISSING_SHARED=1 (then it is skipped): a
// claim the README makes must not silently stop being checked.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace shared_data {

/// True when ECGFOREST_ALLOW_MISSING_SHARED=1 is set in the environment.
inline bool missing_allowed() {
  const char* v = std::getenv("ECGFOREST_ALLOW_MISSING_SHARED");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

/// The sentence printed when `what` is missing.
inline std::string missing_message(const std::string& what) {
  return "the reference data " + what +
         " is missing: link the shared reference data as ../shared next to the project root "
         "(e.g. ln -s /work/shared ../shared), or set ECGFOREST_ALLOW_MISSING_SHARED=1 to skip "
         "the tests that need it";
}

}  // namespace shared_data

/// Ends the current test when `present` is false: a failure, or a skip when
/// ECGFOREST_ALLOW_MISSING_SHARED=1. `what` names the missing file or folder.
#define ECGFOREST_REQUIRE_SHARED(present, what)                                   \
  do {                                                                           \
    if (!(present)) {                                                            \
      if (::shared_data::missing_allowed()) {                                    \
        GTEST_SKIP() << ::shared_data::missing_message(what);                    \
      }                                                                          \
      GTEST_FAIL() << ::shared_data::missing_message(what);                      \
    }                                                                            \
  } while (false)
