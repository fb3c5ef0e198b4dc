#include "ecgforest/parallel/boost.hpp"

#include <string>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/core/bytes.hpp"
#include "ecgforest/forest/tree_bytes.hpp"

namespace ecgforest::parallel {
namespace {

/// Probabilities of `rows` under the model (binned prediction, OpenMP over rows).
std::vector<float> predict_rows(const forest::BoostedTrees& m, const forest::BinnedMatrix& xb,
                                const std::vector<std::uint32_t>& rows) {
  std::vector<float> p(rows.size());
  const auto n = static_cast<long long>(rows.size());
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < n; ++i)
    p[static_cast<std::size_t>(i)] = forest::boosted_proba_binned(m, xb.row(rows[static_cast<std::size_t>(i)]));
  return p;
}

void put_model(ByteWriter& w, const forest::BoostedTrees& m) {
  w.f64(m.base_margin);
  w.u64(m.trees.size());
  for (const auto& t : m.trees) forest::put_tree(w, t);
}

forest::BoostedTrees get_model(ByteReader& r) {
  forest::BoostedTrees m;
  m.base_margin = r.f64();
  const auto n = r.u64();
  for (std::uint64_t i = 0; i < n; ++i) m.trees.push_back(forest::get_tree(r));
  return m;
}

}  // namespace

BoostOutcome run_boost_jobs(MPI_Comm comm, const forest::BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                            const std::vector<BoostJob>& jobs, int root,
                            const std::function<void(std::uint64_t)>& round_done) {
  const int me = comm::rank(comm), p = comm::size(comm);
  ByteWriter w;  // per job of this rank: index, probabilities, model (keep_model jobs)
  comm::collective_try(comm, "", [&] {
    std::uint64_t done = 0;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      if (boost_job_rank(j, p) != me) continue;
      const auto& job = jobs[j];
      const auto m = forest::grow_boosted(xb, y, job.train_rows, job.params, [&](int) {
        if (round_done) round_done(++done);
      });
      w.u64(j);
      w.pod_vector(predict_rows(m, xb, job.predict_rows));
      w.u64(job.keep_model ? 1 : 0);
      if (job.keep_model) put_model(w, m);
    }
  });
  BoostOutcome out;
  out.prob.resize(jobs.size());
  out.model.resize(jobs.size());
  for (const auto& bytes : comm::allgather_bytes(comm, w.bytes())) {
    ByteReader r(bytes.data(), bytes.size());
    while (!r.done()) {
      const auto j = static_cast<std::size_t>(r.u64());
      out.prob.at(j) = r.pod_vector<float>();
      if (r.u64() == 0) continue;
      auto m = get_model(r);
      if (me == root) out.model[j] = std::move(m);
    }
  }
  return out;
}

}  // namespace ecgforest::parallel
