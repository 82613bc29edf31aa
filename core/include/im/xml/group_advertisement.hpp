#pragma once
// Group Advertisement documents (OMA SIMPLE IM Appendix E.1.5-E.1.8),
// Content-Type application/vnd.IM.group-advertisement+xml, carried in a SIP
// MESSAGE (6.2.3.8, 6.2.4.5).
//
// Accepted (E.1.7 example):
//   <group-advertisement xmlns="urn:oma:params:xml:ns:IM:group-advertisement">
//     <note>This group will meet next week</note>      (optional, at most one)
//     <group type="dialed-in|dialed-out|other">        (one or more; type optional)
//       <display-name>Teleworkers</display-name>       (optional, at most one)
//       <uri>sip:group1@example.com</uri>              (one or more)
//     </group>
//   </group-advertisement>
// The draft spells the namespace three ways (E.1.6 text, E.1.7/E.1.8 schema,
// editor's note); all three are accepted:
//   urn:oma:params:xml:ns:IM:group-advertisement   (schema, example)
//   urn:oma:params:xml:ns:IM:groupadvertisement    (E.1.6 text)
//   urn:oma:params:xml:ns:im:group-advertisement   (editor's note)
// Elements and attributes of other namespaces are ignored (##other).
// Refused (invalid): another root or namespace, no <group>, a <group>
// without <uri>, an empty or non-URI <uri> (it must be scheme ":" something
// with no spaces or controls), an unknown type value, repeated <note> or
// <display-name>, unknown elements of the group-advertisement namespace.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/xml/document.hpp"
#include "im/xml/result.hpp"

namespace im::xml {

inline constexpr std::string_view kGroupAdvertisementNamespace = "urn:oma:params:xml:ns:IM:group-advertisement";
// As E.1.6 spells it; media types compare case-insensitively (RFC 2045).
inline constexpr std::string_view kGroupAdvertisementContentType = "application/vnd.IM.group-advertisement+xml";
// E.1.9: the feature tag of clients that accept advertisements.
inline constexpr std::string_view kGroupAdvertisementFeatureTag = "+g.poc.groupad";

enum class AdvertisedGroupType {
    unspecified,  // no type attribute
    dialed_in,    // chat IM Group
    dialed_out,   // pre-arranged IM Group
    other,
};

struct AdvertisedGroup {
    AdvertisedGroupType type = AdvertisedGroupType::unspecified;
    std::optional<std::string> display_name;
    std::vector<std::string> uris;  // at least one, document order, trimmed

    bool operator==(const AdvertisedGroup &) const = default;
};

struct GroupAdvertisement {
    std::optional<std::string> note;  // text to render to the user
    std::vector<AdvertisedGroup> groups;  // at least one

    bool operator==(const GroupAdvertisement &) const = default;
};

struct GroupAdvertisementLimits {
    ParseLimits xml;
    std::size_t max_groups = 1'000;
    std::size_t max_uris_per_group = 100;
};

Result<GroupAdvertisement> parse_group_advertisement(std::string_view bytes,
                                                     const GroupAdvertisementLimits &limits = {});

bool is_group_advertisement_namespace(std::string_view ns);

// Whether a Content-Type header value is kGroupAdvertisementContentType
// (case-insensitive, parameters ignored).
bool is_group_advertisement_type(std::string_view content_type);

}  // namespace im::xml
