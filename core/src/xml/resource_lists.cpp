#include "im/xml/resource_lists.hpp"

#include <algorithm>
#include <unordered_set>

#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/xml/escape.hpp"

namespace im::xml {
namespace {

std::string element_name(const xmlNode *node) { return "<" + std::string(local_name(node)) + ">"; }

std::optional<CopyControl> parse_copy_control(std::string_view text)
{
    text = trim_xml_space(text);
    if (text == "to") return CopyControl::to;
    if (text == "cc") return CopyControl::cc;
    if (text == "bcc") return CopyControl::bcc;
    return std::nullopt;
}

// Characters that can never be in a URI we hand to SIP: controls and space
// (header injection), non-ASCII (must be %-encoded) and the name-addr brackets.
bool has_forbidden_uri_byte(std::string_view uri)
{
    return std::any_of(uri.begin(), uri.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '"';
    });
}

// Walks <list> elements depth-first and collects their entries.
class ListFlattener {
public:
    explicit ListFlattener(const ResourceListLimits &limits) : limits_(limits) {}

    std::optional<Error> walk_list(const xmlNode *list, std::size_t depth)
    {
        if (depth > limits_.max_list_depth)
            return make_error(ErrorKind::limit_exceeded,
                              "lists nested deeper than " + std::to_string(limits_.max_list_depth));
        for (const xmlNode *child : ChildElements(list)) {
            if (namespace_uri(child) != kResourceListsNamespace) continue;  // ##other: ignored
            const std::string_view name = local_name(child);
            std::optional<Error> error;
            if (name == "entry") error = add_entry(child);
            else if (name == "list") error = walk_list(child, depth + 1);
            else if (name == "entry-ref" || name == "external")
                error = make_error(ErrorKind::unsupported, element_name(child) + " is not supported");
            else if (name != "display-name")
                error = make_error(ErrorKind::invalid, "unexpected " + element_name(child) + " in <list>");
            if (error) return error;
        }
        return std::nullopt;
    }

    ResourceList take() { return std::move(out_); }

private:
    std::optional<Error> add_entry(const xmlNode *entry)
    {
        if (++entries_seen_ > limits_.max_entries)
            return make_error(ErrorKind::limit_exceeded,
                              "more than " + std::to_string(limits_.max_entries) + " entries");
        auto uri_attr = attribute(entry, "", "uri");
        if (!uri_attr) return make_error(ErrorKind::invalid, "<entry> without uri attribute");

        ListEntry item;
        item.uri = std::string(trim_xml_space(*uri_attr));
        if (auto value = attribute(entry, kCopyControlNamespace, "copyControl")) {
            auto copy_control = parse_copy_control(*value);
            if (!copy_control) return make_error(ErrorKind::invalid, "bad copyControl value \"" + *value + "\"");
            item.copy_control = *copy_control;
        }
        if (auto value = attribute(entry, kCopyControlNamespace, "anonymize")) {
            auto anonymize = parse_xs_boolean(*value);
            if (!anonymize) return make_error(ErrorKind::invalid, "bad anonymize value \"" + *value + "\"");
            item.anonymize = *anonymize;
        }
        for (const xmlNode *child : ChildElements(entry)) {
            if (namespace_uri(child) != kResourceListsNamespace) continue;
            if (local_name(child) != "display-name")
                return make_error(ErrorKind::invalid, "unexpected " + element_name(child) + " in <entry>");
            if (!item.display_name) item.display_name = std::string(trim_xml_space(text_of(child)));
        }

        auto key = normalized_uri_key(item.uri);
        if (!key) {
            out_.invalid_uris.push_back({item.uri, "not a sip:, sips: or tel: URI"});
            return std::nullopt;
        }
        if (!seen_.insert(*key).second) {
            ++out_.duplicates_removed;
            return std::nullopt;
        }
        item.key = std::move(*key);
        out_.entries.push_back(std::move(item));
        return std::nullopt;
    }

    const ResourceListLimits &limits_;
    std::size_t entries_seen_ = 0;
    std::unordered_set<std::string> seen_;
    ResourceList out_;
};

void append_entry(std::string &out, std::string_view uri, CopyControl copy_control,
                  const std::optional<std::string> &display_name, std::size_t count)
{
    out += "    <entry uri=\"";
    append_xml_escaped(out, uri);
    out += "\" cp:copyControl=\"";
    out += to_string(copy_control);
    out += '"';
    if (count > 0) out += " cp:count=\"" + std::to_string(count) + '"';
    if (!display_name) {
        out += "/>\r\n";
        return;
    }
    out += ">\r\n      <display-name>";
    append_xml_escaped(out, *display_name);
    out += "</display-name>\r\n    </entry>\r\n";
}

void append_visible_group(std::string &out, const std::vector<ListEntry> &recipients, CopyControl copy_control)
{
    std::size_t anonymized = 0;
    for (const auto &recipient : recipients) {
        if (recipient.copy_control != copy_control) continue;
        if (recipient.anonymize) ++anonymized;
        else append_entry(out, recipient.uri, copy_control, recipient.display_name, 0);
    }
    if (anonymized > 0) append_entry(out, kAnonymousUri, copy_control, std::nullopt, anonymized);
}

}  // namespace

std::string_view to_string(CopyControl copy_control)
{
    switch (copy_control) {
    case CopyControl::to: return "to";
    case CopyControl::cc: return "cc";
    case CopyControl::bcc: return "bcc";
    }
    return "to";
}

std::optional<std::string> normalized_uri_key(std::string_view uri)
{
    if (uri.empty() || has_forbidden_uri_byte(uri)) return std::nullopt;
    auto parsed = sip::parse_uri(uri);
    if (!parsed) return std::nullopt;
    if (parsed->scheme == "tel") return "tel:" + parsed->user;
    std::string key = parsed->scheme + ":";
    if (!parsed->user.empty()) key += parsed->user + "@";
    key += parsed->host;
    if (parsed->port != 0) key += ":" + std::to_string(parsed->port);
    return key;
}

Result<ResourceList> parse_resource_lists(std::string_view bytes, const ResourceListLimits &limits)
{
    auto document = Document::parse(bytes, limits.xml);
    if (!document) return document.error();
    const xmlNode *root = document->root();
    if (local_name(root) != "resource-lists")
        return make_error(ErrorKind::invalid, "root element is " + element_name(root) + ", not <resource-lists>");
    if (namespace_uri(root) != kResourceListsNamespace)
        return make_error(ErrorKind::invalid,
                          "<resource-lists> in namespace \"" + std::string(namespace_uri(root)) + "\"");

    ListFlattener flattener(limits);
    for (const xmlNode *child : ChildElements(root)) {
        if (namespace_uri(child) != kResourceListsNamespace) continue;
        if (local_name(child) != "list")
            return make_error(ErrorKind::invalid, "unexpected " + element_name(child) + " in <resource-lists>");
        if (auto error = flattener.walk_list(child, 1)) return std::move(*error);
    }
    return flattener.take();
}

std::size_t remove_recipient(ResourceList &list, std::string_view aor)
{
    const auto key = normalized_uri_key(sip::trim(aor));
    if (!key) return 0;
    const auto before = list.entries.size();
    std::erase_if(list.entries, [&](const ListEntry &entry) { return entry.key == *key; });
    return before - list.entries.size();
}

std::string serialize_recipient_list_history(const std::vector<ListEntry> &recipients)
{
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
        "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"\r\n"
        "    xmlns:cp=\"urn:ietf:params:xml:ns:copycontrol\">\r\n"
        "  <list>\r\n";
    append_visible_group(out, recipients, CopyControl::to);
    append_visible_group(out, recipients, CopyControl::cc);
    // CopyControl::bcc: never disclosed (RFC 5364 section 3).
    out += "  </list>\r\n</resource-lists>\r\n";
    return out;
}

}  // namespace im::xml
