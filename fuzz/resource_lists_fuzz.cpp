// Resource lists (RFC 4826 + RFC 5364) from arbitrary bytes, and the
// invariants of what the server writes back: the recipient-list-history body
// always parses and never names a bcc or anonymized recipient; escaped text
// always makes a well-formed document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>

#include "im/xml/document.hpp"
#include "im/xml/escape.hpp"
#include "im/xml/resource_lists.hpp"

namespace {

void require(bool condition)
{
    if (!condition) std::abort();
}

void check_history(const im::xml::ResourceList &list)
{
    const std::string history = im::xml::serialize_recipient_list_history(list.entries);
    im::xml::ResourceListLimits limits;
    limits.xml.max_bytes = history.size();
    auto reparsed = im::xml::parse_resource_lists(history, limits);
    require(reparsed.ok());
    std::unordered_set<std::string> hidden;
    for (const auto &entry : list.entries)
        if (entry.copy_control == im::xml::CopyControl::bcc || entry.anonymize) hidden.insert(entry.key);
    for (const auto &entry : list.entries)
        if (!entry.anonymize && entry.copy_control != im::xml::CopyControl::bcc) hidden.erase(entry.key);
    for (const auto &entry : reparsed.value().entries) {
        require(entry.copy_control != im::xml::CopyControl::bcc);
        require(entry.key == im::xml::kAnonymousUri || hidden.count(entry.key) == 0);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);

    auto list = im::xml::parse_resource_lists(bytes);
    if (list.ok()) {
        for (const auto &entry : list.value().entries) require(im::xml::normalized_uri_key(entry.uri) == entry.key);
        check_history(list.value());
        if (!list.value().entries.empty()) {
            auto copy = list.value();
            require(im::xml::remove_recipient(copy, copy.entries.front().uri) == 1);
        }
    }

    const std::string escaped = im::xml::xml_escaped(bytes);
    require(im::xml::Document::parse("<r a=\"" + escaped + "\">" + escaped + "</r>", {4 << 20, 64, 100'000, 256}).ok());
    return 0;
}
