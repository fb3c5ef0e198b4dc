// train.exclude_features: drop_columns removes named columns from a binned training set.
#include "ecgforest/pipeline/train_data.hpp"

#include <gtest/gtest.h>

#include "ecgforest/core/error.hpp"

namespace ecgforest::pipeline {
namespace {

TrainingSet three_columns() {
  // Rows (a, b, c): column a takes 1,2,3; b is 10,20,30; c is 5,5,5.
  const float x[] = {1, 10, 5, 2, 20, 5, 3, 30, 5};
  TrainingSet ts;
  ts.columns = {"a", "sqi", "c"};
  ts.xb = forest::BinnedMatrix::build(x, 3, 3);
  ts.y = {0, 1, 1};
  ts.all_nan_columns = {"sqi"};
  return ts;
}

TEST(DropColumns, RemovesNamedColumnsAndKeepsTheOthersCodes) {
  auto ts = three_columns();
  const auto before_a = std::vector<std::uint8_t>{ts.xb.code(0, 0), ts.xb.code(1, 0), ts.xb.code(2, 0)};
  const auto before_c = ts.xb.code(1, 2);
  const auto edges_c = ts.xb.upper_edges()[2];
  const auto removed = drop_columns(ts, " sqi ,nope");
  ASSERT_EQ(removed, std::vector<std::string>{"sqi"});
  EXPECT_EQ(ts.columns, (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(ts.xb.n_features(), 2u);
  EXPECT_EQ(ts.xb.n_rows(), 3u);
  for (std::size_t r = 0; r < 3; ++r) EXPECT_EQ(ts.xb.code(r, 0), before_a[r]);
  // Three distinct values of a give three bins 0, 1, 2.
  EXPECT_EQ(ts.xb.code(2, 0), 2);
  EXPECT_EQ(ts.xb.code(1, 1), before_c);
  EXPECT_EQ(ts.xb.upper_edges()[1], edges_c);
  EXPECT_TRUE(ts.all_nan_columns.empty());
}

TEST(DropColumns, WithoutRowsOnlyTheNamesChange) {
  TrainingSet ts;  // read_training_set returns this when no window is labelled
  ts.columns = {"a", "sqi"};
  EXPECT_EQ(drop_columns(ts, "sqi"), std::vector<std::string>{"sqi"});
  EXPECT_EQ(ts.columns, std::vector<std::string>{"a"});
}

TEST(DropColumns, EmptyListKeepsEverythingAndAllColumnsIsAnError) {
  auto ts = three_columns();
  EXPECT_TRUE(drop_columns(ts, "").empty());
  EXPECT_EQ(ts.columns.size(), 3u);
  EXPECT_THROW(drop_columns(ts, "a,sqi,c"), ConfigError);
}

}  // namespace
}  // namespace ecgforest::pipeline
