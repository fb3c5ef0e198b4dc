// MPI tests of the small helpers in comm/mpi.hpp, the byte codec and parallel::tree_block.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/core/bytes.hpp"
#include "mpi_test_util.hpp"

namespace ecgforest::comm {
namespace {

using namespace ecgforest::testing_mpi;

TEST(MpiTreeBlock, BlocksPartitionTheTrees) {
  for (std::uint64_t n : {0ull, 1ull, 2ull, 3ull, 7ull, 100ull}) {
    for (int p = 1; p <= 5; ++p) {
      std::uint64_t expect_first = 0;
      for (int r = 0; r < p; ++r) {
        const auto [first, last] = parallel::tree_block(n, r, p);
        EXPECT_EQ(first, expect_first) << "n=" << n << " p=" << p << " r=" << r;  // contiguous
        ASSERT_LE(first, last) << "n=" << n << " p=" << p << " r=" << r;
        const std::uint64_t count = last - first;
        // Sizes differ by at most one: each is floor(n/p) or ceil(n/p).
        EXPECT_GE(count, n / static_cast<std::uint64_t>(p)) << "n=" << n << " p=" << p << " r=" << r;
        EXPECT_LE(count, (n + static_cast<std::uint64_t>(p) - 1) / static_cast<std::uint64_t>(p))
            << "n=" << n << " p=" << p << " r=" << r;
        if (static_cast<std::uint64_t>(r) >= n) {
          EXPECT_EQ(count, 0u) << "n=" << n << " p=" << p << " r=" << r;
        }
        expect_first = last;
      }
      EXPECT_EQ(expect_first, n) << "n=" << n << " p=" << p;  // covers [0, n)
    }
  }
}

// The blocks of the real ranks of a communicator tile [0, n) (gathered over the communicator).
void check_blocks_on(MPI_Comm comm) {
  const int p = size(comm), me = rank(comm);
  for (std::uint64_t n : {0ull, 1ull, 2ull, 3ull, 7ull, 100ull}) {
    const auto [first, last] = parallel::tree_block(n, me, p);
    std::vector<unsigned long long> mine{first, last}, all(2 * static_cast<std::size_t>(p));
    MPI_Allgather(mine.data(), 2, MPI_UNSIGNED_LONG_LONG, all.data(), 2, MPI_UNSIGNED_LONG_LONG, comm);
    std::vector<int> owner_count(n, 0);
    for (int r = 0; r < p; ++r) {
      for (auto i = all[2 * static_cast<std::size_t>(r)]; i < all[2 * static_cast<std::size_t>(r) + 1]; ++i) {
        ASSERT_LT(i, n);
        ++owner_count[i];
      }
    }
    for (std::uint64_t i = 0; i < n; ++i) EXPECT_EQ(owner_count[i], 1) << "tree " << i << " n=" << n;
  }
}

TEST(MpiTreeBlock, RealRanksTileTheTreesOnWorldAndSplit) {
  check_blocks_on(MPI_COMM_WORLD);
  MPI_Comm half = by_parity(MPI_COMM_WORLD);
  check_blocks_on(half);
  MPI_Comm_free(&half);
}

TEST(MpiHelpers, RankAndSize) {
  int r = -1, s = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  EXPECT_EQ(rank(MPI_COMM_WORLD), r);
  EXPECT_EQ(size(MPI_COMM_WORLD), s);
  MPI_Comm rev = reversed(MPI_COMM_WORLD);
  EXPECT_EQ(rank(rev), s - 1 - r);
  EXPECT_EQ(size(rev), s);
  MPI_Comm_free(&rev);
}

TEST(MpiHelpers, CheckMpiThrowsWithTheCallName) {
  EXPECT_NO_THROW(check_mpi(MPI_SUCCESS, "MPI_Nothing"));
  try {
    check_mpi(MPI_ERR_COMM, "MPI_Something");
    ADD_FAILURE() << "no throw";
  } catch (const MpiError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("MPI_Something failed", 0), 0u) << e.what();
  }
}

void check_broadcast_on(MPI_Comm comm) {
  const int p = size(comm), me = rank(comm);
  for (int root = 0; root < p; ++root) {
    const std::string mine = "from rank " + std::to_string(me) + std::string(static_cast<std::size_t>(me) * 1000, 'x');
    const std::string want = "from rank " + std::to_string(root) + std::string(static_cast<std::size_t>(root) * 1000, 'x');
    EXPECT_EQ(broadcast_string(comm, mine, root), want) << "root " << root;
  }
  // Empty string from the root; non-empty elsewhere.
  EXPECT_EQ(broadcast_string(comm, me == 0 ? std::string() : std::string("junk"), 0), "");
  // Embedded NUL bytes survive.
  const std::string nul("a\0b\0c", 5);
  EXPECT_EQ(broadcast_string(comm, me == 0 ? nul : std::string(), 0), nul);
}

TEST(MpiHelpers, BroadcastStringOnWorldAndReversed) {
  check_broadcast_on(MPI_COMM_WORLD);
  MPI_Comm rev = reversed(MPI_COMM_WORLD);
  check_broadcast_on(rev);
  MPI_Comm_free(&rev);
}

// Rank r contributes r bytes of value 'a'+r (rank 0 contributes nothing).
std::vector<char> bytes_of(int r) { return std::vector<char>(static_cast<std::size_t>(r), static_cast<char>('a' + r)); }

void check_gather_on(MPI_Comm comm) {
  const int p = size(comm), me = rank(comm);
  for (int root = 0; root < p; ++root) {
    std::vector<std::vector<char>> parts;
    const auto all = gather_bytes(comm, bytes_of(me), root, &parts);
    if (me == root) {
      std::vector<char> want;
      for (int r = 0; r < p; ++r) {
        const auto b = bytes_of(r);
        want.insert(want.end(), b.begin(), b.end());
      }
      EXPECT_EQ(all, want);
      ASSERT_EQ(parts.size(), static_cast<std::size_t>(p));
      for (int r = 0; r < p; ++r) EXPECT_EQ(parts[static_cast<std::size_t>(r)], bytes_of(r)) << "part " << r;
    } else {
      EXPECT_TRUE(all.empty());
    }
    // Without parts.
    const auto all2 = gather_bytes(comm, bytes_of(me), root);
    if (me == root) {
      EXPECT_EQ(all2, all);
    }
  }
  // Everybody empty.
  const auto none = gather_bytes(comm, {}, 0);
  EXPECT_TRUE(none.empty());
}

TEST(MpiHelpers, GatherBytesOnWorldAndReversed) {
  check_gather_on(MPI_COMM_WORLD);
  MPI_Comm rev = reversed(MPI_COMM_WORLD);
  check_gather_on(rev);
  MPI_Comm_free(&rev);
}

void check_allgather_on(MPI_Comm comm) {
  const int p = size(comm), me = rank(comm);
  const auto parts = allgather_bytes(comm, bytes_of(me));
  ASSERT_EQ(parts.size(), static_cast<std::size_t>(p));
  for (int r = 0; r < p; ++r) EXPECT_EQ(parts[static_cast<std::size_t>(r)], bytes_of(r)) << "part " << r;
  const auto empty = allgather_bytes(comm, {});
  ASSERT_EQ(empty.size(), static_cast<std::size_t>(p));
  for (const auto& e : empty) EXPECT_TRUE(e.empty());
}

TEST(MpiHelpers, AllgatherBytesOnWorldAndSplit) {
  check_allgather_on(MPI_COMM_WORLD);
  MPI_Comm half = by_parity(MPI_COMM_WORLD);
  check_allgather_on(half);
  MPI_Comm_free(&half);
}

void check_agree_on(MPI_Comm comm) {
  const int p = size(comm), me = rank(comm);
  EXPECT_EQ(agree_on_error(comm, ""), "");
  // Only the last rank fails.
  EXPECT_EQ(agree_on_error(comm, me == p - 1 ? "last failed" : ""), "last failed");
  // Every rank fails: the first in rank order wins.
  EXPECT_EQ(agree_on_error(comm, "rank " + std::to_string(me) + " failed"), "rank 0 failed");
  // Ranks >= 1 fail (with 1 rank: nobody fails).
  const std::string got = agree_on_error(comm, me >= 1 ? "rank " + std::to_string(me) + " failed" : "");
  EXPECT_EQ(got, p >= 2 ? "rank 1 failed" : "");
}

// collective_try: a ConfigError on one rank is a CollectiveConfigError (exit 2) on every rank, with
// its message; any other error a plain CollectiveError (exit 1).
TEST(MpiHelpers, CollectiveTryKeepsABadSettingABadSetting) {
  const int p = size(MPI_COMM_WORLD), me = rank(MPI_COMM_WORLD);
  try {
    collective_try(MPI_COMM_WORLD, "pre: ", [&] {
      if (me == p - 1) throw ConfigError("train.x is bad");
    });
    ADD_FAILURE() << "nothing thrown";
  } catch (const CollectiveConfigError& e) {
    EXPECT_STREQ(e.what(), "pre: train.x is bad");
  }
  try {
    collective_try(MPI_COMM_WORLD, "", [&] {
      if (me == 0) throw Error("disk full");
    });
    ADD_FAILURE() << "nothing thrown";
  } catch (const CollectiveConfigError&) {
    ADD_FAILURE() << "a run error became a bad setting";
  } catch (const CollectiveError& e) {
    EXPECT_STREQ(e.what(), "disk full");
  }
  EXPECT_NO_THROW(collective_try(MPI_COMM_WORLD, "", [] {}));
}

TEST(MpiHelpers, AgreeOnErrorOnWorldAndReversed) {
  check_agree_on(MPI_COMM_WORLD);
  MPI_Comm rev = reversed(MPI_COMM_WORLD);
  check_agree_on(rev);
  MPI_Comm_free(&rev);
}

TEST(MpiHelpers, ByteWriterReaderRoundTripAndShortMessage) {
  ByteWriter w;
  w.u64(0xFFFFFFFFFFFFFFFFull);
  w.f64(-0.1);
  w.str("");
  w.str("hello");
  w.pod_vector(std::vector<std::int32_t>{-1, 2, 3});
  w.pod_vector(std::vector<float>{});
  ByteReader rd(w.bytes().data(), w.bytes().size());
  EXPECT_EQ(rd.u64(), 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(rd.f64(), -0.1);
  EXPECT_EQ(rd.str(), "");
  EXPECT_EQ(rd.str(), "hello");
  EXPECT_EQ(rd.pod_vector<std::int32_t>(), (std::vector<std::int32_t>{-1, 2, 3}));
  EXPECT_TRUE(rd.pod_vector<float>().empty());
  EXPECT_TRUE(rd.done());
  EXPECT_THROW(rd.u64(), Error);

  ByteWriter w2;
  w2.str("abcdef");
  ByteReader cut(w2.bytes().data(), w2.bytes().size() - 1);
  EXPECT_THROW(cut.str(), Error);
  ByteWriter w3;
  w3.u64(1000);  // claims 1000 elements, has none
  ByteReader lie(w3.bytes().data(), w3.bytes().size());
  EXPECT_THROW(lie.pod_vector<double>(), Error);
}

}  // namespace
}  // namespace ecgforest::comm
