#pragma once
// Gradient-boosted trees for the logistic loss (Friedman 2001; second-order leaf values and
// split gains as in XGBoost, Chen & Guestrin 2016) on the same pre-binned features as the forest.
// Pure numeric code: no MPI, no HDF5. Rounds are sequential; inside a round the histograms of
// the sampled features are built with OpenMP over features, each feature's sums taken over the
// node's rows in row order, so a model is bitwise identical for any thread count.
//
// A round: gradients g = p - y and hessians h = p (1 - p) at the current margins; rows drawn
// without replacement with probability `subsample` and a share `colsample` of the features
// (both from the generator seeded with (seed, round)); a tree grown level by level to
// `max_depth`: a node splits at the bin (and NaN side) with the largest gain
//   G_L^2/(H_L+lambda) + G_R^2/(H_R+lambda) - G^2/(H+lambda)   (halved: XGBoost's gain)
// when both sides hold at least `min_child_hessian` and the gain is positive; a leaf's value is
// -learning_rate * G / (H + lambda). The model's margin is base_margin (log-odds of the training
// positives) plus the leaf values; P(seizure) = 1 / (1 + exp(-margin)).
#include <cstdint>
#include <functional>
#include <vector>

#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {

struct BoostParams {
  int n_rounds = 300;
  int max_depth = 4;
  double learning_rate = 0.05;
  double lambda = 1.0;             ///< L2 penalty on leaf values
  double min_child_hessian = 1.0;  ///< XGBoost's min_child_weight
  double subsample = 0.8;          ///< each row's chance to take part in a round, (0, 1]
  double colsample = 0.8;          ///< share of the features a round's tree may split on, (0, 1]
  std::uint64_t seed = 42;
};

/// Tree::value holds leaf margins (learning rate applied); Tree::importance the summed gains.
struct BoostedTrees {
  double base_margin = 0;
  std::vector<Tree> trees;
};

/// Grows params.n_rounds trees on the training rows `rows` of xb (labels y, 0/1, for every row
/// of xb). `round_done` (optional) is called after each round with the rounds done. Throws
/// ParameterError for settings outside their ranges (n_rounds < 1, max_depth outside 1..16,
/// learning_rate outside (0, 1], negative lambda or min_child_hessian, subsample or colsample
/// outside (0, 1]) and Error for empty rows, out-of-range rows or labels other than 0/1.
BoostedTrees grow_boosted(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                          const std::vector<std::uint32_t>& rows, const BoostParams& params,
                          const std::function<void(int)>& round_done = {});

/// 1 / (1 + exp(-margin)).
float logistic(double margin);

/// P(seizure) of the row with bin codes `codes` (of the BinnedMatrix the trees were grown on):
/// margins summed in tree order.
float boosted_proba_binned(const BoostedTrees& m, const std::uint8_t* codes);

}  // namespace ecgforest::forest
