#include "ecgforest/io/text_file.hpp"

#include <unistd.h>

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

bool write_bytes_atomic(const std::filesystem::path& path, const std::vector<const std::vector<char>*>& parts) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path tmp = path.string() + ".partial." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    for (const auto* part : parts) f.write(part->data(), static_cast<std::streamsize>(part->size()));
    f.close();
    if (!f) {
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace ecgforest::io
