#include "ecgforest/io/h5.hpp"

#include <algorithm>

#include <cstdio>
#include <cstring>
#include <new>

#include "ecgforest/core/error.hpp"

namespace ecgforest::io::h5 {

void Handle::reset() noexcept {
  if (id_ >= 0 && closer_ != nullptr) {
    if (closer_(id_) < 0) {
      std::fprintf(stderr, "ecgforest: warning: closing an HDF5 object failed: %s\n", error_stack().c_str());
    }
  }
  id_ = H5I_INVALID_HID;
}

void Handle::close(const std::string& what) {
  if (id_ >= 0 && closer_ != nullptr) {
    const herr_t st = closer_(id_);
    id_ = H5I_INVALID_HID;
    check_status(st, what);
  }
}

void init_error_handling() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {
herr_t walk_cb(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n > 6) return 0;  // the innermost frames are the informative ones; keep it short
  *out += "\n    ";
  *out += err->func_name ? err->func_name : "?";
  *out += ": ";
  *out += err->desc ? err->desc : "";
  return 0;
}
}  // namespace

std::string error_stack() {
  std::string out;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &out);
  return out;
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) {
    std::string stack = error_stack();
    H5Eclear2(H5E_DEFAULT);
    throw Hdf5Error(what + (stack.empty() ? std::string() : " HDF5 says:" + stack));
  }
  return id;
}

void check_status(herr_t status, const std::string& what) {
  if (status < 0) check(static_cast<hid_t>(-1), what);
}

Handle file_handle(hid_t id, const std::string& what) { return {check(id, what), H5Fclose}; }
Handle dataset_handle(hid_t id, const std::string& what) { return {check(id, what), H5Dclose}; }
Handle dataspace_handle(hid_t id, const std::string& what) { return {check(id, what), H5Sclose}; }
Handle plist_handle(hid_t id, const std::string& what) { return {check(id, what), H5Pclose}; }
Handle type_handle(hid_t id, const std::string& what) { return {check(id, what), H5Tclose}; }
Handle group_handle(hid_t id, const std::string& what) { return {check(id, what), H5Gclose}; }
Handle attribute_handle(hid_t id, const std::string& what) { return {check(id, what), H5Aclose}; }

Handle vlen_string_type() {
  Handle t = type_handle(H5Tcopy(H5T_C_S1), "Cannot copy the HDF5 string type.");
  check_status(H5Tset_size(t, H5T_VARIABLE), "Cannot make a variable-length string type.");
  check_status(H5Tset_cset(t, H5T_CSET_UTF8), "Cannot set the UTF-8 character set.");
  return t;
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value) {
  Handle type = vlen_string_type();
  Handle space = dataspace_handle(H5Screate(H5S_SCALAR), "Cannot create a scalar dataspace.");
  Handle attr = attribute_handle(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                                 "Cannot create the attribute '" + name + "'.");
  const char* p = value.c_str();
  check_status(H5Awrite(attr, type, &p), "Cannot write the attribute '" + name + "'.");
}

void write_string_list_attribute(hid_t obj, const std::string& name, const std::vector<std::string>& values) {
  Handle type = vlen_string_type();
  const hsize_t n = values.size();
  Handle space = dataspace_handle(H5Screate_simple(1, &n, nullptr), "Cannot create a dataspace.");
  Handle attr = attribute_handle(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                                 "Cannot create the attribute '" + name + "'.");
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  check_status(H5Awrite(attr, type, ptrs.data()), "Cannot write the attribute '" + name + "'.");
}

void write_int_attribute(hid_t obj, const std::string& name, std::int64_t value) {
  Handle space = dataspace_handle(H5Screate(H5S_SCALAR), "Cannot create a scalar dataspace.");
  Handle attr = attribute_handle(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                                 "Cannot create the attribute '" + name + "'.");
  check_status(H5Awrite(attr, H5T_NATIVE_INT64, &value), "Cannot write the attribute '" + name + "'.");
}

void write_double_attribute(hid_t obj, const std::string& name, double value) {
  Handle space = dataspace_handle(H5Screate(H5S_SCALAR), "Cannot create a scalar dataspace.");
  Handle attr = attribute_handle(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                                 "Cannot create the attribute '" + name + "'.");
  check_status(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), "Cannot write the attribute '" + name + "'.");
}

bool has_attribute(hid_t obj, const std::string& name) {
  const htri_t r = H5Aexists(obj, name.c_str());
  check_status(r < 0 ? -1 : 0, "Cannot check for the attribute '" + name + "'.");
  return r > 0;
}

std::int64_t read_int_attribute(hid_t obj, const std::string& name) {
  Handle attr = attribute_handle(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "Cannot open the attribute '" + name + "'.");
  std::int64_t v = 0;
  check_status(H5Aread(attr, H5T_NATIVE_INT64, &v), "Cannot read the attribute '" + name + "'.");
  return v;
}

double read_double_attribute(hid_t obj, const std::string& name) {
  Handle attr = attribute_handle(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "Cannot open the attribute '" + name + "'.");
  double v = 0;
  check_status(H5Aread(attr, H5T_NATIVE_DOUBLE, &v), "Cannot read the attribute '" + name + "'.");
  return v;
}

std::vector<std::string> read_string_list_attribute(hid_t obj, const std::string& name) {
  Handle attr = attribute_handle(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "Cannot open the attribute '" + name + "'.");
  Handle space = dataspace_handle(H5Aget_space(attr), "Cannot get the dataspace of attribute '" + name + "'.");
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  check_status(n < 0 ? -1 : 0, "Cannot size the attribute '" + name + "'.");
  Handle ftype = type_handle(H5Aget_type(attr), "Cannot get the type of attribute '" + name + "'.");
  std::vector<std::string> out;
  // Read with the file's character set (ASCII or UTF-8, e.g. h5py's string_dtype('ascii')): HDF5
  // does not convert between the two, and ASCII is a subset of UTF-8 anyway.
  const H5T_cset_t cset = H5Tget_cset(ftype);
  check_status(cset < 0 ? -1 : 0, "Cannot get the character set of attribute '" + name + "'.");
  if (H5Tis_variable_str(ftype) > 0) {
    Handle type = vlen_string_type();
    check_status(H5Tset_cset(type, cset), "Cannot set the character set of attribute '" + name + "'.");
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    check_status(H5Aread(attr, type, ptrs.data()), "Cannot read the attribute '" + name + "'.");
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t sz = H5Tget_size(ftype);
    std::vector<char> buf(sz * static_cast<std::size_t>(n) + 1, '\0');
    Handle type = type_handle(H5Tcopy(H5T_C_S1), "Cannot copy the string type.");
    check_status(H5Tset_size(type, sz), "Cannot size the string type.");
    check_status(H5Tset_cset(type, cset), "Cannot set the character set of attribute '" + name + "'.");
    check_status(H5Aread(attr, type, buf.data()), "Cannot read the attribute '" + name + "'.");
    for (hssize_t i = 0; i < n; ++i) {
      const char* p = buf.data() + static_cast<std::size_t>(i) * sz;
      out.emplace_back(p, strnlen(p, sz));
    }
  }
  return out;
}

std::string read_string_attribute(hid_t obj, const std::string& name) {
  auto v = read_string_list_attribute(obj, name);
  if (v.size() != 1) throw Hdf5Error("The attribute '" + name + "' is not a single string.");
  return v.front();
}

template <> hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <> hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <> hid_t native_type<std::int32_t>() { return H5T_NATIVE_INT32; }
template <> hid_t native_type<std::uint32_t>() { return H5T_NATIVE_UINT32; }
template <> hid_t native_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <> hid_t native_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }
template <> hid_t native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }

namespace {
template <class T> hid_t file_type();
template <> hid_t file_type<float>() { return H5T_IEEE_F32LE; }
template <> hid_t file_type<double>() { return H5T_IEEE_F64LE; }
template <> hid_t file_type<std::int32_t>() { return H5T_STD_I32LE; }
template <> hid_t file_type<std::uint32_t>() { return H5T_STD_U32LE; }
template <> hid_t file_type<std::int64_t>() { return H5T_STD_I64LE; }
template <> hid_t file_type<std::uint64_t>() { return H5T_STD_U64LE; }
template <> hid_t file_type<std::uint8_t>() { return H5T_STD_U8LE; }
}  // namespace

template <class T>
void write_dataset(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims, const T* data) {
  Handle space = dataspace_handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                                  "Cannot create the dataspace of '" + name + "'.");
  Handle lcpl = plist_handle(H5Pcreate(H5P_LINK_CREATE), "Cannot create a link property list.");
  check_status(H5Pset_create_intermediate_group(lcpl, 1), "Cannot enable intermediate groups.");
  Handle ds = dataset_handle(H5Dcreate2(parent, name.c_str(), file_type<T>(), space, lcpl, H5P_DEFAULT, H5P_DEFAULT),
                             "Cannot create the dataset '" + name + "'.");
  hsize_t total = 1;
  for (auto d : dims) total *= d;
  if (total > 0) {
    check_status(H5Dwrite(ds, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
                 "Cannot write the dataset '" + name + "'.");
  }
}

namespace {

std::string file_name(hid_t obj) {
  const ssize_t n = H5Fget_name(obj, nullptr, 0);
  if (n <= 0) return "the HDF5 file";
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  H5Fget_name(obj, s.data(), s.size());
  s.resize(static_cast<std::size_t>(n));
  return s;
}

}  // namespace

hsize_t checked_element_count(hid_t ds, hid_t parent, const std::string& name, const std::vector<hsize_t>& dims,
                              std::size_t elem_bytes) {
  constexpr hsize_t kLimit = hsize_t{1} << 50;
  hsize_t total = 1;
  for (auto x : dims) {
    if (x != 0 && total > kLimit / x) total = kLimit + 1;
    else total *= x;
  }
  const double declared = static_cast<double>(total) * static_cast<double>(elem_bytes);
  const double stored = static_cast<double>(H5Dget_storage_size(ds));
  if (total > kLimit || (declared > double(1 << 30) && declared > 64.0 * std::max(stored, 1.0))) {
    throw Hdf5Error("The dataset '" + name + "' in " + file_name(parent) + " declares " +
                    (total > kLimit ? std::string("more than 2^50") : std::to_string(total)) + " elements but stores " +
                    std::to_string(static_cast<unsigned long long>(stored)) +
                    " bytes; the file is damaged or was not written by ecgforest.");
  }
  return total;
}

template <class T>
std::vector<T> read_dataset(hid_t parent, const std::string& name, std::vector<hsize_t>* dims) {
  Handle ds = dataset_handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "Cannot open the dataset '" + name + "'.");
  Handle space = dataspace_handle(H5Dget_space(ds), "Cannot get the dataspace of '" + name + "'.");
  const int rank = H5Sget_simple_extent_ndims(space);
  check_status(rank < 0 ? -1 : 0, "Cannot get the rank of '" + name + "'.");
  std::vector<hsize_t> d(static_cast<std::size_t>(rank));
  check_status(H5Sget_simple_extent_dims(space, d.data(), nullptr), "Cannot get the dims of '" + name + "'.");
  const hsize_t total = checked_element_count(ds, parent, name, d, sizeof(T));
  std::vector<T> out;
  try {
    out.resize(static_cast<std::size_t>(total));
  } catch (const std::bad_alloc&) {
    throw Hdf5Error("The dataset '" + name + "' in " + file_name(parent) + " declares " + std::to_string(total) +
                    " elements, more than fit in memory; the file is damaged or was not written by ecgforest.");
  }
  if (total > 0) {
    check_status(H5Dread(ds, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
                 "Cannot read the dataset '" + name + "'.");
  }
  if (dims) *dims = d;
  return out;
}

template <class T>
void read_rows(hid_t ds, hid_t dxpl, hsize_t first, hsize_t n, hsize_t col, hsize_t n_cols, T* dst,
               const std::string& what) {
  Handle fspace = dataspace_handle(H5Dget_space(ds), "Cannot get the dataspace of " + what + ".");
  const int rank = H5Sget_simple_extent_ndims(fspace);
  check_status(rank < 1 || rank > 2 ? -1 : 0, what + " must be a 1-D or 2-D dataset.");
  const hsize_t start[2] = {first, col}, count[2] = {n, n_cols}, mcount[2] = {std::max<hsize_t>(n, 1), n_cols};
  if (n > 0) {
    check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr),
                 "Cannot select rows of " + what + ".");
  } else {
    check_status(H5Sselect_none(fspace), "Cannot clear the selection of " + what + ".");
  }
  Handle mspace = dataspace_handle(H5Screate_simple(rank, mcount, nullptr), "Cannot create a memory dataspace.");
  if (n == 0) check_status(H5Sselect_none(mspace), "Cannot clear the memory selection.");
  T dummy{};
  check_status(H5Dread(ds, native_type<T>(), mspace, fspace, dxpl, n > 0 ? static_cast<void*>(dst) : &dummy),
               "Cannot read " + what + ".");
}

#define ECGFOREST_H5_INSTANTIATE(T)                                                                  \
  template void write_dataset<T>(hid_t, const std::string&, const std::vector<hsize_t>&, const T*); \
  template std::vector<T> read_dataset<T>(hid_t, const std::string&, std::vector<hsize_t>*);       \
  template void read_rows<T>(hid_t, hid_t, hsize_t, hsize_t, hsize_t, hsize_t, T*, const std::string&);
ECGFOREST_H5_INSTANTIATE(float)
ECGFOREST_H5_INSTANTIATE(double)
ECGFOREST_H5_INSTANTIATE(std::int32_t)
ECGFOREST_H5_INSTANTIATE(std::uint32_t)
ECGFOREST_H5_INSTANTIATE(std::int64_t)
ECGFOREST_H5_INSTANTIATE(std::uint64_t)
ECGFOREST_H5_INSTANTIATE(std::uint8_t)
#undef ECGFOREST_H5_INSTANTIATE

}  // namespace ecgforest::io::h5
