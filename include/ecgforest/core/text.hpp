#pragma once
// Text that came from outside (file contents, labels) on its way into a message or /records:
// printable, valid UTF-8, no NUL (HDF5 strings and C strings end there), no control characters.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ecgforest {

/// `s` with every byte that is not part of a printable ASCII character or of a well-formed UTF-8
/// sequence written as \xNN (so NUL, control characters, lone continuation bytes and cut or
/// overlong sequences become visible escapes; a backslash stays a backslash).
std::string escape_text(std::string_view s);

/// Shortest text that reads back as the same double (std::to_chars): "0.5", "24", "1e-07",
/// "nan", "inf", "-inf". The one number-to-text conversion of files and messages.
std::string number_text(double v);

/// number_text in Python's repr style, as the old workflow's tools wrote numbers: a float always
/// shows a '.' or an exponent ("800.0", "0.5", "1e-07", "nan", "inf").
std::string python_float_text(double v);

/// `v` with `decimals` digits after the point (printf "%.*f"), or printf's "%g" (6 significant
/// digits) when decimals < 0: the fixed formats of tables, logs and annotation files.
std::string fixed_text(double v, int decimals);

/// The names joined with ", " ("a, b, c"; "" for none): the lists of messages and notes.
std::string joined(const std::vector<std::string>& names);

/// "1 stretch", "3 stretches", "0 stretches": a count and its noun in the number it needs.
std::string count_text(std::size_t n, std::string_view one, std::string_view many);

}  // namespace ecgforest
