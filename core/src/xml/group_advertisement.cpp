#include "im/xml/group_advertisement.hpp"

#include <algorithm>
#include <cctype>

#include "im/sip/text.hpp"
#include "im/xml/multipart.hpp"

namespace im::xml {
namespace {

std::string tag(std::string_view name) { return "<" + std::string(name) + ">"; }

// xs:anyURI as a SIP server can use it: an RFC 3986 scheme, ':', and a
// non-empty rest of printable ASCII other than the name-addr brackets.
bool is_usable_uri(std::string_view uri)
{
    const auto colon = uri.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == uri.size()) return false;
    const auto scheme = uri.substr(0, colon);
    if (!std::isalpha(static_cast<unsigned char>(scheme.front()))) return false;
    const bool scheme_ok = std::all_of(scheme.begin(), scheme.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x80 && (std::isalnum(c) || c == '+' || c == '-' || c == '.');
    });
    return scheme_ok && std::none_of(uri.begin(), uri.end(), [](char ch) {
               const auto c = static_cast<unsigned char>(ch);
               return c <= 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '"';
           });
}

std::optional<AdvertisedGroupType> parse_group_type(std::string_view text)
{
    text = trim_xml_space(text);
    if (text == "dialed-in") return AdvertisedGroupType::dialed_in;
    if (text == "dialed-out") return AdvertisedGroupType::dialed_out;
    if (text == "other") return AdvertisedGroupType::other;
    return std::nullopt;
}

Result<AdvertisedGroup> read_group(const xmlNode *group, std::string_view ns, const GroupAdvertisementLimits &limits)
{
    AdvertisedGroup out;
    if (auto type = attribute(group, "", "type")) {
        auto parsed = parse_group_type(*type);
        if (!parsed) return make_error(ErrorKind::invalid, "bad group type \"" + *type + "\"");
        out.type = *parsed;
    }
    for (const xmlNode *child : ChildElements(group)) {
        if (namespace_uri(child) != ns) continue;  // ##other
        const auto name = local_name(child);
        if (name == "display-name") {
            if (out.display_name) return make_error(ErrorKind::invalid, "more than one <display-name> in <group>");
            out.display_name = std::string(trim_xml_space(text_of(child)));
        } else if (name == "uri") {
            std::string uri(trim_xml_space(text_of(child)));
            if (!is_usable_uri(uri)) return make_error(ErrorKind::invalid, "bad group <uri> \"" + uri + "\"");
            if (out.uris.size() >= limits.max_uris_per_group)
                return make_error(ErrorKind::limit_exceeded,
                                  "more than " + std::to_string(limits.max_uris_per_group) + " <uri> in a <group>");
            out.uris.push_back(std::move(uri));
        } else {
            return make_error(ErrorKind::invalid, "unexpected " + tag(name) + " in <group>");
        }
    }
    if (out.uris.empty()) return make_error(ErrorKind::invalid, "<group> without <uri>");
    return out;
}

}  // namespace

bool is_group_advertisement_namespace(std::string_view ns)
{
    return ns == kGroupAdvertisementNamespace || ns == "urn:oma:params:xml:ns:IM:groupadvertisement" ||
           ns == "urn:oma:params:xml:ns:im:group-advertisement";
}

bool is_group_advertisement_type(std::string_view content_type)
{
    return sip::iequals(media_type_of(content_type), kGroupAdvertisementContentType);
}

Result<GroupAdvertisement> parse_group_advertisement(std::string_view bytes, const GroupAdvertisementLimits &limits)
{
    auto document = Document::parse(bytes, limits.xml);
    if (!document) return document.error();
    const xmlNode *root = document->root();
    if (local_name(root) != "group-advertisement")
        return make_error(ErrorKind::invalid,
                          "root element is " + tag(local_name(root)) + ", not <group-advertisement>");
    const auto ns = namespace_uri(root);
    if (!is_group_advertisement_namespace(ns))
        return make_error(ErrorKind::invalid, "<group-advertisement> in namespace \"" + std::string(ns) + "\"");

    GroupAdvertisement out;
    for (const xmlNode *child : ChildElements(root)) {
        if (namespace_uri(child) != ns) continue;  // ##other
        const auto name = local_name(child);
        if (name == "note") {
            if (out.note) return make_error(ErrorKind::invalid, "more than one <note>");
            out.note = std::string(trim_xml_space(text_of(child)));
        } else if (name == "group") {
            if (out.groups.size() >= limits.max_groups)
                return make_error(ErrorKind::limit_exceeded,
                                  "more than " + std::to_string(limits.max_groups) + " <group> elements");
            auto group = read_group(child, ns, limits);
            if (!group) return group.error();
            out.groups.push_back(std::move(group).value());
        } else {
            return make_error(ErrorKind::invalid, "unexpected " + tag(name) + " in <group-advertisement>");
        }
    }
    if (out.groups.empty()) return make_error(ErrorKind::invalid, "<group-advertisement> without <group>");
    return out;
}

}  // namespace im::xml
