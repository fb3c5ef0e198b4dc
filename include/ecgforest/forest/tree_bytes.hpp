#pragma once
// One tree as bytes (its node arrays in order), for MPI messages and checkpoint files.
#include <vector>

#include "ecgforest/core/bytes.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {

void put_tree(ByteWriter& w, const Tree& t);
/// Throws Error when the bytes end early.
Tree get_tree(ByteReader& r);

/// put_tree into a buffer of its own / get_tree of a whole buffer.
std::vector<char> tree_bytes(const Tree& t);
Tree tree_from_bytes(const std::vector<char>& bytes);

}  // namespace ecgforest::forest
