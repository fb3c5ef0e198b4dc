#include "ecgforest/io/text_file.hpp"

#include <fstream>

#include "ecgforest/core/error.hpp"

namespace ecgforest::io {

void write_text_file_atomic(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("Cannot create " + tmp.string() + "; check that the directory exists and is writable.");
    out << text;
    out.flush();
    if (!out) throw Error("Writing " + tmp.string() + " failed (disk full?); nothing was written to " + path.string() + ".");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error("Cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message() + ".");
}

}  // namespace ecgforest::io
