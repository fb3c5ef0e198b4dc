#include "ecgforest/io/predictions_file.hpp"

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/io/provenance.hpp"

namespace ecgforest::io {
namespace {

void write_string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
  h5::Handle type = h5::vlen_string_type();
  const hsize_t n = values.size();
  h5::Handle space = h5::dataspace_handle(H5Screate_simple(1, &n, nullptr), "Cannot create a dataspace.");
  h5::Handle lcpl = h5::plist_handle(H5Pcreate(H5P_LINK_CREATE), "Cannot create a link property list.");
  h5::check_status(H5Pset_create_intermediate_group(lcpl, 1), "Cannot enable intermediate groups.");
  h5::Handle ds = h5::dataset_handle(H5Dcreate2(parent, name.c_str(), type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT),
                                     "Cannot create the dataset " + name + ".");
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0) h5::check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "Cannot write " + name + ".");
}

template <class T>
void put(hid_t f, const char* name, const std::vector<T>& v) {
  h5::write_dataset<T>(f, name, {v.size()}, v.data());
}

/// Creates `file`.partial, lets `fill` write into it, closes it and renames it to `file`.
template <class Fill>
void write_atomically(const std::filesystem::path& file, Fill&& fill) {
  h5::init_error_handling();
  const std::filesystem::path tmp = file.string() + ".partial";
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  {
    h5::Handle f = h5::file_handle(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                                   "Cannot create " + tmp.string() + "; check that the directory is writable.");
    fill(static_cast<hid_t>(f));
    f.close("Closing " + tmp.string() + " failed; the disk may be full.");
  }
  std::filesystem::rename(tmp, file);
}

}  // namespace

void write_probabilities_file(const std::filesystem::path& file, const ProbabilitiesTable& t, const Provenance& p) {
  write_atomically(file, [&](hid_t f) {
    put(f, "/windows/probability", t.probability);
    put(f, "/windows/record", t.record);
    put(f, "/windows/time_s", t.time_s);
    write_provenance(f, "ecgforest-probabilities/1", p.config_toml);
    h5::write_string_attribute(f, "model", t.model);
    h5::write_string_attribute(f, "features", t.features);
  });
}

void write_predictions_file(const std::filesystem::path& file, const PredictionsTable& t, const Provenance& p) {
  write_atomically(file, [&](hid_t f) {
    put(f, "/windows/probability", t.probability);
    put(f, "/windows/smoothed", t.smoothed);
    put(f, "/windows/label", t.label);
    put(f, "/windows/mean_hr", t.mean_hr);
    put(f, "/windows/low_quality", t.low_quality);
    put(f, "/windows/record", t.record);
    put(f, "/windows/time_s", t.time_s);
    write_string_dataset(f, "/records/path", t.path);
    write_string_dataset(f, "/records/patient", t.patient);
    write_string_dataset(f, "/records/status", t.status);
    write_string_dataset(f, "/records/message", t.message);
    write_string_dataset(f, "/records/annotation", t.annotation);
    put(f, "/records/duration_s", t.duration_s);
    put(f, "/records/first_window", t.first_window);
    put(f, "/records/n_windows", t.n_windows);
    put(f, "/events/record", t.event_record);
    put(f, "/events/start_s", t.event_start_s);
    put(f, "/events/stop_s", t.event_stop_s);
    put(f, "/events/probability", t.event_probability);
    put(f, "/events/alarm_s", t.event_alarm_s);
    put(f, "/reference/record", t.reference_record);
    put(f, "/reference/start_s", t.reference_start_s);
    put(f, "/reference/stop_s", t.reference_stop_s);
    write_provenance(f, "ecgforest-predictions/1", p.config_toml);
    h5::write_string_attribute(f, "model", t.model);
    h5::write_string_attribute(f, "window_s", t.window_s);
    h5::write_string_attribute(f, "step_s", t.step_s);
  });
}

}  // namespace ecgforest::io
