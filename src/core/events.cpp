#include "ecgforest/core/events.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace ecgforest {

bool is_seizure_label(const std::string& label) {
  static constexpr std::array<std::string_view, 12> kSeizure{"seiz", "fnsz", "gnsz", "spsz",
                                                             "cpsz", "absz", "tnsz", "cnsz",
                                                             "tcsz", "atsz", "mysz", "nesz"};
  std::string_view v(label);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  std::string l(v);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kSeizure.begin(), kSeizure.end(), l) != kSeizure.end();
}

}  // namespace ecgforest
