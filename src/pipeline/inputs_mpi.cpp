#include <algorithm>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/pipeline/inputs.hpp"
#include "ecgforest/core/bytes.hpp"

namespace ecgforest::pipeline {

void broadcast_recordings(MPI_Comm comm, std::vector<InputRecording>& recs) {
  const int me = comm::rank(comm);
  ByteWriter w;
  if (me == 0) {
    w.u64(recs.size());
    for (const auto& r : recs) {
      w.str(r.edf.string());
      w.u64(r.size_bytes);
      w.str(r.patient);
      w.str(r.annotation.string());
      w.str(r.channels.string());
    }
  }
  const std::string blob = comm::broadcast_string(comm, std::string(w.bytes().begin(), w.bytes().end()));
  if (me == 0) return;
  ByteReader rd(blob.data(), blob.size());
  recs.resize(rd.u64());
  for (auto& r : recs) {
    r.edf = rd.str();
    r.size_bytes = rd.u64();
    r.patient = rd.str();
    r.annotation = rd.str();
    r.channels = rd.str();
  }
}

std::vector<std::size_t> largest_first(const std::vector<InputRecording>& recs) {
  std::vector<std::size_t> order(recs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return recs[a].size_bytes > recs[b].size_bytes; });
  return order;
}

}  // namespace ecgforest::pipeline
