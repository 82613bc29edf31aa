#pragma once
// application/resource-lists+xml (RFC 4826) as a URI-list service reads it
// (RFC 5365 MESSAGE URI-list, OMA IM CR 000/002), with the copy control
// attributes of RFC 5364 on <entry>, and the recipient-list-history body the
// exploded copies carry.
//
// Accepted:
//   <resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"
//                   xmlns:cp="urn:ietf:params:xml:ns:copycontrol">
//     <list name="...">                       (any number; nested lists are
//       <display-name>...</display-name>       flattened depth-first, up to
//       <entry uri="sip:bob@example.com"       ResourceListLimits::max_list_depth)
//              cp:copyControl="to|cc|bcc"     (default "to")
//              cp:anonymize="true|false">     (default false)
//         <display-name>Bob</display-name>    (optional)
//       </entry>
//       <list>...</list>
//     </list>
//   </resource-lists>
// Elements and attributes in other namespaces are ignored (RFC 4826 ##other).
// Refused as Error:
//   - another root element or namespace, an unknown element in the
//     resource-lists namespace, <entry> without uri, bad copyControl or
//     anonymize values (invalid);
//   - <entry-ref> and <external> (unsupported: resolving them would make the
//     server fetch documents on the sender's behalf);
//   - more than max_entries <entry> elements, lists nested too deep
//     (limit_exceeded); and everything Document::parse refuses.
// Reported in the value, for the caller to decide: entries whose uri is not a
// sip:, sips: or tel: URI (invalid_uris) and duplicates (dropped; the first
// occurrence wins).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/xml/document.hpp"
#include "im/xml/result.hpp"

namespace im::xml {

inline constexpr std::string_view kResourceListsNamespace = "urn:ietf:params:xml:ns:resource-lists";
inline constexpr std::string_view kCopyControlNamespace = "urn:ietf:params:xml:ns:copycontrol";
inline constexpr std::string_view kResourceListsContentType = "application/resource-lists+xml";
// RFC 5364 9.1: the disposition of the list in the exploded copies.
inline constexpr std::string_view kRecipientListHistoryDisposition = "recipient-list-history";
// RFC 5364: what anonymized recipients are replaced with.
inline constexpr std::string_view kAnonymousUri = "sip:anonymous@anonymous.invalid";

enum class CopyControl { to, cc, bcc };

struct ListEntry {
    std::string uri;                          // as written, surrounding space trimmed
    std::string key;                          // normalized_uri_key(uri): the identity for duplicates
    std::optional<std::string> display_name;  // absent when the entry has none
    CopyControl copy_control = CopyControl::to;
    bool anonymize = false;

    bool operator==(const ListEntry &) const = default;
};

struct InvalidUri {
    std::string uri;
    std::string reason;

    bool operator==(const InvalidUri &) const = default;
};

struct ResourceList {
    std::vector<ListEntry> entries;         // flattened, document order, no duplicates
    std::vector<InvalidUri> invalid_uris;   // entries left out because their uri is unusable
    std::size_t duplicates_removed = 0;
};

struct ResourceListLimits {
    ParseLimits xml;
    std::size_t max_entries = 10'000;  // <entry> elements in the document, duplicates included
    std::size_t max_list_depth = 16;   // <list> inside <list> inside ...
};

Result<ResourceList> parse_resource_lists(std::string_view bytes, const ResourceListLimits &limits = {});

// The identity of a recipient URI: scheme and host lower-cased, user as is,
// port kept, password, parameters and headers dropped ("sip:Bob@EXAMPLE.com;
// transport=tcp" -> "sip:Bob@example.com"). nullopt unless sip:, sips: or tel:.
std::optional<std::string> normalized_uri_key(std::string_view uri);

// Drops the entries that name `aor` (compared by normalized_uri_key), e.g.
// the sender's own address; returns how many went.
std::size_t remove_recipient(ResourceList &list, std::string_view aor);

// The resource-lists body for Content-Disposition: recipient-list-history
// (RFC 5364 section 3): the "to" and "cc" recipients in order; "bcc"
// recipients never appear; anonymized recipients are folded into one
// sip:anonymous@anonymous.invalid entry per copy control with cp:count.
std::string serialize_recipient_list_history(const std::vector<ListEntry> &recipients);

std::string_view to_string(CopyControl copy_control);

}  // namespace im::xml
