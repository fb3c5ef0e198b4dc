#include "ecgforest/pipeline/train_grow.hpp"

#include "ecgforest/forest/tree_bytes.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/hash.hpp"
#include "ecgforest/core/progress.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/pipeline/train_data.hpp"
#include "ecgforest/version.hpp"

namespace ecgforest::pipeline {
namespace {

// Everything of `p` grow_tree reads, as text.
std::string params_text(const forest::ForestParams& p) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "n_trees=%d max_features=%d max_depth=%d min_samples_leaf=%d bootstrap=%d sampling=%d "
                "sample_fraction=%.17g leaf_prior=%.17g class_weight=%d seed=%llu max_bins=%d",
                p.n_trees, p.max_features, p.max_depth, p.min_samples_leaf, p.bootstrap ? 1 : 0,
                static_cast<int>(p.sampling), p.sample_fraction, p.leaf_prior, static_cast<int>(p.class_weight),
                static_cast<unsigned long long>(p.seed), p.max_bins);
  return buf;
}

// Checkpoint writes of one phase on one rank: trees are batched as they finish (on OpenMP
// workers) and written when kCheckpointInterval has passed, or at once under the test hook.
class PhaseWriter {
 public:
  PhaseWriter(const io::TreeCheckpoint& ckpt, std::string key) : ckpt_(ckpt), key_(std::move(key)), last_(now_s()) {}
  void grown(std::uint64_t index, const forest::Tree& tree) {
    std::unique_lock<std::mutex> lock(mutex_);
    batch_.add(index, forest::tree_bytes(tree));
    const double t = now_s();
    if (test_exit_after_trees() > 0 || t - last_ >= kCheckpointInterval) {
      io::TreeBatch out;
      std::swap(out, batch_);
      last_ = t;
      lock.unlock();
      store(out);
    }
    static std::atomic<long> n_grown{0};
    if (test_exit_after_trees() > 0 && ++n_grown >= test_exit_after_trees()) std::_Exit(86);
  }
  void flush() {
    std::lock_guard<std::mutex> lock(mutex_);
    store(batch_);
  }

 private:
  // The growth goes on when a write fails; the first failure of a process is reported.
  void store(io::TreeBatch& batch) {
    static std::atomic<bool> warned{false};
    if (!ckpt_.store(key_, batch) && !warned.exchange(true)) {
      std::fprintf(stderr,
                   "train: note: cannot write checkpoint files to %s (check that the directory is writable and "
                   "the disk not full); training goes on, but a killed run will grow those trees again.\n",
                   ckpt_.dir().string().c_str());
    }
  }
  const io::TreeCheckpoint& ckpt_;
  std::string key_;
  std::mutex mutex_;
  io::TreeBatch batch_;
  double last_;
};

}  // namespace

long test_exit_after_trees() {
  static const long limit = [] {
    const char* v = std::getenv("ECGFOREST_TEST_EXIT_AFTER_TREES");
    return v ? std::atol(v) : 0L;
  }();
  return limit;
}

std::string train_run_key(const TrainSettings& settings, const TrainingSet& ts) {
  Config c;
  c.train = settings;
  Hasher h;
  h.text(kVersion).text(kBuildDate).text(to_toml(c));
  for (const auto& col : ts.columns) h.text(col);
  for (const auto& e : ts.xb.upper_edges()) h.pod_vector(e);
  h.u64(ts.xb.n_rows()).u64(ts.xb.n_features());
  if (ts.xb.n_rows() > 0) h.bytes(ts.xb.row(0), ts.xb.n_rows() * ts.xb.row_stride());
  h.pod_vector(ts.y).pod_vector(ts.patient);
  for (const auto& p : ts.patients) h.text(p);
  return h.hex();
}

ForestGrower::ForestGrower(MPI_Comm comm, const TrainingSet& ts, bool report, const std::filesystem::path& checkpoint_dir,
                           const std::string& run_key)
    : comm_(comm), ts_(ts), report_(report) {
  if (checkpoint_dir.empty()) return;
  checkpoint_.emplace(checkpoint_dir, run_key);
  if (report_) {
    if (const auto n = checkpoint_->count_stale(); n > 0) {
      std::fprintf(stderr,
                   "train: note: %zu checkpoint file(s) in %s are from other training data, settings or program "
                   "version and are ignored (removed when this model is written).\n",
                   n, checkpoint_dir.string().c_str());
    }
  }
}

parallel::LocalTrees ForestGrower::grow(const std::string& phase, const std::vector<std::uint32_t>& rows,
                                        const forest::ForestParams& params) const {
  const auto n_trees = static_cast<std::uint64_t>(params.n_trees);
  auto bar = Progress::to_stderr(report_, "train: " + phase, "trees", n_trees);
  parallel::GrowHooks hooks;
  hooks.progress = bar.callback();
  std::map<std::uint64_t, std::vector<char>> restored;
  std::optional<PhaseWriter> writer;
  if (checkpoint_) {
    const std::string key = Hasher().text(params_text(params)).pod_vector(rows).hex();
    const auto [first, last] = parallel::tree_block(n_trees, comm::rank(comm_), comm::size(comm_));
    std::size_t n_stored = 0;
    restored = checkpoint_->load(key, first, last, &n_stored);
    if (report_ && n_stored > 0) {
      std::fprintf(stderr, "train: %s: %zu of %llu trees restored from %s\n", phase.c_str(), n_stored,
                   static_cast<unsigned long long>(n_trees), checkpoint_->dir().string().c_str());
    }
    if (last > first) bar.set_baseline(restored.size() * n_trees / (last - first));  // rank 0's share, scaled
    writer.emplace(*checkpoint_, key);
    hooks.ready = [&restored](std::uint64_t i) -> std::optional<forest::Tree> {
      auto it = restored.find(i);
      if (it == restored.end()) return std::nullopt;
      auto t = forest::tree_from_bytes(it->second);
      restored.erase(it);
      return t;
    };
    hooks.grown = [&writer](std::uint64_t i, const forest::Tree& t) { writer->grown(i, t); };
  }
  auto local = parallel::grow_distributed(comm_, ts_.xb, ts_.y, rows, params, hooks);
  if (writer) writer->flush();
  bar.finish();
  return local;
}

GrowFn ForestGrower::fn() const {
  return [this](const std::string& phase, const std::vector<std::uint32_t>& rows, const forest::ForestParams& params) {
    return grow(phase, rows, params);
  };
}

void ForestGrower::remove_checkpoint() const {
  if (checkpoint_) checkpoint_->remove();
}

}  // namespace ecgforest::pipeline
