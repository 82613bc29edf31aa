#pragma once
// IM service settings (OMA SIMPLE IM Appendix E), the body of a PUBLISH with
// Event: poc-settings (6.2.5): the PoC settings document of RFC 4354
// ([serv-setting]) extended with the service-settings namespace of E.1.3.
//
// Accepted (E.1.2 example, namespaces as below):
//   <poc-settings xmlns="urn:ietf:params:xml:ns:poc-settings"      (RFC 4354)
//       xmlns:ss="urn:oma:params:xml:ns:service-settings">
//     <entity id="...">                                  (0..max_entities; id required)
//       <isb-settings service-id="IM">
//         <incoming-session-barring active="true"/>
//       </isb-settings>
//       <ipab-settings service-id="IM">
//         <incoming-personal-alert-barring active="false"/>
//       </ipab-settings>
//       <ss:deferred-settings service-id="IM"><ss:offline-delivery active="true"/></ss:deferred-settings>
//       <ss:vis-settings service-id="IM"><ss:vis-status active="false"/></ss:vis-settings>
//       <ss:hist-settings service-id="IM"><ss:hist-activation active="false"/></ss:hist-settings>
//     </entity>
//   </poc-settings>
// Leniency, each documented in docs/xml-documents.md:
//   - the root namespace may also be "urn:oma:params:xml:ns:poc:poc-settings",
//     the spelling of the IM draft (E.1.2, E.1.3);
//   - every setting element is recognised in the root namespace and in the
//     service-settings namespace alike (the draft mixes them);
//   - vis-settings takes <vis-status> (schema E.1.3) or <visibility-status>
//     (example E.1.2);
//   - service-id may be unqualified (as in the example) or ss:-qualified; it
//     is compared case-insensitively. A setting without service-id is taken
//     as ours (E.1.2: "MAY be omitted"); one naming another enabler (PoC...)
//     is skipped and counted.
// Refused (invalid): another root or root namespace, <entity> without id, a
// flag element without active or with a non-xs:boolean value, a repeated
// setting for our service or a repeated flag element, <hist-settings>
// without <hist-activation> (required by E.1.3). Elements of unknown
// namespaces and unknown elements (am-settings, sss-settings, ...) are
// ignored. A setting absent from the document stays std::nullopt.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/xml/document.hpp"
#include "im/xml/result.hpp"

namespace im::xml {

inline constexpr std::string_view kPocSettingsNamespace = "urn:ietf:params:xml:ns:poc-settings";
inline constexpr std::string_view kDraftPocSettingsNamespace = "urn:oma:params:xml:ns:poc:poc-settings";
inline constexpr std::string_view kServiceSettingsNamespace = "urn:oma:params:xml:ns:service-settings";
inline constexpr std::string_view kPocSettingsContentType = "application/poc-settings+xml";
inline constexpr std::string_view kImServiceId = "IM";

// One optional flag per setting of E.1.2 table 1.
struct ImServiceSettings {
    std::optional<bool> incoming_session_barring;     // isb-settings/incoming-session-barring
    std::optional<bool> incoming_pager_mode_barring;  // ipab-settings/incoming-personal-alert-barring
    std::optional<bool> offline_delivery;             // deferred-settings/offline-delivery
    std::optional<bool> visible;                      // vis-settings/vis-status: false = invisible
    std::optional<bool> history_activation;           // hist-settings/hist-activation

    bool empty() const;
    bool operator==(const ImServiceSettings &) const = default;
};

struct EntitySettings {
    std::string id;  // <entity id>: the publishing client instance
    ImServiceSettings settings;

    bool operator==(const EntitySettings &) const = default;
};

struct ServiceSettingsDocument {
    std::vector<EntitySettings> entities;  // document order
    std::size_t foreign_settings_skipped = 0;  // setting elements with another service-id
};

struct ServiceSettingsOptions {
    ParseLimits xml;
    std::string service_id = std::string(kImServiceId);
    std::size_t max_entities = 16;
};

Result<ServiceSettingsDocument> parse_service_settings(std::string_view bytes,
                                                       const ServiceSettingsOptions &options = {});

// The settings of all entities folded in document order (a later entity's
// value wins), for a server that keeps one set per user.
ImServiceSettings merged_settings(const ServiceSettingsDocument &document);

}  // namespace im::xml
