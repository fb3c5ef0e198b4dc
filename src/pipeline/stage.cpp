#include "ecgforest/pipeline/stage.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include "ecgforest/io/annotations.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/version.hpp"
#include "ecgforest/core/bytes.hpp"

namespace ecgforest::pipeline {
namespace {

constexpr const char* kMagic = "ecgforest-stage/3";  // /2: RecordRow.kind; /3: reference seizures
constexpr const char* kEnd = "end-of-stage";

std::filesystem::path stage_file(const std::filesystem::path& dir, std::size_t index) {
  return dir / (std::to_string(index) + ".bin");
}

}  // namespace

std::string file_identity(const std::filesystem::path& p) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(p, ec);
  if (ec) return p.string() + "|missing";
  const auto mtime = std::filesystem::last_write_time(p, ec);
  if (ec) return p.string() + "|missing";
  return p.string() + "|" + std::to_string(size) + "|" + std::to_string(mtime.time_since_epoch().count());
}

std::filesystem::path stage_dir_for(const std::filesystem::path& output) { return output.string() + ".stage"; }

std::string extraction_fingerprint(const Config& config) {
  Config c = config;
  c.train = TrainSettings{};
  c.input.clear();
  c.output.clear();
  c.features.clear();
  c.model.clear();
  c.extract.strict = false;  // changes the exit status only, not the results
  std::string out = std::string("version=") + kVersion + "\nbuild=" + kBuildDate + "\ncolumns=";
  for (const auto& col : feature_columns(config)) out += col + ",";
  return out + "\n" + to_toml(c);
}

RecordStage::RecordStage(const std::filesystem::path& output, const Config& config)
    : dir_(stage_dir_for(output)), fingerprint_(extraction_fingerprint(config)), n_columns_(feature_columns(config).size()) {}

std::string recording_identity(const InputRecording& rec) {
  std::filesystem::path ann = rec.annotation;
  if (ann.empty()) {
    if (auto found = io::find_annotation_for(rec.edf)) ann = *found;
  }
  return "edf=" + file_identity(rec.edf) + "\nannotation=" + (ann.empty() ? "none" : file_identity(ann)) +
         "\npatient=" + rec.patient + "\n" + (rec.channels.empty() ? "" : "channels=" + file_identity(rec.channels) + "\n");
}

std::string RecordStage::key_for(const InputRecording& rec) const { return fingerprint_ + "\n" + recording_identity(rec); }

std::optional<io::RecordResult> RecordStage::load(const InputRecording& rec, std::size_t index) const {
  try {
    std::ifstream f(stage_file(dir_, index), std::ios::binary);
    if (!f) return std::nullopt;
    const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    ByteReader rd(bytes.data(), bytes.size());
    if (rd.str() != kMagic || rd.str() != key_for(rec) || rd.u64() != index) return std::nullopt;
    io::RecordResult r;
    r.index = index;
    r.row = io::get_record_row(rd);
    r.row.n_windows = rd.u64();
    const std::uint64_t rows = rd.u64(), cols = rd.u64();
    const auto values = rd.pod_vector<float>();
    r.label = rd.pod_vector<float>();
    r.time_s = rd.pod_vector<double>();
    r.reference.annotated = rd.u64() != 0;
    const auto spans = rd.pod_vector<double>();  // start, stop pairs
    for (std::size_t k = 0; k + 1 < spans.size(); k += 2) r.reference.seizures.push_back({spans[k], spans[k + 1]});
    if (rd.str() != kEnd || !rd.done()) return std::nullopt;
    if (cols != n_columns_ || values.size() != rows * cols || r.label.size() != rows || r.time_s.size() != rows) {
      return std::nullopt;
    }
    r.features.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    std::copy(values.begin(), values.end(), r.features.data());  // row-major, as written
    return r;
  } catch (...) {
    return std::nullopt;  // truncated or foreign file: process the recording again
  }
}

bool RecordStage::store(const InputRecording& rec, const io::RecordResult& r) const {
  if (r.row.status == "error" || r.row.status == "unreadable") return false;
  ByteWriter w;
  w.str(kMagic);
  w.str(key_for(rec));
  w.u64(r.index);
  io::put_record_row(w, r.row);
  w.u64(r.row.n_windows);
  w.u64(static_cast<std::uint64_t>(r.features.rows()));
  w.u64(static_cast<std::uint64_t>(r.features.cols()));
  w.pod_vector(std::vector<float>(r.features.data(), r.features.data() + r.features.size()));
  w.pod_vector(r.label);
  w.pod_vector(r.time_s);
  w.u64(r.reference.annotated ? 1 : 0);
  std::vector<double> spans;
  for (const auto& e : r.reference.seizures) spans.insert(spans.end(), {e.start_s, e.stop_s});
  w.pod_vector(spans);
  w.str(kEnd);
  return io::write_bytes_atomic(stage_file(dir_, r.index), {&w.bytes()});
}

void RecordStage::remove() const {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void test_exit_hook_after_recording() {
  static const long limit = [] {
    const char* v = std::getenv("ECGFOREST_TEST_EXIT_AFTER");
    return v ? std::atol(v) : 0L;
  }();
  static std::atomic<long> done{0};
  if (limit > 0 && ++done >= limit) std::_Exit(86);
}

}  // namespace ecgforest::pipeline
