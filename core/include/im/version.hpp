#pragma once
// Product tokens of spec appendix F.

namespace im {

inline constexpr const char *kServerProduct = "IM-serv/OMA1.0";
inline constexpr const char *kImFeatureTag = "+g.oma.sip-im";

}  // namespace im
