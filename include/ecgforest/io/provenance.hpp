#pragma once
// io-internal (like io/h5.hpp; other layers call io's file functions): the attributes every
// HDF5 output carries, written by one function, and the typed settings later stages read back
// instead of re-parsing a stored TOML text.
#include <hdf5.h>

#include <optional>
#include <string>

#include "ecgforest/core/postprocess_settings.hpp"
#include "ecgforest/io/stored_settings.hpp"

namespace ecgforest::io {

/// Root attributes of every ecgforest HDF5 output: format, config (effective TOML), version,
/// created (UTC ISO time).
void write_provenance(hid_t file, const std::string& format, const std::string& config_toml);

/// Attributes window_s, step_s (float64), detector, hrv_profile (strings) on `obj`.
void write_stored_extract(hid_t obj, const StoredExtract& x);
/// nullopt when `obj` has no step_s attribute (files written before the typed settings).
std::optional<StoredExtract> read_stored_extract(hid_t obj);

/// Attributes postprocess_smoothing (string), postprocess_smoothing_windows (int64),
/// postprocess_threshold, postprocess_min_duration_s, postprocess_merge_gap_s (float64): the
/// post-processing train chose by cross-validation.
void write_stored_postprocess(hid_t obj, const PostprocessSettings& pp);
/// nullopt when `obj` has none; throws Error when the smoothing name is not one ecgforest knows.
std::optional<PostprocessSettings> read_stored_postprocess(hid_t obj, const std::string& file);

}  // namespace ecgforest::io
