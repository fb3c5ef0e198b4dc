#pragma once
// Thin checked layer over the HDF5 C API (HighFive's style): every call's return value is
// checked and turned into ecgforest::Hdf5Error carrying the HDF5 error stack; ids live in RAII
// handles whose destructors never throw.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ecgforest::io::h5 {

/// Owns one HDF5 id and closes it with the matching H5?close in the destructor (never throws;
/// a failed close is reported on stderr).
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), closer_(o.closer_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
      closer_ = o.closer_;
    }
    return *this;
  }
  ~Handle() { reset(); }
  hid_t get() const noexcept { return id_; }
  operator hid_t() const noexcept { return id_; }  // NOLINT: convenience for C calls
  void reset() noexcept;
  /// Closes now and throws Hdf5Error when the close fails (use for files, where a failed close
  /// means data may not be on disk).
  void close(const std::string& what);

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Silences HDF5's automatic error printing (we print the stack in our own messages).
void init_error_handling();

/// Text of the current HDF5 error stack (one line per frame), empty when none.
std::string error_stack();

/// Throws Hdf5Error("<what>: HDF5 error stack ...") when id < 0; returns id otherwise.
hid_t check(hid_t id, const std::string& what);
/// Throws Hdf5Error when status < 0.
void check_status(herr_t status, const std::string& what);

Handle file_handle(hid_t id, const std::string& what);
Handle dataset_handle(hid_t id, const std::string& what);
Handle dataspace_handle(hid_t id, const std::string& what);
Handle plist_handle(hid_t id, const std::string& what);
Handle type_handle(hid_t id, const std::string& what);
Handle group_handle(hid_t id, const std::string& what);
Handle attribute_handle(hid_t id, const std::string& what);

/// Variable-length UTF-8 string type.
Handle vlen_string_type();

/// Writes a scalar variable-length string attribute `name` on `obj` (serial files only).
void write_string_attribute(hid_t obj, const std::string& name, const std::string& value);
/// Writes a 1-D variable-length string array attribute (serial files only).
void write_string_list_attribute(hid_t obj, const std::string& name, const std::vector<std::string>& values);
/// Scalar numeric attributes.
void write_int_attribute(hid_t obj, const std::string& name, std::int64_t value);
void write_double_attribute(hid_t obj, const std::string& name, double value);

/// Reads a string attribute (scalar, variable or fixed length).
std::string read_string_attribute(hid_t obj, const std::string& name);
/// Reads a 1-D string array attribute.
std::vector<std::string> read_string_list_attribute(hid_t obj, const std::string& name);
bool has_attribute(hid_t obj, const std::string& name);
std::int64_t read_int_attribute(hid_t obj, const std::string& name);
double read_double_attribute(hid_t obj, const std::string& name);

/// Creates and writes a whole 1-D or 2-D dataset in one call (serial files).
template <class T>
void write_dataset(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims, const T* data);
/// Reads a whole dataset; returns its dims through `dims`.
template <class T>
std::vector<T> read_dataset(hid_t parent, const std::string& name, std::vector<hsize_t>* dims = nullptr);

/// Elements the dataset `ds` (named `name`, opened from `parent`) declares with `dims`, bounded
/// before anything is allocated: the product must not overflow, and a large dataset must hold
/// (about) the bytes it declares — ecgforest writes contiguous, uncompressed datasets, so a
/// 1e12-element declaration over a few stored bytes is a damaged or hostile file, not data.
/// Throws Hdf5Error naming the dataset and the file.
hsize_t checked_element_count(hid_t ds, hid_t parent, const std::string& name, const std::vector<hsize_t>& dims,
                              std::size_t elem_bytes);

/// Reads rows [first, first + n) and columns [col, col + n_cols) of the open 1-D (col = 0,
/// n_cols = 1) or 2-D dataset `ds` into `dst` (row-major [n, n_cols]) with the transfer list
/// `dxpl`. n may be 0: an empty selection, so that a rank without rows can still take part in a
/// COLLECTIVE read (`dxpl` set to H5FD_MPIO_COLLECTIVE: every rank of the file must call it).
/// `what` names the data in the error message.
template <class T>
void read_rows(hid_t ds, hid_t dxpl, hsize_t first, hsize_t n, hsize_t col, hsize_t n_cols, T* dst,
               const std::string& what);

/// The HDF5 memory type for T.
template <class T>
hid_t native_type();

}  // namespace ecgforest::io::h5
