#include "ecgforest/parallel/tree_bytes.hpp"

namespace ecgforest::parallel {

void put_tree(Writer& w, const forest::Tree& t) {
  w.pod_vector(t.feature);
  w.pod_vector(t.threshold);
  w.pod_vector(t.nan_left);
  w.pod_vector(t.left);
  w.pod_vector(t.right);
  w.pod_vector(t.value);
  w.pod_vector(t.bin);
  w.pod_vector(t.importance);
}

forest::Tree get_tree(Reader& r) {
  forest::Tree t;
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

}  // namespace ecgforest::parallel
