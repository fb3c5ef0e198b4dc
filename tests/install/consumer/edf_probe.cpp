// Consumer of the installed ecgforest package (tests/install): opens an EDF file with
// ecgforest::io (EDFlib) and prints its duration and first channel's rate, or the error kind.
#include <cstdio>
#include <exception>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_reader.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: edf_probe FILE.edf\n");
    return 2;
  }
  try {
    const ecgforest::io::EdfFile edf(argv[1]);
    std::printf("duration_s %.1f\n", edf.info().duration_s);
    std::printf("fs_hz %.1f\n", edf.info().channels.at(0).fs_hz);
  } catch (const ecgforest::RecordError& e) {
    std::printf("record_error %s\n", e.kind().c_str());
  } catch (const std::exception& e) {
    std::printf("error %s\n", e.what());
    return 1;
  }
  return 0;
}
