#pragma once
// Appendix H: the IM server as a presence source. The PIDF document (RFC
// 3863) with the OMA service description that says whether a user is
// available for IM ("Application-specific Availability for IM"):
//
//   <presence xmlns="urn:ietf:params:xml:ns:pidf"
//             xmlns:op="urn:oma:xml:prs:pidf:oma-pres" entity="sip:alice@example.com">
//     <tuple id="im-availability">
//       <status><basic>open</basic></status>
//       <op:service-description>
//         <op:service-id>org.openmobilealliance:IM</op:service-id>
//         <op:version>1.0</op:version>
//       </op:service-description>
//     </tuple>
//   </presence>
#include <optional>
#include <string>
#include <string_view>

#include "im/xml/result.hpp"

namespace im::xml {

inline constexpr std::string_view kPidfContentType = "application/pidf+xml";
inline constexpr std::string_view kImPresenceServiceId = "org.openmobilealliance:IM";
inline constexpr std::string_view kImAvailabilityTupleId = "im-availability";

inline constexpr std::string_view kPidfNamespace = "urn:ietf:params:xml:ns:pidf";
inline constexpr std::string_view kOmaPresNamespace = "urn:oma:xml:prs:pidf:oma-pres";

// open: registered and visible (H, table 3); closed otherwise.
std::string im_availability_document(std::string_view entity, bool open);

// Appendix I, "Willingness for IM": in a PIDF document (a presence NOTIFY),
// the <op:willingness><op:basic> of the tuples whose service is
// org.openmobilealliance:IM. true: open (willing), false: closed; nullopt
// when no IM tuple says. When several IM tuples do, closed wins: one device
// unwilling is enough to defer. Parsed with the hardened libxml2 document
// (no DTD, limits); errors for what is no PIDF document.
Result<std::optional<bool>> im_willingness(std::string_view pidf);

}  // namespace im::xml
