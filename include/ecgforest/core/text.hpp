#pragma once
// Text that came from outside (file contents, labels) on its way into a message or /records:
// printable, valid UTF-8, no NUL (HDF5 strings and C strings end there), no control characters.
#include <string>
#include <string_view>

namespace ecgforest {

/// `s` with every byte that is not part of a printable ASCII character or of a well-formed UTF-8
/// sequence written as \xNN (so NUL, control characters, lone continuation bytes and cut or
/// overlong sequences become visible escapes; a backslash stays a backslash).
std::string escape_text(std::string_view s);

}  // namespace ecgforest
