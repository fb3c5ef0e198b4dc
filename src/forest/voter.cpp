// BinnedVoter: the trees of a forest as one array of 16-byte nodes for prediction on binned rows.
#include <algorithm>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {
namespace {
constexpr std::size_t kBlock = 16;  // rows walking one tree together (independent loads in flight)
}  // namespace

BinnedVoter::BinnedVoter(const std::vector<Tree>& trees) {
  for (const Tree& t : trees) {
    if (t.bin.size() != t.n_nodes()) {
      throw Error("A tree has no split bin codes (a loaded model); binned prediction needs the trees as grown.");
    }
    const auto base = static_cast<std::int32_t>(nodes_.size());
    root_.push_back(base);
    int depth = 0;
    std::vector<std::pair<std::int32_t, int>> stack{{0, 0}};  // (node, its depth)
    nodes_.resize(nodes_.size() + t.n_nodes());
    votes_.resize(nodes_.size(), 0);
    while (!stack.empty()) {
      const auto [i, d] = stack.back();
      stack.pop_back();
      const auto k = static_cast<std::size_t>(i);
      Node& n = nodes_[static_cast<std::size_t>(base + i)];
      if (t.left[k] < 0) {
        n = {0, 0, 0, {0, 0}, {base + i, base + i}};
        votes_[static_cast<std::size_t>(base + i)] = vote(t.value[k]);
        depth = std::max(depth, d);
        continue;
      }
      n = {static_cast<std::uint32_t>(t.feature[k]), t.bin[k], t.nan_left[k], {0, 0}, {base + t.left[k], base + t.right[k]}};
      stack.push_back({t.left[k], d + 1});
      stack.push_back({t.right[k], d + 1});
    }
    depth_.push_back(depth);
  }
}

void BinnedVoter::add_block(const BinnedMatrix& xb, const std::uint32_t* rows, std::size_t n, std::uint64_t* acc) const {
  const std::uint8_t* codes[kBlock];
  std::int32_t at[kBlock];
  for (std::size_t r = 0; r < n; ++r) codes[r] = xb.row(rows[r]);
  const Node* nodes = nodes_.data();
  for (std::size_t t = 0; t < root_.size(); ++t) {
    for (std::size_t r = 0; r < n; ++r) at[r] = root_[t];
    for (int d = 0; d < depth_[t]; ++d) {
      for (std::size_t r = 0; r < n; ++r) {
        const Node& node = nodes[at[r]];
        const std::uint8_t c = codes[r][node.feature];
        const bool left = c == BinnedMatrix::kNanBin ? node.nan_left != 0 : c <= node.bin;
        at[r] = node.child[left ? 0 : 1];
      }
    }
    for (std::size_t r = 0; r < n; ++r) acc[r] += votes_[static_cast<std::size_t>(at[r])];
  }
}

void BinnedVoter::add_votes(const BinnedMatrix& xb, const std::uint32_t* rows, std::size_t n, std::uint64_t* acc) const {
  for (std::size_t i = 0; i < n; i += kBlock) add_block(xb, rows + i, std::min(kBlock, n - i), acc + i);
}

}  // namespace ecgforest::forest
