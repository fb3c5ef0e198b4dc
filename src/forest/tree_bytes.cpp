#include "ecgforest/forest/tree_bytes.hpp"

namespace ecgforest::forest {

void put_tree(ByteWriter& w, const Tree& t) {
  w.pod_vector(t.feature);
  w.pod_vector(t.threshold);
  w.pod_vector(t.nan_left);
  w.pod_vector(t.left);
  w.pod_vector(t.right);
  w.pod_vector(t.value);
  w.pod_vector(t.bin);
  w.pod_vector(t.importance);
}

Tree get_tree(ByteReader& r) {
  Tree t;
  t.feature = r.pod_vector<std::int32_t>();
  t.threshold = r.pod_vector<float>();
  t.nan_left = r.pod_vector<std::uint8_t>();
  t.left = r.pod_vector<std::int32_t>();
  t.right = r.pod_vector<std::int32_t>();
  t.value = r.pod_vector<float>();
  t.bin = r.pod_vector<std::uint8_t>();
  t.importance = r.pod_vector<double>();
  return t;
}

std::vector<char> tree_bytes(const Tree& t) {
  ByteWriter w;
  put_tree(w, t);
  return std::move(w.bytes());
}

Tree tree_from_bytes(const std::vector<char>& bytes) {
  ByteReader r(bytes.data(), bytes.size());
  return get_tree(r);
}

}  // namespace ecgforest::forest
