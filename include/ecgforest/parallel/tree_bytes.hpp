#pragma once
// One tree as bytes (its node arrays in order), for MPI messages and checkpoint files.
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/parallel/mpi.hpp"

namespace ecgforest::parallel {

void put_tree(Writer& w, const forest::Tree& t);
/// Throws Error when the bytes end early (Reader).
forest::Tree get_tree(Reader& r);

}  // namespace ecgforest::parallel
