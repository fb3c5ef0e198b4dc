#pragma once
// Helpers shared by the libFuzzer targets: a per-process scratch file (the parsers under test
// read paths, not buffers) and a loud invariant check that libFuzzer reports as a crash.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace ecgforest::fuzz {

/// Path of this process's scratch file with extension `ext` (".tse_bi", ".edf", ...), in
/// $TMPDIR (default /tmp). Removed at exit.
inline std::filesystem::path scratch_path(const std::string& ext) {
  static const std::filesystem::path dir = [] {
    const char* t = std::getenv("TMPDIR");
    auto d = std::filesystem::path(t && *t ? t : "/tmp") / ("ecgforest_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    static struct Cleanup {
      std::filesystem::path p;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
      }
    } cleanup{d};
    return d;
  }();
  return dir / ("input" + ext);
}

/// Writes `bytes` to the scratch file with extension `ext` and returns its path.
inline std::filesystem::path write_scratch(std::string_view bytes, const std::string& ext) {
  const auto p = scratch_path(ext);
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) {
    std::fprintf(stderr, "fuzz: cannot write the scratch file %s\n", p.c_str());
    std::abort();
  }
  return p;
}

/// Aborts (libFuzzer saves the input as a crash) when an invariant of a parser's contract fails.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz: contract violated: %s\n", what);
    std::abort();
  }
}

}  // namespace ecgforest::fuzz
