#pragma once
// Error types, one per layer. Messages are full sentences that name the file and the remedy.
#include <stdexcept>
#include <string>

namespace ecgforest {

/// Base of every error ecgforest throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad command line or configuration file. Raised before any work starts.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// A numeric routine (signal, hrv, forest, eval) was called with parameters it cannot use (a
/// non-positive window, min_samples_leaf 0, fewer groups than folds, ...). The configuration
/// rejects bad settings when it is parsed (ConfigError, exit 2, before any work), so reaching
/// one of these is a failed run: exit status 1 (in the serial tool commands, which pass their
/// options straight to numeric code, exit status 2 like a ConfigError).
class ParameterError : public Error {
 public:
  using Error::Error;
};

/// One input recording (EDF or its annotations) cannot be used. `kind()` is the short status
/// stored in `/records/status` (e.g. "unreadable", "no_ecg", "flat_ecg", "discontinuous",
/// "bad_annotation"); `what()` is the sentence stored in `/records/message`.
/// These never cross MPI: the pipeline turns them into a row of `/records` and goes on.
class RecordError : public Error {
 public:
  RecordError(std::string kind, const std::string& message) : Error(message), kind_(std::move(kind)) {}
  [[nodiscard]] const std::string& kind() const noexcept { return kind_; }

 private:
  std::string kind_;
};

/// A failed HDF5 call (message includes the HDF5 error stack) or a file with the wrong layout.
class Hdf5Error : public Error {
 public:
  using Error::Error;
};

/// A failed MPI call.
class MpiError : public Error {
 public:
  using Error::Error;
};

}  // namespace ecgforest

namespace ecgforest {
/// An error every rank of the communicator raised together (after agreeing on it), so no rank
/// needs MPI_Abort: main prints it once (rank 0) and all ranks exit normally with status 1.
class CollectiveError : public Error {
 public:
  using Error::Error;
};

/// A bad setting every rank found together (a ConfigError inside comm::collective_try, e.g. a
/// train.exclude_features name that is no column of the features file): exit status 2.
class CollectiveConfigError : public CollectiveError {
 public:
  using CollectiveError::CollectiveError;
};
}  // namespace ecgforest
